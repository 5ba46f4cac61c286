import { h, replace, notice, statusBadge, percent, megabytes, time, debounce, fact } from '../dom.js';
import { get } from '../api.js';
import { liveEvents } from '../event-list.js';

const LOG_LINES = 200;
const LOG_REFRESH_MS = 5000;

/** One instance: where and how it runs, its events (live) and the tail of its output (refreshed while shown). */
export async function renderInstance(page, [id, numberText]) {
  const number = Number(numberText);
  const path = `/api/v1/services/${encodeURIComponent(id)}/instances/${number}`;
  const service = await get(`/api/service/${encodeURIComponent(id)}`);
  let instance = await get(path);

  const facts = h('dl', { class: 'facts' });
  const show = () => replace(facts,
    fact('Status', h('span', { dataset: { field: 'status' } }, instance.status)),
    instance.status_detail ? fact('Detail', instance.status_detail) : null,
    fact('Node', instance.node_name ?? '–'),
    fact('Cluster', instance.cluster_name ?? '–'),
    fact('Address', instance.instance_ip ?? '–'),
    instance.host_port ? fact('Host port', instance.host_port) : null,
    fact('CPU', percent(instance.cpu)),
    fact('Memory', megabytes(instance.memory)),
    fact('Restarts', instance.restart_count ?? 0),
    instance.exit_code !== undefined && instance.exit_code !== null ? fact('Last exit code', instance.exit_code) : null,
    fact('Started', time(instance.started_at) || '–'));
  show();

  const reload = debounce(async () => {
    try {
      instance = await get(path);
      show();
    } catch (error) {
      if (error.status === 404) replace(facts, notice('This instance no longer exists.', 'info'));
    }
  }, 250);

  // The instance's own story as the root keeps it (also before the fleet event stream existed).
  const history = h('ol', { class: 'history' }, instance.events.slice().reverse().map(e =>
    h('li', {}, time(e.time), ' ', statusBadge(e.status), ' ', e.detail ?? '', e.node ? ` (${e.node})` : '')));

  const log = h('pre', { class: 'log', tabindex: 0, 'aria-label': 'Log tail' }, 'Loading…');
  const logState = h('p', { class: 'muted', role: 'status' });
  const refreshLogs = debounce(async () => {
    try {
      const answer = await get(`/api/v1/services/${encodeURIComponent(id)}/logs?instance=${number}&tail=${LOG_LINES}`);
      const mine = answer.instances.find(i => i.instance_number === number);
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      log.textContent = mine?.error ? `(${mine.error})` : (mine?.text || '(no output yet)');
      if (atBottom) log.scrollTop = log.scrollHeight;
      replace(logState, `Last ${LOG_LINES} lines, read `, time(new Date().toISOString()), '.');
    } catch (error) {
      replace(logState, notice(`The log could not be read: ${error.message}`));
    }
  }, 100);
  refreshLogs();
  const timer = setInterval(refreshLogs, LOG_REFRESH_MS);

  const events = liveEvents({ service: id }, {
    accept: e => e.instanceNumber === undefined || e.instanceNumber === null || Number(e.instanceNumber) === number,
    onEvent: () => {
      reload();
      refreshLogs();
    },
  });

  replace(page,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' },
      h('a', { href: `#/applications/${encodeURIComponent(service.applicationID)}` }, service.app_name || service.application_name), ' › ',
      h('a', { href: `#/services/${encodeURIComponent(id)}` }, service.microservice_name), ' › ',
      `instance ${number}`),
    h('h1', {}, `Instance ${number} of ${service.microservice_name}`),
    facts,
    h('section', {}, h('h2', { id: 'events-heading' }, 'Events'), events.element),
    h('section', {}, h('h2', { id: 'log-heading' }, 'Log tail'), logState, log),
    h('details', { class: 'history-frame' }, h('summary', {}, 'Instance history'), history));
  return () => {
    events.stop();
    clearInterval(timer);
  };
}
