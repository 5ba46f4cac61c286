import { h, field, notice, replace } from '../dom.js';
import { logIn } from '../api.js';

/** The login page: the API's own login (POST /api/auth/login); the token lives in this tab's sessionStorage. */
export function renderLogin(main, loggedIn) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', {
    class: 'login card',
    onsubmit: async event => {
      event.preventDefault();
      button.disabled = true;
      try {
        await logIn(username.value.trim(), password.value);
        loggedIn();
      } catch (error) {
        replace(status, notice(error.status === 401 ? 'Wrong username or password.' : error.message));
        password.select();
      } finally {
        button.disabled = false;
      }
    },
  },
  field('Username', username),
  field('Password', password),
  status,
  h('div', { class: 'actions' }, button));
  replace(main, h('div', { class: 'page login-page' },
    h('h1', {}, 'Log in'),
    h('p', {}, 'Log in with your Canopy account (the same as for the CLI: canopy login).'),
    form));
  username.focus();
  return null;
}
