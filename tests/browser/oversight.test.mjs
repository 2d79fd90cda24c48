// Browser tests of oversight (issue 16): the board a board can trust — the four questions at the
// top, the icon key open, the performance report, "my organisation" for organisation-level
// people; honest system values (one trust ahead is held back); definitions that drive results at
// once; the metric page with earlier periods, like-for-like funnels and whole-number positions;
// the board pack of at most 30 pages, every page naming its scope; and the smaller defects a new
// user hit. Run by run.sh against the demo (this file runs after the others: it adds data).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_URL, assert, desktop, finish, newPage, phone, signIn, test, visit } from './harness.mjs';

const SYSTEM = 'North Wessex Integrated Care System';
const tmp = mkdtempSync(join(tmpdir(), 'shewhart-oversight-'));

// A JSON API call from inside the signed-in page (its cookie and CSRF token).
async function api(page, method, path, body, type = 'application/json') {
  return page.evaluate(
    async ([method, path, body, type]) => {
      const csrf = sessionStorage.getItem('shewhart.csrf') ?? '';
      const headers = { 'X-CSRF-Token': csrf };
      if (body !== null) headers['Content-Type'] = type;
      const r = await fetch(path, { method, headers, body: body ?? (method === 'GET' ? undefined : ''), credentials: 'same-origin' });
      return { status: r.status, body: await r.text() };
    },
    [method, path, body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), type],
  );
}

async function signedInAs(email) {
  const page = await newPage();
  await signIn(page, email);
  return page;
}

// Every word of every table cell on one line: no "Integrat ed", no "92.1 4".
async function brokenWords(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const cell of document.querySelectorAll('table th, table td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        // A line may break after a hyphen ("Self-harm"); never inside a word or a number.
        const re = /[^\s-]+-?/g;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          if (m[0].length < 2) continue;
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) bad.push(m[0]);
        }
      }
    }
    return bad;
  });
}

const admin = await signedInAs('admin@example.nhs.uk');

