// Browser tests of the intelligence screens (docs/intelligence.md): the organisation's time line
// and "where to look next", a metric's evidence, the system view; restricted strands out of a
// viewer's sight. Run by run.sh beside the other *.test.mjs files, on the demo data.
import { assert, axe, finish, newPage, signIn, signedIn, test, visit } from './harness.mjs';

const admin = await signedIn('admin@example.nhs.uk');

await test('intelligence: the organisation time line and where to look next', async () => {
  await visit(admin, 'organisation-timeline', '/organisations/RZA', '#timeline-list');
  const first = await admin.textContent('#signal-list li:first-child');
  assert(/severe harm|died/.test(first), `first signal at RZA: ${first}`);
  const hidden = await admin.$$eval('#signal-list li[hidden]', (li) => li.length);
  assert(hidden > 0, 'the first signals are shown, the rest on request');
  await admin.click('#signals-more');
  assert((await admin.$$eval('#signal-list li[hidden]', (li) => li.length)) === 0, 'every signal shown');
  const items = await admin.$$eval('#timeline-list .app-timeline__item', (li) => li.length);
  assert(items >= 20, `time line items: ${items}`);
  await admin.click('#strand-incident');
  const left = await admin.$$eval('#timeline-list .app-timeline__item', (li) => li.filter((x) => x.textContent.includes('Incident: ')).length);
  assert(left === 0, `unticking incidents hides them (${left} left)`);
  await axe(admin, 'time line filtered');
  await visit(admin, 'care-home', '/organisations/1-3537785301', '#timeline-list');
  assert(/communication/i.test(await admin.textContent('#signals')), 'the care home story shows');
});

await test('intelligence: a metric page shows its incidents, complaints and audits', async () => {
  await visit(admin, 'metric-evidence', '/metrics/FALLS', '#evidence-incidents');
  assert((await admin.$$eval('#evidence-incidents tbody tr', (r) => r.length)) > 0, 'falls incidents');
  assert((await admin.textContent('#evidence-audits')).includes('National Audit of Inpatient Falls'), 'falls audit');
});

await test('intelligence: the system view lists organisations by weight; a viewer sees no restricted signals', async () => {
  await visit(admin, 'system', '/system', '#system-table');
  const firstOrg = await admin.textContent('#system-table tbody tr:first-child td:first-child');
  assert(/Avonford|Brackley|Ashlands/.test(firstOrg), `heaviest organisation: ${firstOrg}`);
  assert((await admin.textContent('#horizon-list')).includes('Overdue'), 'an overdue horizon item');
  const page = await newPage();
  await signIn(page, 'viewer@example.nhs.uk');
  const r = await page.evaluate(async () => {
    const s = await (await fetch('/api/organisations/RZA/signals')).json();
    const i = (await fetch('/api/organisations/RZA/incidents')).status;
    return { sources: s.signals.map((x) => x.source), incidents: i };
  });
  assert(!r.sources.includes('incident') && !r.sources.includes('note'), `viewer saw ${r.sources}`);
  assert(r.incidents === 404, `viewer incidents: ${r.incidents}`);
  await page.context().close();
});

await finish();
