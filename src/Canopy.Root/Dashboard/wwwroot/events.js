// The fleet's event stream, GET /api/v1/events?follow=true (Server-Sent Events), read with fetch and a ReadableStream
// rather than EventSource, so the bearer token goes in the Authorization header and never in a URL. The stream
// reconnects after a network error or a root restart, resuming after the last event seen (Last-Event-ID).
import { session, reauthenticate } from './api.js';

/** An EventDocument (the API writes snake_case) with the names the pages use. */
export function normalizeEvent(raw) {
  return {
    id: raw.id,
    time: raw.time,
    kind: raw.kind ?? '',
    status: raw.status ?? '',
    reason: raw.reason ?? '',
    applicationId: raw.application_id,
    applicationName: raw.application_name,
    serviceId: raw.service_id,
    serviceName: raw.service_name,
    instanceNumber: raw.instance_number,
    clusterId: raw.cluster_id,
    clusterName: raw.cluster_name,
    nodeId: raw.node_id,
    nodeName: raw.node_name,
  };
}

/**
 * Follows the events matching `filter` ({service, application, node, cluster, kind}) and calls onEvent(event) for
 * each, oldest first (the backlog of `limit` first). onState('live' | 'connecting' | 'unavailable', detail) tells the
 * page how the stream is. Returns a function that stops it.
 */
export function followEvents(filter, onEvent, onState = () => {}, limit = 50) {
  const controller = new AbortController();
  let lastId = null;
  let delay = 500;

  const run = async () => {
    while (!controller.signal.aborted) {
      onState('connecting');
      try {
        const query = new URLSearchParams({ follow: 'true', limit: String(limit) });
        for (const [key, value] of Object.entries(filter ?? {})) {
          if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
        }
        const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.token}` };
        if (lastId !== null) headers['Last-Event-ID'] = String(lastId);
        const response = await fetch(`/api/v1/events?${query}`, { headers, signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) {
          await reauthenticate();
          continue;
        }
        if (!response.ok || !response.body) {
          // 404 until the root has the events API: the page still works by its own refreshes.
          onState('unavailable', `The event stream answered ${response.status}.`);
          await pause(response.status === 404 ? 30000 : delay, controller.signal);
          delay = Math.min(delay * 2, 15000);
          continue;
        }
        onState('live');
        delay = 500;
        await readStream(response.body, message => {
          if (message.id) lastId = message.id;
          if (!message.data) return;
          try {
            onEvent(normalizeEvent(JSON.parse(message.data)));
          } catch (error) {
            console.warn('An event could not be read', error, message.data);
          }
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        onState('unavailable', error.message);
      }
      await pause(delay, controller.signal);
      delay = Math.min(delay * 2, 15000);
    }
  };
  run();
  return () => controller.abort();
}

/** Parses text/event-stream: fields of one message end at a blank line; comment lines (": keep-alive") are ignored. */
async function readStream(body, onMessage) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let message = { data: '' };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (message.data || message.id) onMessage(message);
          message = { data: '' };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'data') message.data += (message.data ? '\n' : '') + text;
          else if (name === 'id') message.id = text;
          else if (name === 'event') message.event = text;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function pause(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
