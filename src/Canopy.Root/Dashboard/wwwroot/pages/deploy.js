import { h, replace, notice, field } from '../dom.js';
import { get, request, ApiError } from '../api.js';
import { descriptorView, parseErrors } from '../descriptor-view.js';

/** JSON when it starts like JSON; YAML otherwise (the API reads both: application/json or application/yaml). */
function formatOf(text) {
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/** Deploy an SLA v2.0 descriptor pasted or uploaded, JSON or YAML; the API's errors are shown at the fields they name. */
export async function renderDeploy(page, _params, { navigate }) {
  const text = h('textarea', { rows: 18, spellcheck: false, required: true, name: 'descriptor', class: 'code', placeholder: 'sla_version: v2.0\ncustomerID: Admin\napplications:\n  - application_name: hello\n    …' });
  const file = h('input', { type: 'file', accept: '.json,.yaml,.yml,application/json,application/yaml,text/yaml' });
  const start = h('input', { type: 'checkbox', checked: true, name: 'start', id: 'start-instances' });
  const status = h('div', { class: 'form-status' });
  const errors = h('div', { class: 'errors' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Deploy');

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    text.value = await chosen.text();
    replace(status, notice(`Read ${chosen.name} (${formatOf(text.value).toUpperCase()}); choose Deploy to send it.`, 'info'));
    replace(errors);
  });

  const form = h('form', {
    onsubmit: async event => {
      event.preventDefault();
      replace(errors);
      replace(status, h('p', { role: 'status' }, 'Deploying…'));
      button.disabled = true;
      try {
        await deploy(text.value, start.checked, status, errors, navigate);
      } finally {
        button.disabled = false;
      }
    },
  },
  field('Descriptor', text, 'Paste an SLA v2.0 descriptor, JSON or YAML, or upload a file below.'),
  field('Upload descriptor', file),
  h('div', { class: 'field checkbox' }, start, h('label', { for: start.id }, 'Start one instance per service (or its instances count)')),
  h('div', { class: 'actions' }, button));

  replace(page,
    h('h1', {}, 'Deploy'),
    h('p', {}, 'The descriptor goes to the API as it is (POST /api/application/); nothing is stored when it has errors.'),
    form,
    status,
    errors);
  return null;
}

async function deploy(descriptor, startInstances, status, errors, navigate) {
  const format = formatOf(descriptor);
  const before = new Set((await get('/api/applications/')).map(a => a.applicationID));
  let applications;
  try {
    applications = await request('POST', '/api/application/', {
      body: descriptor,
      contentType: format === 'json' ? 'application/json' : 'application/yaml',
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    replace(status, notice(`Not deployed: ${error.message}`));
    await showErrors(descriptor, format, error, errors);
    return;
  }

  const created = applications.filter(a => !before.has(a.applicationID));
  const warnings = created.flatMap(a => a.warnings ?? []);
  if (startInstances) {
    for (const serviceId of created.flatMap(a => a.microservices)) {
      const service = await get(`/api/service/${encodeURIComponent(serviceId)}`);
      for (let i = service.instance_list.length; i < Math.max(1, service.instances); i++) {
        await request('POST', `/api/service/${encodeURIComponent(serviceId)}/instance`);
      }
    }
  }
  replace(status,
    notice(`Deployed ${created.map(a => a.application_name).join(', ') || 'nothing new'}.`, 'info'),
    warnings.length ? h('ul', { class: 'warnings' }, warnings.map(w => h('li', {}, w))) : null);
  if (created.length === 1) navigate(`/applications/${encodeURIComponent(created[0].applicationID)}`);
  else navigate('/applications');
}

/** The descriptor as the API read it (YAML converted by the API itself), with every error at its path. */
async function showErrors(descriptor, format, error, errors) {
  const problems = parseErrors(error.errors.length ? error.errors : [error.message]);
  let tree;
  try {
    tree = format === 'json'
      ? JSON.parse(descriptor)
      : await request('POST', '/api/v1/descriptors/json', { body: descriptor, contentType: 'application/yaml' });
  } catch {
    // Not even readable: the errors (which say where it broke) are all there is to show.
    replace(errors, h('section', { class: 'descriptor-view' }, h('h2', {}, 'Errors'),
      problems.map(p => h('p', { class: 'field-error', dataset: { path: p.path } }, p.path ? `${p.path}: ${p.message}` : p.message))));
    return;
  }
  replace(errors, descriptorView(tree, problems));
}
