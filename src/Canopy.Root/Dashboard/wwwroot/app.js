// Boot and routing. Pages live behind the hash (#/applications/ID), so the root serves one document at / and every
// deep link and reload works without server routes. Each page renders into <main> and returns a function that stops
// what it started (its event stream, its timers) when the user leaves it.
import { session, logOut } from './api.js';
import { replace, notice, h } from './dom.js';
import { renderLogin } from './pages/login.js';
import { renderOverview } from './pages/overview.js';
import { renderApplications, renderApplication } from './pages/applications.js';
import { renderService } from './pages/service.js';
import { renderInstance } from './pages/instance.js';
import { renderDeploy } from './pages/deploy.js';
import { renderTokens } from './pages/tokens.js';

const routes = [
  [/^\/$/, renderOverview, 'Overview'],
  [/^\/applications$/, renderApplications, 'Applications'],
  [/^\/applications\/([^/]+)$/, renderApplication, 'Applications'],
  [/^\/services\/([^/]+)$/, renderService, 'Applications'],
  [/^\/services\/([^/]+)\/instances\/(\d+)$/, renderInstance, 'Applications'],
  [/^\/deploy$/, renderDeploy, 'Deploy'],
  [/^\/tokens$/, renderTokens, 'Join tokens'],
];

const main = document.getElementById('main');
let leave = null;
let generation = 0;

export function navigate(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = `#${path}`;
}

function currentPath() {
  const hash = location.hash;
  return hash.startsWith('#/') ? decodeURI(hash.slice(1)) : '/';
}

async function route({ focus = true } = {}) {
  leave?.();
  leave = null;
  const mine = ++generation;
  // Where the focus was when the user asked for this page: if they move it while the page loads (a keyboard user
  // tabbing on to the next link), the finished page must not pull it back to <main>.
  const focusedAtStart = document.activeElement;
  chrome();
  if (!session.token) {
    document.title = 'Log in · Canopy';
    leave = renderLogin(main, () => route());
    return;
  }

  const path = currentPath();
  const match = routes.map(([pattern, render, section]) => [pattern.exec(path), render, section]).find(([m]) => m);
  for (const link of document.querySelectorAll('#nav a')) {
    link.toggleAttribute('aria-current', false);
    if (match && link.textContent === match[2]) link.setAttribute('aria-current', 'page');
  }
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), notice(`There is no page at ${path}.`), h('p', {}, h('a', { href: '#/' }, 'Go to the overview')));
    return;
  }

  // Each page renders into a container of its own, shown once it has its first data: a slow page the user already
  // left never writes over the next one.
  const [m, render] = match;
  const page = h('div', { class: 'page' });
  try {
    const cleanup = await render(page, m.slice(1).map(decodeURIComponent), { navigate });
    if (mine !== generation) cleanup?.();
    else leave = cleanup ?? null;
  } catch (error) {
    replace(page, h('h1', {}, 'Something went wrong'), notice(error.message));
  }
  if (mine === generation) replace(main, page);
  if (mine === generation) {
    const heading = main.querySelector('h1');
    document.title = `${heading?.textContent ?? 'Canopy'} · Canopy`;
    const focusMoved = document.activeElement !== focusedAtStart && document.activeElement !== document.body && !main.contains(document.activeElement);
    if (focus && !focusMoved) main.focus({ preventScroll: false });
  }
}

/** Header: navigation and who is logged in, only with a session; Join tokens only for roles that may issue them. */
function chrome() {
  const loggedIn = Boolean(session.token);
  document.getElementById('nav').hidden = !loggedIn;
  document.getElementById('who').hidden = !loggedIn;
  document.getElementById('nav-tokens').hidden = !session.seesInfrastructure;
  document.getElementById('who-name').textContent = loggedIn ? session.username : '';
}

document.getElementById('logout').addEventListener('click', () => {
  logOut();
  navigate('/');
});

// The skip link must not change the route (the hash is the route): it moves focus to the content instead.
document.getElementById('skip').addEventListener('click', event => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) route();
});
route({ focus: false });
