// Measures the board summary's first meaningful paint; run by fmp.sh.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { BASE_URL, RUNS, UI_DIR } = process.env;
const { chromium } = createRequire(join(UI_DIR, 'package.json'))('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
// Sign in once; each run gets a fresh context (empty cache) holding only the session cookie.
const login = await browser.newContext();
const r = await login.request.post(`${BASE_URL}/api/session`, { data: { email: 'bench@example.nhs.uk', password: 'correct horse battery staple' } });
if (!r.ok()) throw new Error(`sign in failed: ${r.status()}`);
const storageState = await login.storageState();
await login.close();

const times = [];
for (let i = 0; i < Number(RUNS); i++) {
  const ctx = await browser.newContext({ storageState, viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  // Record the moment the board table with its icons is in the document, then the next frame
  // (when it is painted).
  await page.addInitScript(() => {
    const done = () => requestAnimationFrame(() => (window.__fmp = performance.now()));
    new MutationObserver((_, obs) => {
      if (document.querySelector('#board-table svg.mdc-icon')) {
        obs.disconnect();
        done();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${BASE_URL}/board`);
  await page.waitForFunction(() => window.__fmp !== undefined, null, { timeout: 30000 });
  const ms = await page.evaluate(() => window.__fmp);
  times.push(ms);
  console.log(`run ${i + 1}: ${ms.toFixed(0)} ms`);
  await ctx.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`board summary first meaningful paint: median ${median.toFixed(0)} ms over ${times.length} runs (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)})`);
