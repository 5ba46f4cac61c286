// Small DOM helpers: every element is built with DOM calls (no innerHTML with data), so nothing a user or an API
// answer contains is ever read as markup, and the strict Content-Security-Policy needs no exceptions.

/** h('tag', {attr: value, onclick: fn, dataset: {...}}, ...children) */
export function h(tag, attributes = {}, ...children) {
  const svg = tag.startsWith('svg:');
  const element = svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) element.dataset[key] = String(v);
      }
    } else if (name === 'class') {
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (!svg && name in element && typeof value !== 'string') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A field: <label for=id>text</label> + the control, wrapped in a div. */
export function field(label, control, hint) {
  const id = control.id || (control.id = uniqueId(label));
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

let counter = 0;
export function uniqueId(base) {
  counter += 1;
  return `${String(base).toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${counter}`;
}

export function time(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, date.toLocaleString());
}

export function percent(value) {
  const n = Number(value);
  return Number.isFinite(n) ? `${n.toFixed(1)} %` : '–';
}

export function megabytes(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return '–';
  return n >= 1024 ? `${(n / 1024).toFixed(1)} GB` : `${Math.round(n)} MB`;
}

/** A status word as a badge; the text stays the API's word (RUNNING, DEAD...) for people and tests alike. */
export function statusBadge(status) {
  return h('span', { class: ['badge', `status-${String(status ?? '').toLowerCase()}`] }, status ?? '');
}

/** A message in a live region, for errors and confirmations. */
export function notice(text, kind = 'error') {
  return h('p', { class: ['notice', kind], role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Runs fn at most once per wait ms (trailing), for bursts of events that each ask for a refresh. */
export function debounce(fn, wait) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

/** A term and its value for a <dl class="facts">. */
export function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

/**
 * A table with a caption for screen readers, column headings, and each body cell labelled with its column (data-label),
 * so a phone-sized screen shows every row as a small card (style.css) instead of a table wider than the screen.
 */
export function dataTable(caption, columns, rows, attributes = {}) {
  const body = h('tbody', {}, rows);
  const table = h('table', { ...attributes, class: ['stack', attributes.class] },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map(t => h('th', { scope: 'col' }, t)))),
    body);
  labelCells(table);
  return h('div', { class: 'table-wrap' }, table);
}

/** Labels the body cells of a table built by dataTable again, after its rows were replaced. */
export function labelCells(table) {
  const labels = [...table.querySelectorAll('thead th')].map(th => th.textContent);
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, i) => {
      if (labels[i]) cell.dataset.label = labels[i];
    });
  }
}
