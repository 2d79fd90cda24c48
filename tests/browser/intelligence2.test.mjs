// Browser tests of Intelligence II (docs/intelligence.md, "Acting on it"), on the demo data: the
// story at Avonford (RZA, the falls cluster on Ward 7) — a signal -> a concern with a named owner
// -> a follow-up with an action -> escalation to enhanced -> the item on the next JIG's generated
// agenda -> in the system quality report -> de-escalated with a reason — through the screens;
// another organisation's lead sees none of it; every new screen axe-clean at both widths.
import { assert, finish, newPage, signIn, signedIn, test, visit } from './harness.mjs';

const lead = await signedIn('lead@example.nhs.uk');
const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
let concernUrl = '';
let meetingUrl = '';

await test('intelligence2: the screens of the demo year (my work, concerns, risks, meetings)', async () => {
  await visit(lead, 'risk-register', '/risks', '#heatmap');
  assert((await lead.$$eval('#risk-table tbody tr', (r) => r.length)) >= 12, 'a dozen system risks');
  await visit(lead, 'meetings', '/meetings', '#meeting-table');
  assert((await lead.$$eval('#meeting-table tbody tr', (r) => r.length)) >= 12, 'a year of monthly JIG meetings');
  await visit(lead, 'concerns', '/concerns', '#concern-table');
  // (The organisation page itself is photographed by intelligence.test.mjs.)
  await lead.goto(`${process.env.BASE_URL}/organisations/RZB`);
  await lead.waitForSelector('#escalation-history');
  const level = await lead.textContent('#escalation-level');
  assert(level.includes('Enhanced surveillance'), `Brackley Vale is at enhanced: ${level}`);
  assert((await lead.$$eval('#escalation-history li', (l) => l.length)) === 3, 'three decisions in its history');
  await visit(lead, 'my-work', '/my-work', '#work-concerns');
});

await test('intelligence2: the story at Avonford, from a signal to de-escalation', async () => {
  // A signal of the falls cluster -> raise a concern from it.
  await lead.goto(`${process.env.BASE_URL}/organisations/RZA`);
  await lead.waitForSelector('#signal-list');
  const raise = await lead.$('#signal-list a.app-signal-raise');
  assert(raise, 'a signal offers to raise a concern');
  await raise.click();
  await lead.waitForSelector('#concern-form');
  await lead.fill('#c-title', 'Browser story: falls with harm at Avonford');
  await lead.fill('#c-owner', 'lead@example.nhs.uk');
  await lead.fill('#c-review', inDays(3));
  await lead.click('#concern-submit');
  await lead.waitForSelector('#concern-history');
  concernUrl = lead.url();
  assert((await lead.textContent('#concern-status')).includes('open'), 'the concern is open');
  // A follow-up with an action.
  await lead.fill('#f-with', 'Chief Nurse, Avonford');
  await lead.fill('#f-heard', 'Night staffing is short on Ward 7');
  await lead.fill('#f-agreed', 'Relaunch the falls bundle');
  await lead.fill('#f-action', 'Relaunch the falls bundle on Ward 7');
  await lead.fill('#f-action-owner', 'lead@example.nhs.uk');
  await lead.fill('#f-action-due', inDays(-1));
  await Promise.all([lead.waitForResponse((r) => r.url().includes('/follow-ups')), lead.click('#follow-up-submit')]);
  await lead.waitForSelector('#concern-actions tbody tr');
  assert((await lead.textContent('#concern-status')).includes('under follow up'), 'under follow-up');
  // Escalation to enhanced with a reason.
  await lead.selectOption('#e-level', 'enhanced');
  await lead.fill('#e-reason', 'Cluster of falls with severe harm on Ward 7');
  await lead.fill('#e-criteria', 'No severe harm from falls for three months');
  await lead.fill('#e-told', 'NHS England regional quality team; CQC');
  await Promise.all([lead.waitForResponse((r) => r.url().includes('/escalations')), lead.click('#escalate-submit')]);
  await lead.waitForFunction(() => document.querySelector('#concern-status')?.textContent?.includes('escalated'));
  await visit(lead, 'concern', new URL(concernUrl).pathname, '#concern-history');
  // The next JIG's generated agenda carries Avonford's escalation and the concern.
  await lead.goto(`${process.env.BASE_URL}/meetings`);
  await lead.waitForSelector('#meeting-form');
  await lead.fill('#g-date', inDays(7));
  await lead.click('#meeting-submit');
  await lead.waitForSelector('#agenda');
  meetingUrl = lead.url();
  const kinds = await lead.$$eval('#agenda li[data-organisation="RZA"]', (l) => l.map((x) => x.dataset.kind));
  assert(kinds.includes('escalation') && kinds.includes('concern'), `RZA on the agenda: ${kinds}`);
  await visit(lead, 'meeting', new URL(meetingUrl).pathname, '#agenda');
  // Minutes with an NHS number are refused with the field named.
  const form = await lead.$('form.app-minutes');
  await form.$eval('summary', () => {}).catch(() => {});
  await lead.click('#agenda details summary');
  await lead.fill('form.app-minutes textarea[name="minutes"]', 'Patient 943 476 5919 discussed');
  await lead.click('form.app-minutes button[type="submit"]');
  await lead.waitForSelector('form.app-minutes .nhsuk-error-summary');
  assert((await lead.textContent('form.app-minutes .nhsuk-error-summary')).includes('minutes'), 'the error names the minutes');
  // In the system quality report.
  const report = await lead.evaluate(async () => {
    const r = await fetch('/api/reports/system-quality.pdf');
    return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
  });
  assert(report.status === 200 && report.type === 'application/pdf' && report.size > 5000, `report ${JSON.stringify(report)}`);
  // De-escalated with a reason.
  await lead.goto(concernUrl);
  await lead.waitForSelector('#escalate-form');
  await lead.selectOption('#e-level', 'routine');
  await lead.fill('#e-reason', 'Step-down criteria met');
  await Promise.all([lead.waitForResponse((r) => r.url().includes('/escalations')), lead.click('#escalate-submit')]);
  await lead.goto(`${process.env.BASE_URL}/organisations/RZA`);
  await lead.waitForSelector('#escalation-history');
  const history = await lead.textContent('#escalation-history');
  assert(history.includes('Step-down criteria met') && history.includes('Cluster of falls'), `time line: ${history}`);
  assert((await lead.textContent('#escalation-level')).includes('Routine'), 'back at routine');
});

