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
  assert(Number((await page.textContent('#count-coaching-hours strong')).trim()) > 0, 'coaching hours');
  assert((await page.$$('[data-community]')).length === 2, 'two communities of practice');
  assert((await page.$$eval('#plan-timeline li', (r) => r.length)) === 7, 'seven milestones');
  // Outcome data and cumulative impact from the improvement part (issue 13, item 7).
  const impact = await page.textContent('#capability-impact');
  assert(/Inpatient falls/.test(impact) && /\d+ series/.test(impact), `the community's measured impact: ${impact.slice(0, 200)}`);
  assert((await page.$$eval('#events-table tbody tr', (r) => r.length)) > 0, 'training events');
  await axe(page, 'capability dashboard');
  await page.screenshot({ path: join(SCREENSHOTS, 'capability-dashboard-desktop.png'), fullPage: true });
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

await test('capability: book a person on a training event, mark attendance, see the tier change', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  const email = await page.evaluate(async () => {
    const r = await (await fetch('/api/people')).json();
    return r.people.filter((p) => p.tier === 'none').pop().email;
  });
  assert(email, 'a person with no tier in the demo');
  await visit(page, 'person', `/person?email=${encodeURIComponent(email)}`, '#book-form');
  assert((await page.textContent('#person-tier')).includes('No tier yet'), 'no tier at first');
  const event = await page.$eval('#book-event', (s) => [...s.options].find((o) => o.dataset.course === 'LLL-L1')?.value);
  assert(event, 'a Learn event with places left');
  const placesBefore = await page.evaluate(async (id) => (await (await fetch(`/api/capability/events/${id}`)).json()).booked, event);
  await page.selectOption('#book-event', event);
  await page.click('#book-submit');
  await page.waitForSelector('#person-saved');
  assert((await page.textContent('#person-tier')).includes('No tier yet'), 'a booking is not evidence');
  assert((await page.textContent('#person-training')).includes('Booked'), 'the booking is listed');
  const placesAfter = await page.evaluate(async (id) => (await (await fetch(`/api/capability/events/${id}`)).json()).booked, event);
  assert(placesAfter === placesBefore + 1, `one place taken: ${placesBefore} -> ${placesAfter}`);
  await page.evaluate(() => document.querySelector('#person-saved')?.remove());
  await page.selectOption('#mark-event', event);
  await page.selectOption('#mark-attended', 'yes');
  await page.click('#mark-submit');
  await page.waitForSelector('#person-saved');
  await page.waitForFunction(() => document.querySelector('#person-tier')?.textContent?.includes('Learn'));
  assert((await page.textContent('#person-basis')).includes('LLL-L1'), 'the evidence names the course');
  assert((await page.textContent('#person-history')).includes('Learn'), 'the history keeps the change');
  await axe(page, 'person after an event');
  await page.screenshot({ path: join(SCREENSHOTS, 'person-event-desktop.png'), fullPage: true });
  // A full event refuses a booking: the API answers 409 and names it.
  const full = await page.evaluate(async () => {
    const csrf = sessionStorage.getItem('shewhart.csrf') ?? '';
    const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    const people = (await (await fetch('/api/people')).json()).people.filter((p) => p.tier === 'none').slice(0, 2);
    const e = await fetch('/api/capability/events', { method: 'POST', headers: h, body: JSON.stringify({ course: 'LLL-L2', date: '2099-01-05', place: 'Room 1', capacity: 1 }) });
    const id = (await e.json()).id;
    const first = await fetch(`/api/capability/events/${id}/bookings`, { method: 'POST', headers: h, body: JSON.stringify({ email: people[0].email }) });
    const second = await fetch(`/api/capability/events/${id}/bookings`, { method: 'POST', headers: h, body: JSON.stringify({ email: people[1].email }) });
    return [e.status, first.status, second.status, (await second.json()).error?.message ?? ''];
  });
  assert(full[0] === 201 && full[1] === 201 && full[2] === 409 && full[3].includes('full'), `capacity: ${full}`);
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(SCREENSHOTS, 'person-event-phone.png'), fullPage: true });
  await page.context().close();
});

await test('capability: fill in a readiness assessment for an organisation and see the radar', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  await visit(page, 'readiness', '/readiness?questionnaire=HF-READINESS&organisation=RZB', '#assessment-form');
  const fill = async () => {
    await page.fill('#rd-round', '2025');
    for (const [code, v] of [['LG1', 4], ['LG2', 4], ['IR1', 3], ['IR2', 3], ['SW1', 5], ['SW2', 4], ['CE1', 4], ['CE2', 2]]) {
      await page.check(`#q-${code}-${v}`);
    }
    await page.selectOption('#q-STEP', 'Aligning improvement activity');
  };
  // An NHS number in the free text: refused, naming the question; nothing saved.
  await fill();
  await page.fill('#q-NOTES', 'As discussed for patient 943 476 5919');
  await page.click('#rd-submit');
  await page.waitForSelector('#readiness-error');
  assert((await page.textContent('#readiness-error')).includes('NOTES'), 'the error names the question');
  const rounds = await page.evaluate(async () => (await (await fetch('/api/assessments?questionnaire=HF-READINESS')).json()).rounds);
  assert(!rounds.includes('2025'), `nothing saved: ${rounds}`);
  await page.fill('#q-NOTES', 'Board paper, March; next: coaching for every ward');
  await page.click('#rd-submit');
  await page.waitForSelector('#rd-saved');
  await page.waitForSelector('#radar svg .app-radar__shape--org');
  assert((await page.$$('#radar svg .app-radar__shape--previous')).length === 1, 'the previous round is drawn');
  const rows = await page.$$eval('#rd-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert(rows.length === 4, `four elements: ${rows.length}`);
  const skills = rows.find((r) => r[0] === 'Skills and workforce');
  assert(skills && skills[1] === '4.5', `Skills and workforce scores (5 + 4) / 2: ${skills}`);
  assert(/^[+–-]/.test(skills[2]), `a change since the last round: ${skills[2]}`);
  await axe(page, 'readiness radar');
  await page.screenshot({ path: join(SCREENSHOTS, 'readiness-desktop.png'), fullPage: true });
  await page.setViewportSize(phone);
  await axe(page, 'readiness radar, phone');
  await page.screenshot({ path: join(SCREENSHOTS, 'readiness-phone.png'), fullPage: true });
  await page.context().close();
});

await finish();
