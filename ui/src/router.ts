// The router: path patterns with :placeholders, matching a location against them, and moving
// between pages with the History API. Importing it has no side effects: nothing listens until
// main.ts calls start() with the function that renders the current page. Screens import
// navigate() from here, never the entry module (main.ts); tests/ui/check-imports.mjs checks it.
//
// Example:
//   const found = match([{ path: '/glossary/:term' }], '/glossary/run%20chart');
//   // found.params.term === 'run chart'
//   navigate('/board?domain=safe');

// A screen renders into <main>, given the path's placeholders and the query string.
export interface Screen {
  (main: HTMLElement, params: Record<string, string>, query: URLSearchParams): Promise<void> | void;
}

interface Pattern {
  re: RegExp;
  keys: string[];
}
const patterns = new Map<string, Pattern>();

function compile(path: string): Pattern {
  let p = patterns.get(path);
  if (!p) {
    const keys: string[] = [];
    const re = path.replace(/:([a-z]+)/g, (_, k: string) => {
      keys.push(k);
      return '([^/]+)';
    });
    p = { re: new RegExp(`^${re}/?$`), keys };
    patterns.set(path, p);
  }
  return p;
}

// The first route whose path matches `pathname`, with its placeholders decoded; null if none.
export function match<R extends { path: string }>(
  routes: readonly R[],
  pathname: string,
): { route: R; params: Record<string, string> } | null {
  for (const route of routes) {
    const { re, keys } = compile(route.path);
    const m = re.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
    return { route, params };
  }
  return null;
}

let renderPage: () => Promise<void> = async () => {};
// The page last rendered: a history step that changes only the fragment does not re-render.
let lastPage = '';

// Renders the current location (after a redirect with history.replaceState, say).
export function refresh(): Promise<void> {
  lastPage = location.pathname + location.search;
  return renderPage();
}

// Goes to `href` (a path on this site), adding a history entry unless `replace`.
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.scrollTo(0, 0);
  void refresh().then(() => document.getElementById('main-content')?.focus({ preventScroll: true }));
}

// Starts routing: same-site links and the back and forward buttons render with `render`, and the
// current location is rendered once. Call once, from the entry module.
export function start(render: () => Promise<void>): void {
  renderPage = render;
  document.addEventListener('click', (ev) => {
    const a = (ev.target as Element | null)?.closest?.('a');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('/api/') || a.hasAttribute('download') || a.target) return;
    ev.preventDefault();
    if (href.startsWith('/#') || href.startsWith('#')) return;
    navigate(href);
  });
  // In-page links (error summaries to their fields) change only the fragment: no re-render.
  window.addEventListener('popstate', () => {
    const page = location.pathname + location.search;
    if (page === lastPage && location.hash) return;
    void refresh();
  });
  void refresh();
}
