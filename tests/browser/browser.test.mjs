// Browser tests of Shewhart's web front end (the screens of the data platform and oversight),
// run by run.sh against a throwaway server; the harness (harness.mjs) checks accessibility and
// photographs each screen. Other parts' screens have their own *.test.mjs files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, SCREENSHOTS, assert, axe, desktop, finish, newPage, phone, signIn, test, visit } from './harness.mjs';


await test('signed out, every screen sends you to sign in', async () => {
  const page = await newPage();
  await page.goto(`${BASE_URL}/board`);
  await page.waitForSelector('#sign-in-form');
  assert(new URL(page.url()).pathname === '/sign-in', `expected /sign-in, got ${page.url()}`);
  await visit(page, 'sign-in', '/sign-in', '#sign-in-form');
  await page.context().close();
});

await test('a wrong password shows the error summary', async () => {
  const page = await newPage();
  await page.goto(`${BASE_URL}/sign-in`);
  await page.fill('#email', 'admin@example.nhs.uk');
  await page.fill('#password', 'not the password');
  await page.click('#sign-in');
  await page.waitForSelector('.nhsuk-error-summary');
  const text = await page.textContent('.nhsuk-error-summary');
  assert(/not right/.test(text), `unexpected error text: ${text}`);
  await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-error-desktop.png') });
  await page.context().close();
});

const admin = await newPage();
await test('sign in as an administrator lands on the board summary', async () => {
  await signIn(admin, 'admin@example.nhs.uk');
  await admin.waitForSelector('#board-table');
  const h1 = await admin.textContent('h1');
  assert(h1.includes('Board summary'), `h1 was ${h1}`);
  assert((await admin.textContent('.nhsuk-header')).includes('admin@example.nhs.uk'), 'account not shown');
});

