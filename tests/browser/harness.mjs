// The shared harness of the browser tests (run.sh runs every tests/browser/*.test.mjs, each in
// its own node process against the same throwaway server). playwright-core drives Debian's
// chromium (never a downloaded browser); axe-core is injected into each screen and must find no
// serious or critical WCAG 2.2 AA violations. Every screen visited is photographed at desktop
// (1280×800) and phone (390×844) widths into $SCREENSHOTS.
//
// A test file:
//   import { admin, assert, finish, test, visit } from './harness.mjs';
//   const page = await signedIn('admin@example.nhs.uk');
//   await test('what it shows', async () => { await visit(page, 'name', '/path', '#ready'); ... });
//   await finish();   // closes the browser, prints "N passed, M failed", sets the exit status
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const { BASE_URL, PASSWORD, CHROMIUM, UI_DIR, SCREENSHOTS } = process.env;
const require = createRequire(join(UI_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(SCREENSHOTS, { recursive: true });

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };
const results = [];

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, null]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, e]);
    // Playwright's message carries its call log (what the action waited for, which element was in
    // the way): keep it, up to 12 lines, and the line of the test file that failed.
    const message = String(e && e.message ? e.message : e).split('\n').slice(0, 12);
    const where = (e && e.stack ? e.stack.split('\n') : []).find((l) => l.includes('.test.mjs')) ?? '';
    console.log(`FAIL ${name}: ${[...message, where.trim()].filter(Boolean).join('\n     ')}`);
  }
}

export const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

export async function newPage(viewport = desktop) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  return page;
}

export async function signIn(page, email) {
  await page.goto(`${BASE_URL}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.click('#sign-in')]);
}

// A new page signed in as `email` (run.sh creates admin@, lead@, viewer@ and submitter@).
export async function signedIn(email) {
  const page = await newPage();
  await signIn(page, email);
  return page;
}

export async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert(
    bad.length === 0,
    `${label}: axe found ${bad.length} serious/critical violations:\n` +
      bad.map((v) => `  ${v.id} (${v.impact}): ${v.help} – ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n'),
  );
}

// Visit a screen at both widths: wait for it, check accessibility, take screenshots.
const screens = [];
export async function visit(page, name, path, ready) {
  for (const [size, vp] of [['desktop', desktop], ['phone', phone]]) {
    await page.setViewportSize(vp);
    await page.goto(`${BASE_URL}${path}`);
    await page.waitForSelector(ready, { state: 'attached' });
    await page.waitForFunction(() => !document.querySelector('[role=status]')?.textContent?.startsWith('Loading'), null, { timeout: 15000 }).catch(() => {});
    await page.waitForTimeout(150);
    if (size === 'desktop') await axe(page, name);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  screens.push(name);
  await page.setViewportSize(desktop);
  assert(page.errors.length === 0, `script errors on ${name}: ${page.errors.join('; ')}`);
}

// Ends a test file: closes the browser, prints the summary run.sh adds up, sets the exit status.
export async function finish() {
  await browser.close();
  const failed = results.filter(([, e]) => e).length;
  if (screens.length) console.log(`screens photographed at 1280×800 and 390×844: ${screens.join(', ')}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