await test('board: the four questions, the icon key open at the top, the performance report', async () => {
  await visit(admin, 'oversight-board', '/board', '#four-questions');
  const scope = await admin.textContent('#board-scope');
  assert(scope.includes(SYSTEM), `the board shows the system by default, got ${scope}`);
  const questions = await admin.$$eval('#four-questions .app-question', (qs) => qs.map((q) => q.textContent));
  assert(questions.length === 4, `${questions.length} questions`);
  assert(/consistently passing/.test(questions[0]) && /consistently failing/.test(questions[0]), `targets: ${questions[0]}`);
  assert(/worse than expected/.test(questions[1]) && /better than expected/.test(questions[1]), `variation: ${questions[1]}`);
  assert(/best/i.test(questions[2]), `standing: ${questions[2]}`);
  assert(/improving/.test(questions[3]) && /a year/.test(questions[3]), `improvement: ${questions[3]}`);
  // The key is open (not a collapsed <details>), above the questions, with every state.
  const key = await admin.$eval('#icon-key', (k) => ({ tag: k.tagName, top: k.getBoundingClientRect().top, text: k.textContent }));
  const qTop = await admin.$eval('#four-questions', (q) => q.getBoundingClientRect().top);
  assert(key.tag !== 'DETAILS' && key.top < qTop, 'the icon key is open at the top');
  for (const words of ['concern (high)', 'concern (low)', 'improvement (high)', 'improvement (low)', 'neither improvement nor concern (high)', 'neither improvement nor concern (low)', 'Common cause', 'Not enough data', 'Consistently passing', 'Consistently failing', 'Hit and miss', 'No target set']) {
    assert(key.text.includes(words), `the key lacks "${words}"`);
  }
  const fresh = await admin.textContent('#freshness');
  // Earlier files' tests record incidents and attendance today: then those domains' period is this
  // month, and the other domains (the demo's data end in 2024) must still show their own.
  assert(/latest period [A-Z][a-z]{2} 20\d\d, (\d+ months? ago|this month|last month)/.test(fresh), `freshness: ${fresh}`);
  if (/this month \(/.test(fresh)) assert(/\d+ months ago \(/.test(fresh), `older domains hidden behind a current one: ${fresh}`);
  // The report: each measure with latest value, target, mean and limits, icons, trend, peers.
  const rows = await admin.$$eval('.app-report tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert(rows.length >= 20, `${rows.length} measures in the report`);
  assert(rows.every((r) => r.length === 7), 'seven columns per measure');
  assert(rows.filter((r) => /\d/.test(r[1])).length >= 20, 'latest values shown');
  assert(rows.some((r) => /\d/.test(r[2])), 'targets shown');
  assert(rows.every((r) => /to/.test(r[3]) || r[3].startsWith('–')), 'mean and limits shown');
  assert(rows.filter((r) => /a year/.test(r[5])).length >= 10, 'trends with units');
  assert(rows.filter((r) => /best/.test(r[6])).length >= 10, 'benchmarks against peers');
  assert(rows.filter((r) => /reported/.test(r[1])).length >= 20, 'who reported the system value');
  // "Where to look first" is exactly the report's concerns and failing targets.
  const attention = await admin.$$eval('#attention li', (lis) => lis.map((li) => li.dataset.metric));
  for (const m of attention) {
    const row = await admin.$(`.app-report tbody tr[data-metric="${m}"]`);
    assert(row, `where to look first names ${m}, which the report does not`);
  }
  // The national A&E data are a separate benchmark set: not in the board, the place filter or
  // the organisations.
  const grid = await admin.textContent('#board-table');
  assert(!/A&E 4-hour|type-1/i.test(grid) && !/\bRJ[A-Z0-9]\b/.test(grid), 'no national A&E rows in the ICS board');
  const places = await admin.$$eval('#f-place option', (os) => os.map((o) => o.textContent));
  assert(!places.some((p) => /England/.test(p)), `place filter: ${places}`);
  const benchmark = await admin.$$eval('#f-scope optgroup[label="Benchmark sets"] option', (os) => os.map((o) => o.textContent));
  assert(benchmark.length === 1 && /benchmark set/.test(benchmark[0]), `benchmark sets: ${benchmark}`);
  await admin.goto(`${BASE_URL}/organisations`);
  await admin.waitForSelector('#org-table');
  const orgs = await admin.$$eval('#org-table tbody tr', (trs) => trs.length);
  assert(orgs > 10 && orgs < 80, `${orgs} organisations listed (the ICS's, not 140 English trusts)`);
  assert((await admin.textContent('#org-table')).includes('GP practice'), 'kinds in plain words: GP practice');
});

await test('an organisation-level person lands on their organisation', async () => {
  const page = await signedInAs('submitter@example.nhs.uk');
  await page.waitForSelector('#four-questions');
  const scope = await page.textContent('#board-scope');
  assert(scope.includes('Avonford Hospitals'), `an RZA person sees ${scope}`);
  const mine = await page.$eval('#f-scope', (s) => s.selectedOptions[0].textContent);
  assert(mine.includes('my organisation'), `the scope reads ${mine}`);
  // Standing against peers: whole positions among acute trusts, never "5.5".
  const peers = await page.$$eval('.app-report tbody tr td:last-child', (tds) => tds.map((t) => t.textContent));
  assert(peers.some((t) => /^\d+ of \d+/.test(t)), `positions: ${peers.slice(0, 5)}`);
  assert(!peers.some((t) => /\d\.5 of/.test(t)), 'no fractional positions');
  await visit(page, 'oversight-board-my-organisation', '/board', '#four-questions');
  await page.context().close();
});

let held = '';
await test('one trust three months ahead: the system value is held back, "1 of N reported"', async () => {
  const csv = 'metric,unit,period,numerator,denominator\nFALLS,RZA,2024-04-01,30,24000\nFALLS,RZA,2024-05-01,28,24000\nFALLS,RZA,2024-06-01,25,24000\n';
  const up = await api(admin, 'POST', '/api/imports?kind=observations&file_name=rza-ahead.csv', csv, 'text/csv');
  assert(up.status === 201, `upload: ${up.status} ${up.body}`);
  const id = JSON.parse(up.body).id;
  const done = await api(admin, 'POST', `/api/imports/${id}/commit`);
  assert(done.status === 200, `commit: ${done.status} ${done.body}`);
  const s = JSON.parse((await api(admin, 'GET', '/api/series/FALLS/QNW?aggregate=1')).body);
  assert(s.summary.last_period === '2024-03-01', `the system's last period is ${s.summary.last_period}`);
  assert(s.coverage.held_back.length === 3 && s.coverage.held_back.every((h) => h.reported === 1 && h.expected > 1), JSON.stringify(s.coverage));
  await visit(admin, 'oversight-system-chart-held-back', '/chart/FALLS/QNW?aggregate=1', '#held-back');
  held = await admin.textContent('#held-back');
  assert(/Jun 2024 \(1 of \d+ reported\)/.test(held), `held back: ${held}`);
  const how = await admin.textContent('#aggregation');
  assert(/pooled/.test(how) && /of \d+ organisations reported/.test(how), `aggregation: ${how}`);
  // The points drawn stop at March 2024: no improvement from one trust alone.
  const last = await admin.$$eval('details table tbody tr td:first-child', (tds) => tds[tds.length - 1].textContent);
  assert(last === 'Mar 2024', `last point drawn ${last}`);
});

await test('metric page with one organisation ahead: earlier periods, a funnel, real standing', async () => {
  const requests = [];
  admin.on('response', (r) => requests.push([r.url(), r.status()]));
  await visit(admin, 'oversight-metric-falls', '/metrics/FALLS', '#standing-table');
  const periods = await admin.$$eval('#period option', (os) => os.map((o) => [o.value, o.textContent, o.selected]));
  assert(periods.length > 24, `${periods.length} periods offered`);
  assert(periods.find((p) => p[2])[0] === '2024-03-01', `chosen ${periods.find((p) => p[2])}`);
  assert(periods.some((p) => p[0] === '2024-06-01' && /held back/.test(p[1])), 'the held-back months are marked');
  await admin.waitForSelector('#funnel-chart svg');
  const standing = await admin.$$eval('#standing-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert(standing.length > 1 && standing.every((t) => /^=?\d+ of \d+$/.test(t)), `positions: ${standing}`);
  const trends = await admin.textContent('#standing-table');
  assert(/per 1,000 bed days a year/.test(trends), 'rates of improvement carry their unit');
  // The period ahead: one organisation, said in words, no funnel asked for.
  await admin.selectOption('#period', '2024-06-01');
  await admin.click('#period-form button[type=submit]');
  await admin.waitForSelector('#funnel-none');
  assert(/Only 1 organisation reported Jun 2024/.test(await admin.textContent('#funnel-none')), 'one organisation ahead is explained');
  await admin.waitForSelector('#standing-none');
  assert(/Only .* reported Jun 2024/.test(await admin.textContent('#standing-none')), 'no "1 of 1" standing');
  assert(!requests.some(([u, s]) => u.includes('/api/funnel/') && s >= 400), `funnel requests failed: ${requests.filter(([u]) => u.includes('/api/funnel/'))}`);
  // Like for like: acute trusts only.
  await admin.goto(`${BASE_URL}/metrics/FALLS?period=2024-03-01&kind=acute%20trust`);
  await admin.waitForSelector('#standing-table');
  const n = await admin.$$eval('#standing-table tbody tr', (trs) => trs.length);
  assert(n >= 2 && n < standing.length, `acute trusts only: ${n} of ${standing.length}`);
  admin.removeAllListeners('response');
});

await test('funnel outliers: favourable apart from unfavourable, not in the concern colour', async () => {
  // Find a metric with a favourable outlier in March 2024.
  const metrics = JSON.parse((await api(admin, 'GET', '/api/metrics')).body).metrics.filter((m) => m.measure !== 'value' && m.improvement_direction !== 'neutral');
  let found = null;
  for (const m of metrics) {
    const f = JSON.parse((await api(admin, 'GET', `/api/funnel/${m.code}?period=2024-03-01`)).body);
    const fav = (f.units ?? []).find((u) => (u.outlier === 'high') === (m.improvement_direction === 'increase') && u.outlier !== 'none');
    if (fav) {
      found = [m.code, fav.unit];
      break;
    }
  }
  assert(found, 'the demo has a favourable outlier somewhere');
  await admin.goto(`${BASE_URL}/metrics/${found[0]}?period=2024-03-01`);
  await admin.waitForSelector('#funnel-chart svg');
  const text = await admin.textContent('#funnel-outliers');
  assert(/Better than expected/.test(text), `outliers: ${text}`);
  const colours = await admin.$$eval('#funnel-chart svg path, #funnel-chart svg circle', (ps) => ps.map((p) => (p.getAttribute('fill') ?? '').toLowerCase().replace(/\s/g, '')));
  assert(colours.some((c) => c.includes('#289de0') || c.includes('rgb(40,157,224)')), 'a favourable outlier is drawn in the improvement colour');
});

await test('agreeing a definition shows its target and the restart on the chart at once', async () => {
  const lead = await signedInAs('lead@example.nhs.uk');
  const m = JSON.parse((await api(lead, 'GET', '/api/metrics/PU_CAT2')).body);
  const v = m.versions[m.versions.length - 1];
  const body = { ...v, code: 'PU_CAT2', applies_from: '2023-04-01', target: 0.4, definition: `${v.definition} Counted from the new incident system.` };
  for (const k of ['version', 'status', 'agreed_at', 'agreed_by', 'created_at', 'created_by', 'target_from']) delete body[k];
  for (const k of Object.keys(body)) if (body[k] === null || body[k] === '') delete body[k];
  const proposed = await api(lead, 'POST', '/api/metrics', body);
  assert(proposed.status === 201, `proposed: ${proposed.status} ${proposed.body}`);
  const version = JSON.parse(proposed.body).version;
  await lead.goto(`${BASE_URL}/chart/PU_CAT2/RZB`);
  await lead.waitForSelector('#spc-chart svg');
  assert(!(await lead.textContent('#annotations')).includes(`version ${version}`), 'a draft does not change the chart');
  await lead.goto(`${BASE_URL}/dictionary/PU_CAT2`);
  await lead.click(`.app-agree[data-version="${version}"]`);
  await lead.waitForFunction((v) => !document.querySelector(`.app-agree[data-version="${v}"]`), version);
  await visit(lead, 'oversight-chart-after-agree', '/chart/PU_CAT2/RZB', '#spc-chart svg');
  const readings = await lead.textContent('.app-readings');
  assert(/Target 0\.4/.test(readings), `readings: ${readings}`);
  const notes = await lead.textContent('#annotations');
  assert(notes.includes(`definition changed (version ${version})`) && notes.includes('Apr 2023'), `annotations: ${notes}`);
  assert((await lead.textContent('#spc-chart')).includes('Target'), 'the target line is drawn');
  await lead.context().close();
});

await test('a recalculation says who and when, and can be undone', async () => {
  const lead = await signedInAs('lead@example.nhs.uk');
  await lead.goto(`${BASE_URL}/chart/SICKNESS/RZA`);
  await lead.waitForSelector('#recalc-form');
  await lead.selectOption('#recalc-period', '2022-10-01');
  await lead.fill('#recalc-reason', 'New wellbeing service');
  await lead.click('#recalc-submit');
  await lead.waitForSelector('.app-recalc:has-text("New wellbeing service") .app-undo');
  const line = await lead.textContent('.app-recalc:has-text("New wellbeing service")');
  assert(/New wellbeing service/.test(line) && /by lead@example\.nhs\.uk on \d{4}-\d{2}-\d{2}/.test(line), `history: ${line}`);
  await visit(lead, 'oversight-chart-recalculated', '/chart/SICKNESS/RZA', '.app-undo');
  await Promise.all([lead.waitForEvent('load'), lead.click('.app-recalc:has-text("New wellbeing service") .app-undo')]);
  await lead.waitForSelector('#spc-chart svg');
  assert(!(await lead.textContent('#annotations')).includes('New wellbeing service'), 'undone');
  const audit = JSON.parse((await api(admin, 'GET', '/api/audit?limit=50')).body).entries;
  assert(audit.some((e) => e.action === 'series.recalculation_undo' && e.actor === 'user:lead@example.nhs.uk'), 'the undo is audited');
  await lead.context().close();
});

await test('a downloaded chart has its title', async () => {
  await admin.goto(`${BASE_URL}/chart/FALLS/RZA`);
  await admin.waitForSelector('#spc-chart svg');
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#export-svg')]);
  const path = join(tmp, 'chart.svg');
  await download.saveAs(path);
  const svg = readFileSync(path, 'utf8');
  assert(/<text[^>]*>Inpatient falls per 1,000 occupied bed days: Avonford Hospitals NHS Foundation Trust<\/text>/.test(svg), 'the SVG carries the title');
  assert(/Lower is better/.test(svg), 'and what better means');
});

await test('phone charts keep every special-cause point and its colour', async () => {
  await admin.setViewportSize(phone);
  await admin.goto(`${BASE_URL}/chart/FALLS/RZA`);
  await admin.waitForSelector('#spc-chart svg');
  await admin.waitForTimeout(300);
  const special = await admin.$$eval('details table tbody tr td:last-child', (tds) => tds.filter((t) => !/Common cause/i.test(t.textContent)).length);
  const dots = await admin.$$eval('#spc-chart svg path, #spc-chart svg circle', (ps) =>
    ps.filter((p) => ['#ed8b00', '#289de0', '#6c2d91', 'rgb(237,139,0)', 'rgb(40,157,224)', 'rgb(108,45,145)'].some((c) => (p.getAttribute('fill') ?? '').toLowerCase().replace(/\s/g, '').includes(c))).length,
  );
  assert(special > 0, 'RZA falls have special-cause points');
  assert(dots >= special, `${dots} coloured dots drawn for ${special} special-cause points at phone width`);
  await admin.setViewportSize(desktop);
});

await test('count charts have no negative limits', async () => {
  const board = JSON.parse((await api(admin, 'GET', '/api/board?scope=QNW&limit=50000')).body).rows;
  const counts = board.filter((r) => ['CDIFF', 'MIXED_SEX', 'SI', 'QI_LEAD', 'QI_LIVE'].includes(r.metric));
  assert(counts.length > 5, `${counts.length} count series`);
  const negative = counts.filter((r) => r.lpl !== null && r.lpl < 0);
  assert(negative.length === 0, `negative limits: ${negative.map((r) => `${r.metric}/${r.unit} ${r.lpl}`)}`);
  const cdiff = board.find((r) => r.metric === 'CDIFF' && r.aggregate);
  assert(cdiff && cdiff.aggregation === 'sum', 'a count aggregates as a total');
});

await test('plain words: "Lower is better", "GP practice", no code words', async () => {
  await admin.goto(`${BASE_URL}/chart/FALLS/RZA`);
  await admin.waitForSelector('#better');
  assert((await admin.textContent('#better')) === 'Lower is better', 'the chart says Lower is better');
  await admin.goto(`${BASE_URL}/dictionary/FALLS`);
  await admin.waitForSelector('#compare-table');
  const dict = await admin.textContent('#compare-table');
  assert(!/\bdecrease\b|\bxmr\b|Better is/.test(dict) && /Lower is better/.test(dict) && /XmR chart/.test(dict), `dictionary: ${dict.slice(0, 200)}`);
  await admin.goto(`${BASE_URL}/organisations/N99001`);
  await admin.waitForSelector('h1');
  assert((await admin.textContent('h1')).includes('GP practice'), 'GP practice, not Gp practice');
});

await test('the organisation page asks for no funnel and answers without 409s', async () => {
  const bad = [];
  admin.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 400) bad.push(`${r.status()} ${r.url()}`);
  });
  await visit(admin, 'oversight-organisation', '/organisations/RZA', '#org-measures');
  await admin.waitForFunction(() => [...document.querySelectorAll('#org-measures td[id^=standing-]')].some((t) => /of/.test(t.textContent)));
  admin.removeAllListeners('response');
  assert(bad.length === 0, `failed requests: ${bad}`);
  const standing = await admin.$$eval('#org-measures td[id^=standing-]', (tds) => tds.map((t) => t.textContent).filter((t) => t !== '–' && !t.startsWith('No peer')));
  assert(standing.length > 5, `${standing.length} measures ranked among peers`);
  assert(standing.every((t) => /^\d+ of \d+/.test(t)), `standing: ${standing}`);
  const trends = await admin.$$eval('#org-measures td[id^=trend-]', (tds) => tds.map((t) => t.textContent));
  assert(trends.some((t) => /a year – (improving|worsening|no clear trend)/.test(t) && /(%|per )/.test(t)), `trends: ${trends.slice(0, 4)}`);
});

await test('propose a new measure from the web', async () => {
  const lead = await signedInAs('lead@example.nhs.uk');
  await visit(lead, 'oversight-propose', '/dictionary/new', '#propose-form');
  await lead.fill('#p-code', 'NEWS2_ESC');
  await lead.fill('#p-name', 'Deteriorating patients escalated within 1 hour');
  await lead.fill('#p-definition', 'Share of NEWS2 scores of 5 or more escalated to a clinician within 1 hour.');
  await lead.selectOption('#p-domain', 'safe');
  await lead.selectOption('#p-measure', 'proportion');
  await lead.fill('#p-multiplier', '100');
  await lead.selectOption('#p-improvement_direction', 'increase');
  await lead.selectOption('#p-frequency', 'monthly');
  await lead.selectOption('#p-chart_type', 'p');
  await lead.fill('#p-unit', '%');
  await Promise.all([lead.waitForURL(/\/dictionary\/NEWS2_ESC/), lead.click('#propose-form button[type=submit]')]);
  await lead.waitForSelector('#versions');
  assert((await lead.textContent('#versions')).includes('draft'), 'the proposal is a draft');
  await lead.context().close();
});

await test('submissions are judged as of the latest period loaded, not today', async () => {
  await visit(admin, 'oversight-data', '/data', '#submissions-table');
  const asOf = await admin.textContent('#submissions-as-of');
  assert(/latest period loaded, (Mar|Jun) 2024/.test(asOf), `as of: ${asOf}`);
  const status = await admin.$$eval('#submissions-table tbody tr td:last-child', (tds) => tds.map((t) => t.textContent.trim()));
  const late = status.filter((s) => /Late|owed/.test(s)).length;
  assert(status.length >= 40 && late > 0 && late < status.length / 2, `${late} of ${status.length} late or owing`);
});

await test('an out-of-scope row no longer hides the other problems of an upload', async () => {
  const page = await signedInAs('submitter@example.nhs.uk');
  await page.goto(`${BASE_URL}/data`);
  await page.waitForSelector('#upload-form');
  const file = join(tmp, 'mixed.csv');
  writeFileSync(file, 'metric,unit,period,numerator,denominator\nFALLS,RZB,2024-01-01,50,20000\nFALLS,RZA,2024-13-01,50,20000\n');
  await page.setInputFiles('#upload-file', file);
  await page.click('#upload-submit');
  await page.waitForSelector('#upload-problem-list');
  const problems = await page.$$eval('#upload-problem-list li', (lis) => lis.map((l) => l.textContent));
  assert(problems.some((p) => /RZB is outside your scope/.test(p)), `problems: ${problems}`);
  assert(problems.some((p) => /Row 3, column “period”/.test(p)), `the bad period is listed too: ${problems}`);
  await page.context().close();
});

await test('tables keep words and numbers whole at 1366 px', async () => {
  await admin.setViewportSize({ width: 1366, height: 900 });
  for (const path of ['/board', '/metrics/FALLS?period=2024-03-01', '/organisations/RZA', '/data']) {
    await admin.goto(`${BASE_URL}${path}`);
    await admin.waitForSelector('table');
    await admin.waitForFunction(() => !document.querySelector('[role=status]')?.textContent?.startsWith('Loading'), null, { timeout: 15000 }).catch(() => {});
    await admin.waitForTimeout(300);
    const broken = await brokenWords(admin);
    assert(broken.length === 0, `${path}: words broken across lines: ${broken.slice(0, 10).join(', ')}`);
  }
  await admin.setViewportSize(desktop);
});

await test('the board pack: at most 30 pages, every page naming its scope; the workbook too', async () => {
  const res = await admin.request.get(`${BASE_URL}/api/board/pack.pdf`);
  assert(res.status() === 200, `pack: ${res.status()}`);
  const pdf = join(tmp, 'pack.pdf');
  writeFileSync(pdf, await res.body());
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf]).toString())[1]);
  assert(pages >= 4 && pages <= 30, `${pages} pages`);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString().split('\f').filter((p) => p.trim());
  assert(text.length === pages, `${text.length} pages of text`);
  text.forEach((p, i) => assert(p.includes(SYSTEM), `page ${i + 1} does not name its scope`));
  assert(/Where to look first/.test(text[1]) && /Summary/.test(text.slice(2).join('')), 'cover, where to look first, summary');
  assert(!text.join('').includes('RJ1'), 'no national A&E trusts in the ICS pack');
  execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '4', pdf, join(process.env.SCREENSHOTS, 'oversight-pack')]);
  const xlsx = await admin.request.get(`${BASE_URL}/api/board/export.xlsx`);
  assert(xlsx.status() === 200, `workbook: ${xlsx.status()}`);
  const book = join(tmp, 'board.xlsx');
  writeFileSync(book, await xlsx.body());
  const workbook = execFileSync('unzip', ['-p', book, 'xl/workbook.xml']).toString();
  const sheets = (workbook.match(/<sheet /g) ?? []).length;
  assert(sheets >= 3 && sheets <= 45, `${sheets} sheets`);
  assert(!/AE4H_T1|AE_ATT_T1/.test(workbook), 'no national A&E sheets in the ICS workbook');
});

await admin.context().close();
await finish();
