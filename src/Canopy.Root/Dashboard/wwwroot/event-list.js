// The list of fleet events a page shows, newest first, fed by the event stream; each entry carries its id, kind and
// status as data attributes so a reader (and a test) finds a given event without parsing its text.
import { h, time, statusBadge } from './dom.js';
import { followEvents } from './events.js';

const MAX_ENTRIES = 200;

/**
 * Follows the events matching `filter`, shows those `accept(event)` keeps, and tells `onEvent` about each (after it is
 * shown). Returns {element, stop}.
 */
export function liveEvents(filter, { accept = () => true, onEvent = () => {}, limit = 50, empty = 'No events yet.' } = {}) {
  const list = h('ol', { 'aria-label': 'Events', class: 'events' });
  const none = h('p', { class: 'muted' }, empty);
  const state = h('p', { class: 'stream-state muted', role: 'status' }, 'Connecting to the event stream…');
  const seen = new Set();
  const stop = followEvents(filter, event => {
    if (seen.has(event.id) || !accept(event)) return;
    seen.add(event.id);
    none.remove();
    list.prepend(entry(event));
    while (list.children.length > MAX_ENTRIES) list.lastElementChild.remove();
    onEvent(event);
  }, (status, detail) => {
    state.textContent = status === 'live'
      ? 'Live: changes appear as they happen.'
      : status === 'connecting' ? 'Connecting to the event stream…' : `The event stream is not available (${detail ?? 'no answer'}); retrying.`;
    state.dataset.state = status;
  }, limit);
  return { element: h('div', { class: 'event-list' }, state, none, list), stop };
}

function entry(event) {
  const subject = [
    event.applicationName,
    event.serviceName,
    event.instanceNumber !== undefined && event.instanceNumber !== null ? `instance ${event.instanceNumber}` : null,
    event.kind === 'node' || event.kind === 'placement' ? event.nodeName : null,
    event.kind === 'cluster' || event.kind === 'placement' || event.kind === 'node' ? event.clusterName : null,
  ].filter(Boolean).join(' · ');
  const link = event.serviceId
    ? h('a', { href: event.instanceNumber !== undefined && event.instanceNumber !== null
      ? `#/services/${encodeURIComponent(event.serviceId)}/instances/${event.instanceNumber}`
      : `#/services/${encodeURIComponent(event.serviceId)}` }, subject || event.serviceId)
    : subject;
  return h('li', { dataset: { eventId: event.id, kind: event.kind, status: event.status } },
    time(event.time), ' ',
    h('span', { class: 'kind' }, event.kind), ' ',
    statusBadge(event.status), ' ',
    link,
    event.reason ? h('span', { class: 'reason' }, ` — ${event.reason}`) : null);
}
