import { h, replace, notice, time, field, dataTable } from '../dom.js';
import { get, request, session } from '../api.js';
import { confirmDialog } from '../confirm.js';

/** Join tokens: the root's cluster tokens and each connected cluster's node tokens; issue (the secret is shown once) and revoke. */
export async function renderTokens(page) {
  if (!session.seesInfrastructure) {
    replace(page, h('h1', {}, 'Join tokens'), notice('Join tokens are managed by Admins and Infrastructure providers; your roles do not include them.', 'info'));
    return null;
  }

  const clusters = await get('/api/clusters/');
  const clusterTokens = tokenSection({
    id: 'cluster-tokens',
    title: 'Cluster join tokens',
    intro: 'A new cluster registers at the root with one of these (canopy cluster --join-token …).',
    listPath: '/api/v1/tokens/clusters',
    createLabel: 'Create cluster token',
  });
  const nodeSections = clusters.filter(c => c.active).map(c => tokenSection({
    id: `node-tokens-${c._id}`,
    title: `Node join tokens of ${c.cluster_name}`,
    intro: `A new worker node joins cluster ${c.cluster_name} with one of these.`,
    listPath: `/api/v1/clusters/${encodeURIComponent(c._id)}/tokens/nodes`,
    createLabel: `Create node token for ${c.cluster_name}`,
  }));
  await Promise.all([clusterTokens, ...nodeSections].map(s => s.load()));
  replace(page,
    h('h1', {}, 'Join tokens'),
    clusterTokens.element,
    nodeSections.length ? nodeSections.map(s => s.element) : h('p', { class: 'muted' }, 'No cluster is connected: node tokens are kept at each cluster.'));
  return null;
}

function tokenSection({ id, title, intro, listPath, createLabel }) {
  const body = h('div');
  const status = h('div', { class: 'form-status' });
  const secret = h('div', { class: 'secret' });

  const load = async () => {
    try {
      const tokens = await get(listPath);
      replace(body, tokens.length === 0 ? h('p', { class: 'muted' }, 'No tokens yet.') : dataTable(title, ['Id', 'Description', 'Created', 'Expires', 'Uses', 'State', 'Actions'],
        tokens.map(t => h('tr', { dataset: { tokenId: t.id } },
          h('th', { scope: 'row', class: 'code' }, t.id),
          h('td', {}, t.description ?? ''),
          h('td', {}, time(t.created_at), t.created_by ? ` by ${t.created_by}` : ''),
          h('td', {}, t.expires_at ? time(t.expires_at) : 'never'),
          h('td', {}, `${t.uses ?? 0}${t.max_uses ? ` of ${t.max_uses}` : ''}`),
          h('td', {}, t.revoked ? 'revoked' : expired(t) ? 'expired' : 'valid'),
          h('td', {}, t.revoked ? '' : h('button', {
            type: 'button',
            class: 'danger small',
            'aria-label': `Revoke token ${t.id}`,
            onclick: async () => {
              if (!await confirmDialog(`Revoke token ${t.id}?`, 'Nothing registers with it any more; what it registered stays.', 'Revoke')) return;
              try {
                await request('DELETE', `${listPath}/${encodeURIComponent(t.id)}`);
                await load();
              } catch (error) {
                replace(status, notice(error.message));
              }
            },
          }, 'Revoke'))))));
    } catch (error) {
      replace(body, notice(error.message));
    }
  };

  const description = h('input', { name: 'description', maxlength: 200 });
  const hours = h('input', { type: 'number', min: 1, step: 1, name: 'ttl', inputmode: 'numeric' });
  const uses = h('input', { type: 'number', min: 1, step: 1, name: 'uses', inputmode: 'numeric' });
  const form = h('form', {
    class: 'token-form',
    onsubmit: async event => {
      event.preventDefault();
      replace(secret);
      try {
        const created = await request('POST', listPath, {
          body: {
            description: description.value || null,
            ttl_seconds: hours.value ? Number(hours.value) * 3600 : null,
            max_uses: uses.value ? Number(uses.value) : null,
          },
        });
        const output = h('output', { class: 'code' }, created.token);
        replace(secret,
          h('p', { role: 'status' }, `Token ${created.id} created. Copy it now: it is not shown again.`),
          output,
          h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(created.token) }, 'Copy token'));
        replace(status);
        form.reset();
        await load();
      } catch (error) {
        replace(status, notice(error.message));
      }
    },
  },
  h('div', { class: 'row' },
    field('Description', description),
    field('Expires after (hours)', hours, 'Empty: never.'),
    field('Maximum uses', uses, 'Empty: any number.')),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, createLabel)));

  const element = h('section', {},
    h('h2', { id: `${id}-heading` }, title), h('p', {}, intro), body, form, status, secret);
  return { element, load };
}

function expired(token) {
  return token.expires_at && new Date(token.expires_at) < new Date();
}
