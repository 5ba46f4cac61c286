import { h, replace, notice, statusBadge, percent, megabytes, time, field, debounce, fact, dataTable, labelCells } from '../dom.js';
import { get, request } from '../api.js';
import { liveEvents } from '../event-list.js';
import { confirmDialog } from '../confirm.js';
import { descriptorView, parseErrors } from '../descriptor-view.js';

// Microservice fields of SLA v2.0 a user changes with "Update" (PUT /api/service/{id} merges what is given).
const EDITABLE = ['microservice_name', 'microservice_namespace', 'virtualization', 'code', 'cmd', 'environment', 'memory', 'vcpus',
  'vgpus', 'storage', 'port', 'one_shot', 'privileged', 'restart_policy', 'constraints'];

/** A service: its instances with live status, scale, update and delete, and its events. */
export async function renderService(page, [id], { navigate }) {
  const path = `/api/service/${encodeURIComponent(id)}`;
  let service = await get(path);

  const heading = h('h1');
  const crumbs = h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' });
  const facts = h('dl', { class: 'facts' });
  const table = dataTable('Instances', ['Instance', 'Status', 'Node', 'Cluster', 'CPU', 'Memory', 'Restarts', 'Started', 'Detail'], [],
    { class: 'instances' });
  const tbody = table.querySelector('tbody');
  const none = h('p', { class: 'muted' });

  const show = () => {
    heading.textContent = `Service ${service.microservice_name}`;
    replace(crumbs,
      h('a', { href: `#/applications/${encodeURIComponent(service.applicationID)}` }, service.app_name || service.application_name), ' › ',
      service.microservice_name);
    replace(facts,
      fact('Job', service.job_name),
      fact('Status', statusBadge(service.status)),
      fact('Runtime', service.virtualization),
      fact('Code', h('span', { class: 'code' }, service.code)),
      fact('Wanted instances', service.instances),
      fact('Memory', `${service.memory} MB`),
      fact('vCPUs', service.vcpus),
      service.RR_ip ? fact('Service IP', service.RR_ip) : null,
      service.port ? fact('Port', service.port) : null);
    const instances = [...service.instance_list].sort((a, b) => a.instance_number - b.instance_number);
    none.textContent = instances.length === 0 ? 'No instances: scale up to start one.' : '';
    replace(tbody, instances.map(i => instanceRow(id, i)));
    labelCells(table);
  };
  show();

  const reload = debounce(async () => {
    try {
      service = await get(path);
      show();
    } catch (error) {
      if (error.status === 404) replace(none, notice('This service no longer exists.', 'info'));
    }
  }, 250);

  // An event changes the row at once (its status cell), then the service is read again for the rest (node, cpu...).
  const events = liveEvents({ service: id }, {
    onEvent: event => {
      if (event.kind === 'instance' && event.instanceNumber !== undefined && event.instanceNumber !== null) {
        const cell = tbody.querySelector(`tr[data-instance="${Number(event.instanceNumber)}"] td[data-field="status"]`);
        if (cell) replace(cell, event.status);
      }
      reload();
    },
  });
  // cpu and memory move without events.
  const timer = setInterval(reload, 10000);

  replace(page,
    crumbs,
    heading,
    facts,
    h('section', {}, h('h2', { id: 'instances-heading' }, 'Instances'), table, none),
    scaleForm(id, service, updated => { service = updated; show(); }),
    updateForm(id, service, updated => { service = updated; show(); }),
    h('section', {}, h('h2', { id: 'events-heading' }, 'Events'), events.element),
    deleteSection(id, service, navigate));
  return () => {
    events.stop();
    clearInterval(timer);
  };
}

function instanceRow(serviceId, i) {
  return h('tr', { dataset: { serviceId, instance: i.instance_number } },
    h('th', { scope: 'row' }, h('a', { href: `#/services/${encodeURIComponent(serviceId)}/instances/${i.instance_number}` }, `#${i.instance_number}`)),
    h('td', { dataset: { field: 'status' } }, i.status),
    h('td', {}, i.node_name ?? ''),
    h('td', {}, i.cluster_name ?? ''),
    h('td', {}, percent(i.cpu)),
    h('td', {}, megabytes(i.memory)),
    h('td', {}, i.restart_count ?? 0),
    h('td', {}, time(i.started_at)),
    h('td', { class: 'detail' }, i.status_detail ?? ''));
}

function scaleForm(id, service, changed) {
  const count = h('input', { type: 'number', min: 0, max: 1000, step: 1, required: true, value: String(service.instances), name: 'instances' });
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit' }, 'Scale');
  return h('section', {},
    h('h2', { id: 'scale-heading' }, 'Scale'),
    h('form', {
      class: 'inline',
      onsubmit: async event => {
        event.preventDefault();
        button.disabled = true;
        try {
          const updated = await request('PUT', `/api/v1/services/${encodeURIComponent(id)}/scale`, { body: { instances: Number(count.value) } });
          replace(status, notice(`Scaling to ${count.value} instance${count.value === '1' ? '' : 's'}.`, 'info'));
          changed(updated);
        } catch (error) {
          replace(status, notice(error.message));
        } finally {
          button.disabled = false;
        }
      },
    }, field('Instances', count), button),
    status);
}

/** The microservice as an editable descriptor; "Update" is enabled once it differs from what is stored. */
function updateForm(id, service, changed) {
  const original = JSON.stringify(Object.fromEntries(EDITABLE.filter(k => service[k] !== undefined).map(k => [k, service[k]])), null, 2);
  const text = h('textarea', { rows: 14, spellcheck: false, name: 'microservice', class: 'code' });
  text.value = original;
  const status = h('div', { class: 'form-status' });
  const errors = h('div', { class: 'errors' });
  const button = h('button', { type: 'submit', disabled: true }, 'Update');
  text.addEventListener('input', () => { button.disabled = text.value === original; });
  return h('section', {},
    h('h2', { id: 'update-heading' }, 'Update'),
    h('form', {
      onsubmit: async event => {
        event.preventDefault();
        replace(errors);
        let patch;
        try {
          patch = JSON.parse(text.value);
        } catch (error) {
          replace(status, notice(`The microservice is not valid JSON: ${error.message}`));
          return;
        }
        button.disabled = true;
        try {
          const updated = await request('PUT', `/api/service/${encodeURIComponent(id)}`, { body: patch });
          replace(status, notice('Updated; instances whose code or settings changed are replaced one by one.', 'info'));
          changed(updated);
        } catch (error) {
          replace(status, notice(error.message));
          if (error.errors.length) replace(errors, descriptorView(patch, parseErrors(error.errors), { prefixes: ['microservice.', ''] }));
          button.disabled = false;
        }
      },
    },
    field('Microservice descriptor', text, 'The service\'s SLA fields as JSON; change them and choose Update.'),
    button),
    status,
    errors);
}

function deleteSection(id, service, navigate) {
  const status = h('div', { class: 'form-status' });
  return h('section', { class: 'danger-zone' },
    h('h2', { id: 'delete-heading' }, 'Delete'),
    h('button', {
      type: 'button',
      class: 'danger',
      onclick: async () => {
        if (!await confirmDialog(`Delete service ${service.microservice_name}?`, 'Its instances are stopped and the service is removed.', 'Delete')) return;
        try {
          await request('DELETE', `/api/service/${encodeURIComponent(id)}`);
          navigate(`/applications/${encodeURIComponent(service.applicationID)}`);
        } catch (error) {
          replace(status, notice(error.message));
        }
      },
    }, 'Delete service'),
    status);
}
