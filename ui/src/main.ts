// Shewhart's web front end, the entry module: the page frame (NHS header, menu, account) and the
// session, around the screens of registry.ts, routed by router.ts. Nothing imports this module:
// screens import the router, the API client and the helpers (tests/ui/check-imports.mjs).
import 'nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css';
import './style.css';
import { account, ApiError, get, request, roleNames, setSession, type Session } from './api';
import { esc } from './dom';
import { screens } from './registry';
import { match, navigate, refresh, start } from './router';

// The menu: the screens that name a menu entry, in registry order, grouped in their sections.
const navItems = screens.filter((s) => s.menu).map((s) => ({ key: s.nav, href: s.path, text: s.menu!, section: s.section ?? s.menu! }));
const sectionOrder = ['Oversight', 'Act', 'Improve', 'Learn', 'Measures', 'Data'];
const sections = [...new Set(navItems.map((i) => i.section))]
  .sort((a, b) => (sectionOrder.indexOf(a) + 1 || 99) - (sectionOrder.indexOf(b) + 1 || 99))
  .map((name) => ({ name, items: navItems.filter((i) => i.section === name) }));

const logo = `<svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" aria-hidden="true"><path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"/></svg>`;

function frame(nav: string): string {
  const acc = account
    ? `<nav class="nhsuk-header__account" aria-label="Account"><ul class="nhsuk-header__account-list">
        <li class="nhsuk-header__account-item"><span class="app-account">${esc(account.email)} <span class="app-role">(${esc(roleNames[account.role])}${account.organisation ? `, ${esc(account.organisation)}` : ''})</span></span></li>
        <li class="nhsuk-header__account-item"><button class="nhsuk-header__account-button" id="sign-out" type="button">Sign out</button></li>
      </ul></nav>`
    : '';
  const current = sections.find((sec) => sec.items.some((i) => i.key === nav));
  const item = (href: string, text: string, cur: boolean) =>
    `<li class="nhsuk-header__navigation-item${cur ? ' nhsuk-header__navigation-item--current' : ''}"><a class="nhsuk-header__navigation-link" href="${href}"${cur ? ' aria-current="true"' : ''}>${cur ? `<strong class="nhsuk-header__navigation-item-current-fallback">${text}</strong>` : text}</a></li>`;
  const menu = account
    ? `<nav class="nhsuk-header__navigation" aria-label="Menu"><div class="nhsuk-header__navigation-container nhsuk-width-container"><ul class="nhsuk-header__navigation-list">
      ${sections.map((sec) => item(sec.items[0].href, sec.name, sec === current)).join('')}</ul></div></nav>
      ${current && current.items.length > 1 ? `<nav class="app-subnav" aria-label="${esc(current.name)}"><ul class="app-subnav__list nhsuk-width-container">${current.items
        .map((i) => `<li class="app-subnav__item"><a class="app-subnav__link" href="${i.href}"${i.key === nav ? ' aria-current="page"' : ''}>${i.text}</a></li>`)
        .join('')}</ul></nav>` : ''}`
    : '';
  return `<header class="nhsuk-header" role="banner"><div class="nhsuk-header__container nhsuk-width-container">
    <div class="nhsuk-header__service"><a class="nhsuk-header__service-logo" href="/board" aria-label="NHS Shewhart quality oversight homepage">${logo}<span class="nhsuk-header__service-name">Shewhart quality oversight</span></a></div>
    ${acc}</div>${menu}</header>
  <div class="nhsuk-width-container app-width"><main class="nhsuk-main-wrapper nhsuk-main-wrapper--s" id="main-content" role="main" tabindex="-1"></main></div>
  <footer role="contentinfo" class="nhsuk-footer"><div class="nhsuk-width-container nhsuk-footer__container"><p class="nhsuk-body-s app-footer">Shewhart: statistical process control for health and care, following NHS England's Making Data Count. It holds no patient-identifiable information.</p></div></footer>`;
}

let sessionChecked = false;
async function ensureSession(): Promise<void> {
  if (sessionChecked) return;
  try {
    setSession(await get<Session>('/api/session'));
  } catch {
    setSession(null);
  }
  sessionChecked = true;
}

let renderToken = 0;
async function render(): Promise<void> {
  const token = ++renderToken;
  const url = new URL(location.href);
  await ensureSession();
  let path = url.pathname;
  const found = match(screens, path);
  if (!account && !found?.route.signedOut) {
    history.replaceState(null, '', `/sign-in?next=${encodeURIComponent(path + url.search)}`);
    return refresh();
  }
  if (account && path === '/sign-in') path = '/board';
  const r = path === url.pathname ? found : match(screens, path);
  const app = document.getElementById('app')!;
  app.innerHTML = frame(r?.route.nav ?? '');
  document.getElementById('sign-out')?.addEventListener('click', signOut);
  const main = document.getElementById('main-content')!;
  if (!r) {
    document.title = 'Page not found – Shewhart';
    main.innerHTML = `<h1>Page not found</h1><p>If you typed the web address, check it is correct.</p><p><a href="/board">Go to the board summary</a></p>`;
    return;
  }
  document.title = `${r.route.title} – Shewhart`;
  main.innerHTML = `<p class="app-loading" role="status">Loading…</p>`;
  try {
    const screen = await r.route.load();
    if (token !== renderToken) return;
    await screen(main, r.params, url.searchParams);
  } catch (e) {
    if (token !== renderToken) return;
    if (e instanceof ApiError && e.status === 401) {
      setSession(null);
      sessionChecked = true;
      navigate(`/sign-in?next=${encodeURIComponent(path)}`);
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    main.innerHTML = `<h1>Sorry, there is a problem</h1><p>${esc(msg)}</p><p><a href="/board">Go to the board summary</a></p>`;
  }
  const h1 = main.querySelector('h1');
  if (h1) document.title = `${h1.textContent} – Shewhart`;
}

async function signOut(): Promise<void> {
  try {
    await request('DELETE', '/api/session');
  } catch {
    /* signed out already */
  }
  setSession(null);
  navigate('/sign-in?signed_out=1');
}

// Not 'nhsuk-frontend-supported': that switches the header menu to the design system's own JavaScript
// collapsing menu, which this app does not load; without it the menu wraps on small screens.
document.body.classList.add('js-enabled');
start(render);
