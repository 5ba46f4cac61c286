import { h, replace, notice, percent, megabytes, time, debounce, dataTable } from '../dom.js';
import { get, session } from '../api.js';
import { clusterMap, parseLocation } from '../map.js';
import { liveEvents } from '../event-list.js';

const SKEW_TOLERANCE_SECONDS = 2;

/** Clusters on a map and in a table, nodes with their load and clock, and the fleet's latest events, all kept live. */
export async function renderOverview(page) {
  const clustersSection = h('section', {});
  const nodesSection = h('section', {});
  const summary = h('section', { class: 'summary' });

  const load = async () => {
    const [clusters, nodes, instances] = await Promise.allSettled([
      get('/api/clusters/'),
      session.seesInfrastructure ? get('/api/v1/nodes') : Promise.resolve(null),
      get('/api/v1/instances'),
    ]);
    renderSummary(summary, instances);
    renderClusters(clustersSection, clusters);
    renderNodes(nodesSection, nodes);
  };
  await load();

  const refresh = debounce(() => load().catch(() => {}), 400);
  const events = liveEvents({}, { onEvent: refresh, empty: 'No events yet: deploy something or join a node.' });
  // Load changes without an event (cpu, memory): refreshed every 15 s while the page is open.
  const timer = setInterval(refresh, 15000);

  replace(page,
    h('h1', {}, 'Overview'),
    summary,
    clustersSection,
    nodesSection,
    h('section', {}, h('h2', { id: 'events-heading' }, 'Recent events'), events.element));
  return () => {
    events.stop();
    clearInterval(timer);
    refresh.cancel();
  };
}

function renderSummary(section, result) {
  const content = [h('h2', { id: 'summary-heading' }, 'Instances')];
  if (result.status === 'rejected') {
    content.push(h('p', { class: 'muted' }, result.reason.status === 403 ? 'Your roles do not run applications.' : result.reason.message));
  } else {
    const counts = new Map();
    for (const instance of result.value) counts.set(instance.status, (counts.get(instance.status) ?? 0) + 1);
    content.push(result.value.length === 0
      ? h('p', {}, 'No instances run yet.')
      : h('ul', { class: 'counts' }, [...counts].sort().map(([status, n]) =>
        h('li', { dataset: { status } }, h('span', { class: 'count' }, n), ' ', status))));
  }
  replace(section, content);
}

function skewWarning(seconds, whose) {
  if (seconds === undefined || seconds === null || Math.abs(seconds) <= SKEW_TOLERANCE_SECONDS) return null;
  const text = `${Math.abs(seconds).toFixed(1)} s ${seconds > 0 ? 'ahead of' : 'behind'} ${whose}`;
  return h('span', { class: 'warning', title: 'Set this machine\'s clock (NTP); reported times are corrected meanwhile.' }, `⚠ clock ${text}`);
}

function renderClusters(section, result) {
  const content = [h('h2', { id: 'clusters-heading' }, 'Clusters')];
  if (result.status === 'rejected') {
    content.push(notice(result.reason.message));
    replace(section, content);
    return;
  }
  const clusters = result.value;
  const located = clusters.map(c => ({ c, at: parseLocation(c.cluster_location) })).filter(x => x.at);
  content.push(h('figure', { class: 'map-frame' },
    clusterMap(located.map(({ c, at }) => ({ name: c.cluster_name, active: c.active, ...at, detail: `${c.active_nodes ?? 0} active nodes` }))),
    h('figcaption', {}, located.length === clusters.length
      ? `${clusters.length} cluster${clusters.length === 1 ? '' : 's'} by location.`
      : `${located.length} of ${clusters.length} clusters have a location; the table lists all.`)));
  if (clusters.length === 0) {
    content.push(h('p', {}, 'No cluster has registered yet.'));
  } else {
    content.push(dataTable('Clusters', ['Cluster', 'State', 'Location', 'Active nodes', 'CPU', 'Memory', 'Last seen', 'Clock'],
      clusters.map(c => h('tr', { dataset: { clusterId: c._id } },
        h('th', { scope: 'row' }, c.cluster_name),
        h('td', { dataset: { field: 'state' } }, h('span', { class: ['badge', c.active ? 'status-active' : 'status-inactive'] }, c.active ? 'active' : 'inactive')),
        h('td', {}, c.cluster_location || 'unknown'),
        h('td', {}, c.active_nodes ?? 0),
        h('td', {}, `${percent(c.cpu_percent)} of ${c.vcpus ?? 0} vCPU`),
        h('td', {}, `${percent(c.memory_percent)} used, ${megabytes(c.memory)} free`),
        h('td', {}, time(c.last_seen)),
        h('td', {}, skewWarning(c.clock_skew_seconds, 'the root') ?? 'ok')))));
  }
  replace(section, content);
}

function renderNodes(section, result) {
  const content = [h('h2', { id: 'nodes-heading' }, 'Nodes')];
  if (result.status === 'rejected') {
    content.push(notice(result.reason.message));
  } else if (result.value === null) {
    content.push(h('p', { class: 'muted' }, 'Nodes are shown to Admins and Infrastructure providers.'));
  } else if (result.value.length === 0) {
    content.push(h('p', {}, 'No worker node has joined a connected cluster yet.'));
  } else {
    content.push(dataTable('Nodes', ['Node', 'Cluster', 'State', 'CPU', 'Memory', 'Instances', 'Runtimes', 'Clock'],
      result.value.map(n => h('tr', { dataset: { nodeId: n.id } },
        h('th', { scope: 'row' }, n.name),
        h('td', {}, n.cluster_name ?? ''),
        h('td', { dataset: { field: 'state' } }, h('span', { class: ['badge', n.active ? 'status-active' : 'status-inactive'] }, n.active ? 'active' : 'inactive')),
        h('td', {}, h('meter', { min: 0, max: 100, value: n.cpu_percent ?? 0, 'aria-label': `CPU of ${n.name}` }), ` ${percent(n.cpu_percent)} of ${n.vcpus ?? 0} vCPU`),
        h('td', {}, h('meter', { min: 0, max: 100, value: n.memory_percent ?? 0, 'aria-label': `Memory of ${n.name}` }),
          ` ${megabytes((n.memory_total ?? 0) - (n.memory ?? 0))} of ${megabytes(n.memory_total)}`),
        h('td', {}, n.instances ?? 0),
        h('td', { dataset: { field: 'runtimes' } }, runtimes(n)),
        h('td', {}, skewWarning(n.clock_skew_seconds, 'its cluster') ?? 'ok')))));
  }
  replace(section, content);
}

/** The runtimes a node can use, then each one it has but cannot use now, with the reason it reports. */
function runtimes(n) {
  const usable = n.virtualization ?? [];
  const unusable = Object.entries(n.unavailable_runtimes ?? {}).filter(([runtime]) => !usable.includes(runtime));
  return [usable.length > 0 ? usable.join(', ') : 'none',
    ...unusable.map(([runtime, why]) => h('div', { class: 'muted' }, `${runtime} unusable: ${why}`))];
}
