import { h, replace, notice, statusBadge, debounce, dataTable } from '../dom.js';
import { get, request } from '../api.js';
import { liveEvents } from '../event-list.js';
import { confirmDialog } from '../confirm.js';

/** Instances by status, e.g. "2 RUNNING, 1 DEAD". */
function statusCounts(instances) {
  const counts = new Map();
  for (const i of instances) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no instances';
}

/** The caller's applications with how their instances are, live. */
export async function renderApplications(page) {
  const body = h('div');
  const load = async () => {
    const [applications, instances] = await Promise.all([get('/api/applications/'), get('/api/v1/instances').catch(() => [])]);
    if (applications.length === 0) {
      replace(body, h('p', {}, 'No applications yet.'));
      return;
    }
    replace(body, dataTable('Applications', ['Application', 'Namespace', 'Services', 'Instances', 'Description'],
      applications.map(a => h('tr', { dataset: { applicationId: a.applicationID } },
        h('th', { scope: 'row' }, h('a', { href: `#/applications/${encodeURIComponent(a.applicationID)}` }, a.application_name)),
        h('td', {}, a.application_namespace),
        h('td', {}, a.microservices.length),
        h('td', {}, statusCounts(instances.filter(i => i.applicationID === a.applicationID))),
        h('td', {}, a.application_desc ?? '')))));
  };
  await load();
  const refresh = debounce(() => load().catch(() => {}), 400);
  const events = liveEvents({ kind: 'instance' }, { onEvent: refresh, limit: 1 });
  replace(page, h('h1', {}, 'Applications'), h('p', {}, h('a', { href: '#/deploy', class: 'button' }, 'New application')), body,
    h('details', { class: 'stream' }, h('summary', {}, 'Latest instance events'), events.element));
  return events.stop;
}

/** One application: its services with their instances' status, live; delete it. */
export async function renderApplication(page, [id], { navigate }) {
  const application = await get(`/api/application/${encodeURIComponent(id)}`);
  const body = h('div');
  const load = async () => {
    const services = await get(`/api/services/${encodeURIComponent(id)}`);
    replace(body, services.length === 0 ? h('p', {}, 'This application has no services.') : dataTable('Services', ['Service', 'Runtime', 'Code', 'Wanted', 'Status', 'Instances'],
      services.map(s => h('tr', { dataset: { serviceId: s.microserviceID } },
        h('th', { scope: 'row' }, h('a', { href: `#/services/${encodeURIComponent(s.microserviceID)}` }, s.microservice_name)),
        h('td', {}, s.virtualization),
        h('td', { class: 'code' }, s.code),
        h('td', {}, s.instances),
        h('td', { dataset: { field: 'status' } }, statusBadge(s.status)),
        h('td', {}, statusCounts(s.instance_list))))));
  };
  await load();
  const refresh = debounce(() => load().catch(() => {}), 300);
  const events = liveEvents({ application: id }, { onEvent: refresh });
  const status = h('div', { class: 'form-status' });
  const remove = h('button', {
    type: 'button',
    class: 'danger',
    onclick: async () => {
      if (!await confirmDialog(`Delete application ${application.application_name}?`,
        'Every instance of its services is stopped and the application is removed.', 'Delete')) return;
      try {
        await request('DELETE', `/api/application/${encodeURIComponent(id)}`);
        navigate('/applications');
      } catch (error) {
        replace(status, notice(error.message));
      }
    },
  }, 'Delete application');

  replace(page,
    h('h1', {}, `Application ${application.application_name}`),
    h('p', { class: 'muted' }, `${application.application_namespace} · ${application.applicationID}`, application.application_desc ? ` · ${application.application_desc}` : ''),
    h('section', {}, h('h2', { id: 'services-heading' }, 'Services'), body),
    h('section', {}, h('h2', { id: 'events-heading' }, 'Events'), events.element),
    h('section', { class: 'danger-zone' }, h('h2', { id: 'danger-heading' }, 'Delete'), remove, status));
  return events.stop;
}
