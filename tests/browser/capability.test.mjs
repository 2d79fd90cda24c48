// Browser tests of the capability screens (docs/capability.md): the dashboard with the tiers and
// the self-sustainability index, a person's page, booking and attendance changing a tier. Run by
// run.sh beside the other *.test.mjs files, on the demo data.
import { join } from 'node:path';
import { SCREENSHOTS, assert, axe, finish, newPage, phone, signIn, test, visit } from './harness.mjs';

await test('capability: the dashboard shows the tiers and the self-sustainability index', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  await visit(page, 'capability', '/capability', '#ssi-table');
  for (const id of ['#count-learn', '#count-live', '#count-lead', '#count-attended']) {
    const n = Number((await page.textContent(`${id} strong`)).trim());
    assert(n > 0, `${id}: ${n}`);
  }
  assert(/^[0-9.]+$/.test((await page.textContent('#ssi-index')).trim()), 'the index is a number');
  assert((await page.$$eval('#ssi-table tbody tr', (r) => r.length)) === 5, 'five parts');
  assert((await page.$$eval('#capability-history tbody tr', (r) => r.length)) === 8, 'eight quarters');
  await page.selectOption('#cap-org', 'RZA');
  await page.fill('#cap-as-of', '2024-03-31');
  await page.click('#capability-filter button');
  await page.waitForURL((u) => u.search.includes('organisation=RZA'));
  await page.waitForFunction(() => document.querySelector('h1 + p')?.textContent?.includes('Avonford'));
  await page.context().close();
});

await test('capability: book a person on a course, mark attendance, see the tier change', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  const email = await page.evaluate(async () => {
    const r = await (await fetch('/api/people')).json();
    return r.people.find((p) => p.tier === 'none').email;
  });
  assert(email, 'a person with no tier in the demo');
  await visit(page, 'person', `/person?email=${encodeURIComponent(email)}`, '#person-tier');
  assert((await page.textContent('#person-tier')).includes('No tier yet'), 'no tier at first');
  await page.selectOption('#att-course', 'LLL-L1');
  await page.selectOption('#att-attended', 'no');
  await page.click('#att-submit');
  await page.waitForSelector('#person-saved');
  assert((await page.textContent('#person-tier')).includes('No tier yet'), 'a booking is not evidence');
  assert((await page.textContent('#person-training')).includes('Booked'), 'the booking is listed');
  await page.evaluate(() => document.querySelector('#person-saved')?.remove());
  await page.selectOption('#att-course', 'LLL-L1');
  await page.selectOption('#att-attended', 'yes');
  await page.click('#att-submit');
  await page.waitForSelector('#person-saved');
  await page.waitForFunction(() => document.querySelector('#person-tier')?.textContent?.includes('Learn'));
  assert((await page.textContent('#person-basis')).includes('LLL-L1'), 'the evidence names the course');
  assert((await page.textContent('#person-history')).includes('Learn'), 'the history keeps the change');
  await axe(page, 'person after attendance');
  await page.screenshot({ path: join(SCREENSHOTS, 'person-after-attendance-desktop.png'), fullPage: true });
  // An override without a reason is refused on the screen; the API refuses it too.
  await page.selectOption('#ov-tier', 'lead');
  await page.click('#override-form button');
  await page.waitForSelector('#person-error');
  assert((await page.textContent('#person-tier')).includes('Learn'), 'still Learn');
  const status = await page.evaluate(async (e) => {
    const csrf = sessionStorage.getItem('shewhart.csrf') ?? '';
    const r = await fetch(`/api/people/${encodeURIComponent(e)}/tier`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ tier: 'lead' }),
    });
    return r.status;
  }, email);
  assert(status === 400 || status === 403, `override without a reason: ${status}`);
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(SCREENSHOTS, 'person-after-attendance-phone.png'), fullPage: true });
  await page.context().close();
});

await finish();
