// A descriptor rendered as a tree, each field tagged with its path (applications[0].microservices[0].memory, the way
// the API names fields in its validation errors), and each error of the API shown next to the field it names. An
// error about a field that is missing sits at the nearest field that is there.
import { h } from './dom.js';

const PATH = /^[A-Za-z_$][\w$-]*(\[\d+\])*(\.[A-Za-z_$][\w$-]*(\[\d+\])*)*$/;

/** "applications[0].memory: must be positive" → {path: 'applications[0].memory', message: 'must be positive'}. */
export function parseErrors(errors) {
  return errors.map(text => {
    const at = String(text).indexOf(': ');
    const path = at > 0 ? text.slice(0, at) : '';
    return PATH.test(path) ? { path, message: text.slice(at + 2) } : { path: '', message: String(text) };
  });
}

/**
 * value: the parsed descriptor; errors: [{path, message}]; prefixes: leading parts an error path may carry that the
 * tree does not (an update's "microservice." names the edited object itself).
 */
export function descriptorView(value, errors, { prefixes = [''], title = 'Your descriptor, with the errors the API found' } = {}) {
  const nodes = new Map();
  const tree = h('ul', { class: 'tree' }, renderNode(value, '', null, nodes));
  const general = [];
  for (const error of errors) {
    const target = findNode(error.path, nodes, prefixes);
    const message = h('p', { class: 'field-error', dataset: { path: error.path } },
      error.path && target?.path !== stripped(error.path, prefixes) ? `${error.path}: ${error.message}` : error.message);
    if (!target) {
      general.push(message);
    } else {
      target.element.classList.add('has-error');
      target.element.querySelector(':scope > .errors-here').append(message);
    }
  }
  return h('section', { class: 'descriptor-view' },
    h('h2', {}, title),
    h('p', { class: 'muted' }, `${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was stored.`),
    general.length ? h('div', { class: 'general-errors' }, general) : null,
    tree);
}

function stripped(path, prefixes) {
  const prefix = prefixes.find(p => p && path.startsWith(p));
  return prefix ? path.slice(prefix.length) : path;
}

/** The node at the path, or at its longest existing prefix (a missing field's parent). */
function findNode(path, nodes, prefixes) {
  let probe = stripped(path, prefixes);
  while (probe) {
    if (nodes.has(probe)) return { path: probe, element: nodes.get(probe) };
    const cut = Math.max(probe.lastIndexOf('.'), probe.lastIndexOf('['));
    probe = cut > 0 ? probe.slice(0, cut) : '';
  }
  return path === '' ? null : { path: '', element: nodes.get('') };
}

function renderNode(value, path, label, nodes) {
  const item = h('li', { dataset: { path } });
  nodes.set(path, item);
  const name = label === null ? null : h('span', { class: 'key' }, label);
  if (Array.isArray(value)) {
    item.append(...[name, name ? ': ' : null, h('span', { class: 'punct' }, `[${value.length === 0 ? ']' : ''}`)].filter(Boolean));
    item.append(h('div', { class: 'errors-here' }));
    if (value.length) {
      item.append(h('ul', {}, value.map((v, i) => renderNode(v, `${path}[${i}]`, `[${i}]`, nodes))), h('span', { class: 'punct' }, ']'));
    }
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    item.append(...[name, name ? ': ' : null, h('span', { class: 'punct' }, `{${entries.length === 0 ? '}' : ''}`)].filter(Boolean));
    item.append(h('div', { class: 'errors-here' }));
    if (entries.length) {
      item.append(h('ul', {}, entries.map(([k, v]) => renderNode(v, path ? `${path}.${k}` : k, k, nodes))), h('span', { class: 'punct' }, '}'));
    }
  } else {
    item.append(...[name, name ? ': ' : null, h('span', { class: ['value', `type-${value === null ? 'null' : typeof value}`] }, JSON.stringify(value))].filter(Boolean));
    item.append(h('div', { class: 'errors-here' }));
  }
  return item;
}
