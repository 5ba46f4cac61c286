// The public API, called with the bearer token the user got at login (kept in sessionStorage, so it ends with the tab).
// A 401 on a logged-in session means the token expired or was revoked: a dialog asks to log in again over the page
// (nothing on the page is re-rendered, so typed text stays) and the request is sent again.
import { h, field, notice, replace } from './dom.js';

const TOKEN_KEY = 'canopy.token';
const USER_KEY = 'canopy.user';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The API answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get username() { return sessionStorage.getItem(USER_KEY) ?? ''; },
  get claims() { return decodeClaims(this.token); },
  get roles() {
    const roles = this.claims.roles ?? [];
    return Array.isArray(roles) ? roles : [roles];
  },
  /** Roles that may see nodes and manage join tokens (the API's infrastructure policy). */
  get seesInfrastructure() { return this.roles.some(r => r === 'Admin' || r === 'Infrastructure_Provider'); },
  store(username, token) {
    sessionStorage.setItem(USER_KEY, username);
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

function decodeClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload), c => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/** POST /api/auth/login; stores the token on success, throws an ApiError naming what was wrong otherwise. */
export async function logIn(username, password) {
  const response = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, body);
  session.store(username, body.token);
  return body;
}

export function logOut() {
  session.clear();
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/**
 * Sends a request with the bearer token. `body` is sent as JSON unless `contentType` says otherwise (then as text).
 * Answers the parsed body; throws ApiError for every error status (problem+json's detail and errors kept).
 */
export async function request(method, path, { body, contentType, signal } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: 'application/json' };
    if (session.token) headers.Authorization = `Bearer ${session.token}`;
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      payload = contentType ? body : JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, signal });
    if (response.status === 401 && attempt === 0) {
      await reauthenticate();
      continue;
    }
    const parsed = await readBody(response);
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }
}

export const get = (path, options) => request('GET', path, options);

// ---- the "Log in again" dialog ----

let pending = null;

/** Resolves once the user logged in again (one dialog for every request that met the 401). */
export function reauthenticate() {
  pending ??= new Promise(resolve => showRelogin(() => {
    pending = null;
    resolve();
  }));
  return pending;
}

function showRelogin(done) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, value: session.username });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'dialog-status' });
  const dialog = h('dialog', { 'aria-label': 'Log in again', class: 'relogin' });
  const form = h('form', {
    onsubmit: async event => {
      event.preventDefault();
      try {
        await logIn(username.value.trim(), password.value);
        dialog.close();
        dialog.remove();
        done();
      } catch (error) {
        replace(status, notice(error.message));
        password.select();
      }
    },
  },
  h('h2', {}, 'Your session ended'),
  h('p', {}, 'Log in again to go on; what you typed on the page is kept.'),
  field('Username', username),
  field('Password', password),
  status,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Log in')));
  dialog.append(form);
  // The page below must not be used with a dead session: Escape does not close this dialog.
  dialog.addEventListener('cancel', event => event.preventDefault());
  document.body.append(dialog);
  dialog.showModal();
  (username.value ? password : username).focus();
}