await test('intelligence2: another organisation’s lead sees none of it; every write audited', async () => {
  const admin = await signedIn('admin@example.nhs.uk');
  const made = await admin.evaluate(async () => {
    const s = await (await fetch('/api/session')).json();
    return s;
  });
  assert(made, 'admin session');
  // Create RZC's lead through the accounts API (the admin's CSRF token is in the sign-in answer).
  const csrf = await admin.evaluate(async () => {
    const r = await fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.nhs.uk', password: 'correct horse battery staple' }) });
    return (await r.json()).csrf_token;
  });
  const created = await admin.evaluate(async (token) => {
    const r = await fetch('/api/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token }, body: JSON.stringify({ email: 'rzc.lead@example.nhs.uk', role: 'organisation_quality_lead', organisation: 'RZC', password: 'correct horse battery staple' }) });
    return r.status;
  }, csrf);
  assert(created === 201 || created === 409, `account: ${created}`);
  const audit = await admin.evaluate(async () => (await (await fetch('/api/audit?limit=1000')).json()).entries.map((e) => e.action));
  for (const a of ['concern.create', 'follow_up.create', 'action.create', 'escalation.create', 'meeting.create']) {
    assert(audit.includes(a), `audited: ${a}`);
  }
  await admin.context().close();
  const other = await newPage();
  await signIn(other, 'rzc.lead@example.nhs.uk');
  const seen = await other.evaluate(async (path) => ({
    concern: (await fetch(`/api${path}`)).status,
    concerns: (await (await fetch('/api/concerns')).json()).concerns.map((c) => c.title),
    escalations: (await fetch('/api/organisations/RZA/escalations')).status,
    system: (await (await fetch('/api/escalations')).json()).escalations.length,
  }), new URL(concernUrl).pathname);
  assert(seen.concern === 404, `concern: ${seen.concern}`);
  assert(!seen.concerns.some((t) => t.includes('Avonford')), `concerns: ${seen.concerns}`);
  assert(seen.escalations === 404, `escalations: ${seen.escalations}`);
  assert(seen.system === 0, `system escalations: ${seen.system}`);
  await visit(other, 'concerns-other-lead', '/concerns', '#concern-table');
  await other.context().close();
});

await finish();
