// Browser tests of the learning screens (docs/learning.md), on the demo system: a real system's
// story end to end — an incident at one trust, a lesson shared anonymised, the lesson in the
// Learning from Incidents forum's thematic review and in the next digest, another trust adopting
// it with a linked project, the spread showing it — with axe-core and screenshots at desktop and
// phone widths; search; the digest page itself checked with axe-core.
import { join } from 'node:path';
import { BASE_URL, SCREENSHOTS, assert, axe, finish, newPage, phone, desktop, signIn, test, visit } from './harness.mjs';

const api = (page, method, path, body) =>
  page.evaluate(
    async ([m, p, b]) => {
      const csrf = sessionStorage.getItem('shewhart.csrf') ?? '';
      const r = await fetch(p, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: r.status, json };
    },
    [method, path, body],
  );

const today = new Date().toISOString().slice(0, 10);
const monthAgo = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
const title = 'Call outreach for any NEWS2 of five at night';

await test('learning: incident -> anonymised lesson -> review and digest -> adopted -> spread', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  // 1. An incident at Brackley Vale.
  const ref = `LRN-${Date.now()}`;
  const inc = await api(page, 'POST', '/api/organisations/RZB/incidents', {
    reference: ref, occurred: today, reported: today, category: 'Diagnosis and assessment', harm: 'severe',
    summary: 'Rising early warning score not escalated overnight',
  });
  assert(inc.status === 201, `incident: ${inc.status} ${JSON.stringify(inc.json)}`);
  const incidentId = inc.json.id;
  // 2. The lesson, shared anonymised, on the screen.
  await visit(page, 'lessons', '/lessons', '#lessons-list');
  await page.fill('#lesson-title', title);
  await page.fill('#lesson-summary', 'Any score of 5 or more is phoned to the outreach team, who review within the hour.');
  await page.selectOption('#lesson-org', 'RZB');
  await page.fill('#lesson-themes', 'deteriorating patient');
  await page.selectOption('#lesson-share', 'anonymised');
  await page.selectOption('#lesson-source-kind', 'incident');
  await page.fill('#lesson-source-id', String(incidentId));
  await page.fill('#lesson-points', 'Phone outreach for NEWS2 of 5 or more\nWrite down who was called');
  await Promise.all([page.waitForURL(/\/lessons\/\d+$/), page.click('#lesson-submit')]);
  const lessonId = Number(page.url().split('/').pop());
  await page.waitForSelector('#spread-table');
  // An NHS number is refused, naming the field.
  const bad = await api(page, 'POST', '/api/lessons', {
    title: 'x', summary: 'Patient 943 476 5919', organisation: 'RZB', themes: ['falls'], share: 'named',
  });
  assert(bad.status === 400 && /summary/.test(bad.json.error.message), `NHS number: ${bad.status}`);
  // 3. In the forum's thematic review of deteriorating patients, without its organisation to
  //    someone outside Brackley Vale (the viewer).
  const forums = (await api(page, 'GET', '/api/forums')).json.forums;
  const forum = forums.find((f) => f.name === 'Learning from Incidents');
  assert(forum, 'the demo forum');
  const review = forum.reviews.find((r) => r.theme === 'deteriorating patient');
  assert(review, 'the deteriorating patient review');
  await visit(page, 'review', `/reviews/${review.id}`, '#review-lessons');
  assert((await page.textContent('#review-lessons')).includes(title), 'the lesson is in the review');
  const viewer = await newPage();
  await signIn(viewer, 'submitter@example.nhs.uk'); // Avonford's data submitter
  const seen = await api(viewer, 'GET', `/api/lessons/${lessonId}`);
  assert(seen.status === 200 && seen.json.organisation === null && seen.json.source === null, `anonymised to others: ${JSON.stringify(seen.json).slice(0, 200)}`);
  const found = await api(viewer, 'GET', `/api/search?q=outreach%20NEWS2&organisation=RZB`);
  assert(!found.json.results.some((r) => r.id === lessonId && r.kind === 'lesson'), 'not found by its organisation');
  const incidentHits = await api(viewer, 'GET', `/api/search?q=${encodeURIComponent('escalated overnight')}&kind=incident`);
  assert(!incidentHits.json.results.some((r) => r.organisation === 'RZB'), "no trace of Brackley Vale's incident");
  await viewer.context().close();
  // 4. In the next digest (the last 30 days), as HTML checked with axe-core, and in the Atom feed.
  await page.goto(`${BASE_URL}/api/digest?from=${monthAgo}&to=${today}&audience=system`);
  await page.waitForSelector('#new-lessons');
  assert((await page.textContent('main')).includes(title), 'the lesson is in the digest');
  // The lesson's entry never names its trust (other sections may name Brackley Vale for its own,
  // public, work: projects, signals).
  const entry = await page.$$eval('section[aria-labelledby=new-lessons] article', (els, t) => els.filter((e) => (e.textContent ?? '').includes(t)).map((e) => e.textContent ?? '').join(' '), title);
  assert(entry.includes(title), `the lesson's entry is found: ${entry.slice(0, 100)}`);
  assert(!/Brackley Vale|RZB/.test(entry), `the digest keeps it anonymous: ${entry.slice(0, 300)}`);
  await axe(page, 'digest page');
  await page.screenshot({ path: join(SCREENSHOTS, 'digest-page-desktop.png'), fullPage: true });
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(SCREENSHOTS, 'digest-page-phone.png'), fullPage: true });
  await page.setViewportSize(desktop);
  const atom = await api(page, 'GET', `/api/digest.atom?from=${monthAgo}&to=${today}`);
  assert(typeof atom.json === 'string' && atom.json.includes(`urn:shewhart:lesson:${lessonId}`), 'the Atom feed has the lesson');
  // 5. Avonford adopts it, with a linked project, on the lesson's screen.
  await visit(page, 'lesson', `/lessons/${lessonId}`, '#spread-table');
  await page.selectOption('#resp-org', 'RZA');
  await page.selectOption('#resp-response', 'adopted');
  await page.fill('#resp-date', today);
  await page.fill('#resp-project', 'Avonford deterioration QI project');
  await page.click('#resp-submit');
  await page.waitForSelector('#response-saved');
  // 6. The spread shows it.
  const row = await page.textContent('#spread-table tr[data-org="RZA"]');
  assert(row.includes('Adopted') && row.includes('Avonford deterioration QI project'), `spread row: ${row}`);
  assert((await page.textContent('#spread-summary')).startsWith('1 adopted'), 'one adoption');
  await axe(page, 'lesson after adoption');
  await page.screenshot({ path: join(SCREENSHOTS, 'lesson-adopted-desktop.png'), fullPage: true });
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(SCREENSHOTS, 'lesson-adopted-phone.png'), fullPage: true });
  await page.context().close();
});

await test('learning: search, forums and the digest screen', async () => {
  const page = await newPage();
  await signIn(page, 'lead@example.nhs.uk');
  await visit(page, 'search', '/search?q=falls', '#search-results');
  const kinds = await page.$$eval('#search-results li', (li) => li.map((x) => x.dataset.kind));
  assert(kinds.length > 0, 'search finds falls');
  assert((await page.innerHTML('#search-results')).includes('<mark>'), 'snippets highlight the words');
  await visit(page, 'forums', '/forums', '#forum-list');
  const forums = (await api(page, 'GET', '/api/forums')).json.forums;
  await visit(page, 'forum', `/forums/${forums[0].id}`, '#forum-members');
  await visit(page, 'digest', '/digest', '#digest-frame');
  const ics = await api(page, 'GET', '/api/events.ics');
  assert(ics.status === 200, `events.ics: ${ics.status}`);
  await page.context().close();
});

await finish();