await test('board: metrics × organisations with both icons, concerns first, filters', async () => {
  await visit(admin, 'board', '/board', '#board-table');
  const cells = await admin.$$eval('#board-table .app-board__link', (as) => as.map((a) => [a.querySelectorAll('svg[role=img]').length, a.textContent]));
  assert(cells.length > 20, `only ${cells.length} cells`);
  assert(cells.every(([n, t]) => n >= 1 && t.includes('Variation: ') && t.includes('Assurance: ')), 'every cell reads both icons');
  assert(cells.filter(([n]) => n === 2).length > 10, 'cells with a target show both icons');
  const titles = await admin.$$eval('#board-table svg title', (ts) => ts.map((t) => t.textContent));
  assert(titles.some((t) => t.startsWith('Variation: ')) && titles.some((t) => t.startsWith('Assurance: ')), 'icons need text alternatives');
  // Concerns first: the first row has at least as many concern cells as the last.
  const concernByRow = await admin.$$eval('#board-table tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('.app-board__cell--concern').length));
  assert(concernByRow[0] >= concernByRow[concernByRow.length - 1] && concernByRow[0] > 0, `concern cells by row: ${concernByRow}`);
  const allNames = await admin.$$eval('#board-table tbody th', (ths) => ths.length);
  await admin.selectOption('#f-domain', 'safe');
  await admin.click('#board-filters button[type=submit]');
  await admin.waitForURL(/domain=safe/);
  await admin.waitForSelector('#board-table');
  const names = await admin.$$eval('#board-table tbody th', (ths) => ths.map((t) => t.textContent));
  // The intelligence part's incident counts (PSI_*) are safe-domain measures too.
  assert(names.length > 0 && names.length < allNames, `safe domain shows ${names.length} of ${allNames} measures`);
  await visit(admin, 'board-filtered', '/board?place=QNW-AV&kind=acute%20trust', '#board-table');
  await admin.goto(`${BASE_URL}/board`);
  await admin.waitForSelector('#board-table');
  await Promise.all([admin.waitForURL(/\/chart\//), admin.click('#board-table .app-board__link >> nth=0')]);
  await admin.waitForSelector('#spc-chart svg');
});

let pointsBefore = 0;
await test('chart page: interactive chart, readings in words, exports', async () => {
  await visit(admin, 'chart', '/chart/FALLS/RZA', '#spc-chart svg');
  pointsBefore = await admin.$$eval('details table tbody tr', (trs) => trs.length);
  assert(pointsBefore > 12, `only ${pointsBefore} points`);
  const readings = await admin.textContent('.app-readings');
  assert(/variation|Special cause/i.test(readings), `readings: ${readings}`);
  // Hover shows the value.
  // The chart may start below the fold (the menu has two rows at desktop width): bring it into view.
  await admin.locator('#spc-chart').scrollIntoViewIfNeeded();
  const box = await admin.locator('#spc-chart').boundingBox();
  let hovered = false;
  for (let f = 0.3; f < 0.9 && !hovered; f += 0.1) {
    await admin.mouse.move(box.x + box.width * f, box.y + box.height * 0.4, { steps: 4 });
    hovered = await admin.waitForFunction(() => /Value:/.test(document.querySelector('#spc-chart')?.textContent ?? ''), null, { timeout: 1000 }).then(() => true, () => false);
  }
  assert(hovered, 'hovering the chart shows the value');
  // Zoom: a slider is offered.
  assert((await admin.$$('#spc-chart svg')).length > 0, 'no svg');
  for (const [button, ext] of [['#export-csv', 'csv'], ['#export-svg', 'svg'], ['#export-png', 'png']]) {
    const [dl] = await Promise.all([admin.waitForEvent('download'), admin.click(button)]);
    assert(dl.suggestedFilename().endsWith(`.${ext}`), `download ${dl.suggestedFilename()}`);
    const path = await dl.path();
    const bytes = readFileSync(path);
    if (ext === 'csv') assert(bytes.toString().startsWith('metric,unit,period,value'), 'csv header');
    if (ext === 'svg') assert(bytes.toString().includes('<svg'), 'svg content');
    if (ext === 'png') assert(bytes.subarray(1, 4).toString() === 'PNG', 'png signature');
  }
  assert(await admin.isVisible('#recalc-form'), 'an administrator is offered recalculation');
});

await test('chart page: recalculation needs a reason', async () => {
  await admin.click('#recalc-submit');
  await admin.waitForSelector('#recalc-summary');
  assert((await admin.textContent('#recalc-summary')).includes('Enter the reason'), 'reason required');
});

await test('metric page: definition, small multiples, funnel, standing and trend', async () => {
  await visit(admin, 'metric', '/metrics/FALLS', '#standing-table');
  const def = await admin.textContent('#definition');
  assert(/Version 1, agreed by/.test(def), `definition: ${def}`);
  const multiples = await admin.$$eval('#multiples .app-multiple__chart svg', (s) => s.length);
  assert(multiples >= 4, `${multiples} small multiples`);
  assert(await admin.isVisible('#funnel-chart svg'), 'funnel drawn');
  const rows = await admin.$$eval('#standing-table tbody tr', (trs) => trs.map((t) => t.textContent));
  assert(rows.length >= 4 && rows.some((r) => /a year/.test(r)), `standing rows: ${rows.join(' | ')}`);
});

await test('organisation page: measures with icons and ranked signals', async () => {
  await visit(admin, 'organisation', '/organisations/RZA', '#org-measures');
  await admin.waitForSelector('#signal-list');
  const n = await admin.$$eval('#org-measures tbody tr', (trs) => trs.length);
  assert(n > 5, `${n} measures`);
  await visit(admin, 'organisations', '/organisations', '#org-table');
});

await test('dictionary: search, read, history side by side, propose and agree', async () => {
  await visit(admin, 'dictionary', '/dictionary', '#dict-table');
  await admin.fill('#dict-search', 'falls');
  const visible = await admin.$$eval('#dict-table tbody tr:not([hidden])', (trs) => trs.length);
  assert(visible >= 1 && visible < 5, `${visible} rows for "falls"`);
  await visit(admin, 'definition', '/dictionary/FALLS', '#compare-table');
  // Propose a change, then agree it: the history then shows both versions side by side.
  await admin.goto(`${BASE_URL}/dictionary/FALLS?propose=1`);
  await admin.waitForSelector('#propose-form');
  await admin.fill('#p-definition', 'Falls of inpatients, with or without harm, per 1,000 occupied bed days.');
  await admin.fill('#p-applies_from', '2024-04-01');
  await admin.screenshot({ path: join(SCREENSHOTS, 'propose-desktop.png'), fullPage: true });
  await admin.click('#propose-form button[type=submit]');
  await admin.waitForSelector('.app-agree');
  await admin.click('.app-agree');
  await admin.waitForFunction(() => !document.querySelector('.app-agree') && /Version 2/.test(document.querySelector('#compare-table')?.textContent ?? ''));
  const changed = await admin.$$eval('#compare-table tr.app-changed th', (ths) => ths.map((t) => t.textContent));
  assert(changed.some((c) => c.startsWith('Definition')), `changed rows: ${changed}`);
  await visit(admin, 'definition-history', '/dictionary/FALLS', '#compare-table');
});

await test('glossary: search, read, history side by side', async () => {
  await visit(admin, 'glossary', '/glossary', '#glossary-list');
  await admin.fill('#gloss-search', 'place');
  const visible = await admin.$$eval('#glossary-list > div:not([hidden])', (d) => d.length);
  assert(visible >= 1, 'search finds "place"');
  await visit(admin, 'glossary-term', '/glossary/place', '#term-compare');
});

const bad = 'metric,unit,period,numerator,denominator\nFALLS,RZA,2024-13-01,3,1000\nFALLS,NOPE,2024-04-01,3,1000\nFALLS,RZA,2024-04-01,,\n';
const good = 'metric,unit,period,numerator,denominator\nFALLS,RZA,2024-04-01,120,24000\n';

await test('data: a bad file shows every problem in plain words; nothing is imported', async () => {
  await visit(admin, 'data', '/data', '#submissions-table');
  assert((await admin.textContent('#pii-banner')).includes('Do not enter patient-identifiable information'), 'banner');
  await admin.setInputFiles('#upload-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await admin.click('#upload-submit');
  await admin.waitForSelector('#upload-problem-list');
  const problems = await admin.$$eval('#upload-problem-list li', (lis) => lis.map((l) => l.textContent));
  assert(problems.length >= 3, `problems: ${problems.join(' | ')}`);
  assert(problems.some((p) => /Row 2.*not a date/.test(p)), `no date problem: ${problems.join(' | ')}`);
  assert(problems.some((p) => /Row 3.*unknown unit/.test(p)), `no unit problem: ${problems.join(' | ')}`);
  await axe(admin, 'data with errors');
  await admin.screenshot({ path: join(SCREENSHOTS, 'data-errors-desktop.png'), fullPage: true });
  await admin.setViewportSize(phone);
  await admin.screenshot({ path: join(SCREENSHOTS, 'data-errors-phone.png'), fullPage: true });
  await admin.setViewportSize(desktop);
});

await test('data: a good file previews, commits, and the chart changes', async () => {
  await admin.goto(`${BASE_URL}/data`);
  await admin.setInputFiles('#upload-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await admin.click('#upload-submit');
  await admin.waitForSelector('#preview-panel');
  assert((await admin.textContent('#preview-panel')).includes('1 to add'), 'preview says 1 to add');
  await axe(admin, 'data preview');
  await admin.screenshot({ path: join(SCREENSHOTS, 'data-preview-desktop.png'), fullPage: true });
  await admin.click('#commit');
  await admin.waitForSelector('#import-done');
  assert((await admin.textContent('#import-done')).includes('1 added'), 'import done');
  await admin.goto(`${BASE_URL}/chart/FALLS/RZA`);
  await admin.waitForSelector('#spc-chart svg');
  const after = await admin.$$eval('details table tbody tr', (trs) => trs.length);
  assert(after === pointsBefore + 1, `points before ${pointsBefore}, after ${after}`);
  const lastRow = await admin.$$eval('details table tbody tr', (trs) => trs[trs.length - 1].textContent);
  assert(lastRow.includes('Apr 2024') && lastRow.includes('5'), `last row ${lastRow}`);
});

await test('a viewer is not offered recalculation, upload or agreement, and the API refuses them', async () => {
  const page = await newPage();
  await signIn(page, 'viewer@example.nhs.uk');
  await page.goto(`${BASE_URL}/chart/FALLS/RZA`);
  await page.waitForSelector('#spc-chart svg');
  assert((await page.$('#recalc-form')) === null, 'viewer offered recalculation');
  assert((await page.$('#note-form')) === null, 'viewer offered annotation');
  await visit(page, 'data-viewer', '/data', '#submissions-table');
  assert((await page.$('#upload-form')) === null, 'viewer offered upload');
  await page.goto(`${BASE_URL}/dictionary/FALLS`);
  await page.waitForSelector('#compare-table');
  assert((await page.$('#propose-change')) === null && (await page.$('.app-agree')) === null, 'viewer offered propose/agree');
  const statuses = await page.evaluate(async () => {
    const csrf = sessionStorage.getItem('shewhart.csrf') ?? '';
    const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    const recalc = await fetch('/api/series/FALLS/RZA/recalculations', { method: 'POST', headers: h, body: JSON.stringify({ period: '2022-04-01', reason: 'test' }) });
    const upload = await fetch('/api/imports?file_name=x.csv', { method: 'POST', headers: { ...h, 'Content-Type': 'text/csv' }, body: 'metric,unit,period,value\n' });
    const agree = await fetch('/api/metrics/FALLS/versions/1/agree', { method: 'POST', headers: h, body: '' });
    return [recalc.status, upload.status, agree.status];
  });
  assert(statuses[0] === 403, `recalculation answered ${statuses[0]}`);
  assert(statuses[1] === 403 && statuses[2] === 403, `upload/agree answered ${statuses.slice(1)}`);
  await page.context().close();
});

await test('a data submitter may upload for their organisation only', async () => {
  const page = await newPage();
  await signIn(page, 'submitter@example.nhs.uk');
  await page.goto(`${BASE_URL}/data`);
  await page.waitForSelector('#upload-form');
  assert((await page.$('#upload-kind')) === null, 'submitter offered other kinds of import');
  await page.setInputFiles('#upload-file', { name: 'other.csv', mimeType: 'text/csv', buffer: Buffer.from('metric,unit,period,numerator,denominator\nFALLS,RZB,2024-04-01,3,1000\n') });
  await page.click('#upload-submit');
  await page.waitForSelector('#upload-problem-list');
  assert(/outside your scope/.test(await page.textContent('#upload-problem-list')), 'scope refusal shown');
  await page.context().close();
});

await test('sign out', async () => {
  await admin.goto(`${BASE_URL}/board`);
  await admin.waitForSelector('#sign-out');
  await admin.click('#sign-out');
  await admin.waitForSelector('#sign-in-form');
  assert((await admin.textContent('main')).includes('You have signed out'), 'signed-out message');
  const r = await admin.evaluate(async () => (await fetch('/api/session')).status);
  assert(r === 401, `session after sign out: ${r}`);
});

await finish();
