// Browser tests of the improvement screens (docs/improvement.md): the portfolio with its measured
// impact; a project created on screen, its driver diagram drawn, three PDSA cycles logged, the
// system metric FALLS at RZA linked as its outcome measure — whose generated data step down from
// April 2022 — then the cycles seen on the system's chart and the impact measured. Run by run.sh
// beside the other *.test.mjs files, on the demo data.
import { join } from 'node:path';
import { BASE_URL, SCREENSHOTS, assert, axe, finish, newPage, phone, desktop, signIn, test, visit } from './harness.mjs';

await test('improvement: the portfolio shows programmes, roll-outs and impact counted once', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  await visit(page, 'improvement', '/improvement', '#portfolio-impact');
  assert((await page.$$eval('#project-list tbody tr', (r) => r.length)) >= 30, 'thirty projects');
  assert((await page.$$eval('#programme-list li', (r) => r.length)) >= 3, 'three programmes');
  assert((await page.textContent('#rollout-list')).includes('RESTORE2'), 'the RESTORE2 roll-out');
  assert((await page.textContent('#double-counting')).includes('counted once'), 'a shared series counted once');
  // Whom the portfolio serves, and its blind spots (issue 12, item 9).
  assert((await page.textContent('#reached')).includes('Older people living with frailty'), 'frailty reached');
  assert((await page.textContent('#not-reached')).includes('Children and young people'), 'children not reached');
  const rollout = await page.getAttribute('#rollout-list a', 'href');
  const programme = await page.getAttribute('#programme-list a', 'href');
  await visit(page, 'rollout', rollout, '#adoption-curve');
  assert((await page.$$eval('#rollout-sites tbody tr', (r) => r.length)) === 56, 'every Trafford care home');
  await visit(page, 'programme', programme, '#logic-model');
  await page.context().close();
});

await test('improvement: create a project, draw its driver diagram, log three PDSA cycles, link a system metric, see the impact', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  await page.goto(`${BASE_URL}/improvement`);
  await page.waitForSelector('#project-form');
  await page.fill('#p-title', 'Browser test: falls on the frailty ward');
  await page.fill('#p-aim', 'Reduce falls on the frailty ward by 30% by March 2023 for older inpatients');
  await page.fill('#p-org', 'RZA');
  await page.fill('#p-lead', 'test.lead@avonford.nhs.uk');
  await page.fill('#p-started', '2021-11-01');
  await page.click('#p-submit');
  await page.waitForURL(/\/projects\/\d+$/);
  await page.waitForSelector('#driver-diagram');
  // The driver diagram: a primary driver, a secondary under it, a change idea under that.
  const add = async (kind, parentText, title) => {
    const before = await page.$$eval('#driver-diagram .dd-node', (n) => n.length);
    await page.selectOption('#d-kind', kind);
    if (parentText) await page.selectOption('#d-parent', { label: parentText });
    await page.fill('#d-title', title);
    await page.click('#d-submit');
    await page.waitForFunction((n) => document.querySelectorAll('#driver-diagram .dd-node').length === n + 1, before);
  };
  await add('primary', '', 'Patients at risk are known');
  await add('secondary', 'Patients at risk are known', 'Risk assessed on admission');
  await add('change_idea', 'Risk assessed on admission', 'Frailty falls bundle');
  assert((await page.textContent('#driver-diagram')).includes('Frailty falls bundle'), 'the diagram draws the change idea');
  // Three PDSA cycles on the change idea.
  const cycles = [['2022-01-10', 'One nurse, one shift'], ['2022-02-14', 'Whole ward for a week'], ['2022-03-14', 'All frailty beds for a month']];
  for (const [i, [started, plan]] of cycles.entries()) {
    await page.fill('#c-idea', 'Frailty falls bundle');
    await page.fill('#c-plan', plan);
    await page.fill('#c-prediction', 'Bundle done for 8 of 10 patients');
    await page.fill('#c-started', started);
    await page.click('#c-submit');
    await page.waitForFunction((n) => document.querySelector('#pdsa-count')?.textContent?.startsWith(`${n} PDSA`), i + 1);
  }
  // The system metric as the outcome measure.
  await page.selectOption('#m-kind', 'outcome');
  await page.fill('#m-metric', 'FALLS');
  await page.fill('#m-unit', 'RZA');
  await page.click('#m-submit');
  await page.waitForSelector('#impact-table tbody tr');
  const impact = (await page.textContent('#impact-table .impact-value')).trim();
  assert(impact !== '0' && impact.startsWith('-'), `the impact is measured (fewer falls): ${impact}`);
  assert((await page.textContent('#impact-table')).includes('from'), 'the evidence names the change point');
  await axe(page, 'project');
  await page.screenshot({ path: join(SCREENSHOTS, 'project-desktop.png'), fullPage: true });
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(SCREENSHOTS, 'project-phone.png'), fullPage: true });
  await page.setViewportSize(desktop);
  // The cycles on the system's chart of the same metric.
  await page.click('#measure-list a');
  await page.waitForSelector('#annotations');
  const notes = await page.textContent('#annotations');
  const count = (notes.match(/Browser test: falls on the frailty ward/g) ?? []).length;
  assert(count === 3, `three cycles on the system chart: ${count}`);
  await axe(page, 'system chart with PDSA cycles');
  await page.screenshot({ path: join(SCREENSHOTS, 'system-chart-pdsa-desktop.png'), fullPage: true });
  // Bad input is refused on the screen and changes nothing.
  await page.goBack();
  await page.waitForSelector('#pdsa-form');
  await page.fill('#c-idea', 'Frailty falls bundle');
  await page.fill('#c-plan', 'Too early');
  await page.fill('#c-prediction', 'x');
  await page.fill('#c-started', '2021-10-01');
  await page.click('#c-submit');
  await page.waitForSelector('#messages .nhsuk-error-summary');
  assert((await page.textContent('#messages')).includes('before the project started'), 'the error names the date');
  assert((await page.textContent('#pdsa-count')).startsWith('3 PDSA'), 'still three cycles');
  await page.context().close();
});

await finish();
