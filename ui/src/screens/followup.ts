// Acting on intelligence (docs/intelligence.md, "Acting on it"): my work, concerns with their
// life, follow-ups and actions, the system risk register with its heat map, quality group
// meetings with their generated agenda and minutes, and an organisation's escalation time line.
// Every list is the person's scope as the server gives it.
import { ApiError, can, get, post, request } from '../api';
import { navigate } from '../router';
import { breadcrumbs, enc, errorSummary, esc, period, tag } from '../dom';

interface Action {
  id: number;
  title: string;
  owner: string;
  due: string;
  status: string;
  overdue: boolean;
  concern: number | null;
  concern_title: string | null;
  meeting: number | null;
  organisation: string | null;
}
interface Concern {
  id: number;
  title: string;
  owner: string;
  review_by: string;
  status: string;
  opened_on: string;
  organisations: string[];
  metrics?: string[];
  description?: string;
  open_actions?: number;
  history?: { on: string; from: string | null; to: string; reason: string; by: string }[];
  signals?: { source: string; organisation: string | null; reason: string; href: string }[];
  follow_ups?: { held_on: string; organisation: string; with_whom: string; asked: string; heard: string; agreed: string; assurance: string }[];
  actions?: Action[];
  escalations?: { organisation: string; level: string; previous_level: string; reason: string; decided_on: string }[];
  risks?: { id: number; title: string; score: number; band: string }[];
}
interface Risk {
  id: number;
  title: string;
  owner: string;
  consequence: number;
  likelihood: number;
  score: number;
  band: string;
  status: string;
  controls: string;
  review_by: string | null;
  organisations: string[];
  previous_score?: number | null;
  above_appetite: boolean;
  history?: { on: string; score: number; band: string; reason: string; by: string }[];
}
interface Meeting {
  id: number;
  group: string;
  group_name: string;
  title: string;
  held_on: string;
  chair: string;
  organisation: string | null;
  members?: string[];
  writable?: boolean;
  items?: number;
  agenda?: AgendaItem[];
}
interface AgendaItem {
  id: number;
  kind: string;
  title: string;
  organisation: string | null;
  organisation_name: string | null;
  detail: string;
  minutes: string;
  decision: string;
  ref: string;
  actions: Action[];
}
interface Escalation {
  level: string;
  display_name: string;
  previous_display_name: string;
  direction: string;
  reason: string;
  decided_on: string;
  by: string;
  step_down_criteria: string;
  people_told: string[];
  meeting_title: string | null;
}

const statusColour: Record<string, string> = {
  open: 'blue',
  under_follow_up: 'yellow',
  resolved: 'green',
  escalated: 'red',
  closed: 'grey',
};
const bandColour: Record<string, string> = { low: 'green', moderate: 'yellow', high: 'orange', extreme: 'red' };
const words = (s: string) => s.replace(/_/g, ' ');
const statusTag = (s: string) => tag(words(s), statusColour[s] ?? 'grey');
const bandTag = (b: string) => tag(b, bandColour[b] ?? 'grey');

function table(id: string, caption: string, head: string[], rows: string[][]): string {
  return `<div class="app-scroll" role="region" aria-labelledby="${id}-caption" tabindex="0"><table class="nhsuk-table" id="${id}">
  <caption class="nhsuk-table__caption" id="${id}-caption">${esc(caption)}</caption>
  <thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
  <tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

function field(id: string, label: string, input = `<input class="nhsuk-input" id="${id}" name="${id}" type="text">`): string {
  return `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(label)}</label>${input}</div>`;
}
const dateInput = (id: string, value = '') => `<input class="nhsuk-input nhsuk-input--width-10" id="${id}" name="${id}" type="date" value="${esc(value)}">`;
const area = (id: string) => `<textarea class="nhsuk-textarea" id="${id}" name="${id}" rows="3"></textarea>`;
const select = (id: string, options: [string, string][]) => `<select class="nhsuk-select" id="${id}" name="${id}">${options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join('')}</select>`;
const val = (form: HTMLFormElement, name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();

// Submits `body()` to `path`, showing the server's error above the form; then `done`.
function onSubmit(form: HTMLFormElement, method: string, path: string, body: () => object, done: (r: unknown) => void): void {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    form.querySelector('.nhsuk-error-summary')?.remove();
    try {
      done(await request(method, path, body()));
    } catch (e) {
      const msg = e instanceof ApiError ? e.message : String(e);
      form.insertAdjacentHTML('afterbegin', errorSummary('There is a problem', [msg], `${form.id}-error`));
      (form.querySelector('.nhsuk-error-summary') as HTMLElement | null)?.focus();
    }
  });
}

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

// ---- my work
export async function myWorkScreen(main: HTMLElement): Promise<void> {
  const w = await get<{ since: string | null; concerns: Concern[]; actions: Action[]; meetings: Meeting[]; risks: Risk[]; changed: { what: string; id: number; title: string; change: string; by: string; at: string }[] }>('/api/my-work');
  main.innerHTML = `<h1 class="nhsuk-heading-l">My work</h1>
  <p>What is assigned to you: concerns you own, actions due, meetings coming and risks you own.</p>
  <h2 class="nhsuk-heading-m">Changed since you last looked${w.since ? ` (${esc(period(w.since.slice(0, 10)))})` : ''}</h2>
  ${w.changed.length ? `<ul class="nhsuk-list nhsuk-list--bullet" id="work-changed">${w.changed.map((c) => `<li><a href="/${c.what === 'concern' ? `concerns/${c.id}` : 'my-work'}">${esc(c.title)}</a>: ${esc(c.change)} (${esc(c.by.replace(/^\w+:/, ''))})</li>`).join('')}</ul>` : '<p id="work-changed">Nothing new.</p>'}
  <button class="nhsuk-button nhsuk-button--secondary" id="work-seen" type="button">Mark all as seen</button>
  <h2 class="nhsuk-heading-m">Concerns I own</h2>
  ${w.concerns.length ? table('work-concerns', `${w.concerns.length} open concerns`, ['Concern', 'Organisations', 'Status', 'Review by'], w.concerns.map((c) => [`<a href="/concerns/${c.id}">${esc(c.title)}</a>`, esc(c.organisations.join(', ')), statusTag(c.status), esc(period(c.review_by))])) : '<p id="work-concerns">None.</p>'}
  <h2 class="nhsuk-heading-m">Actions due</h2>
  ${w.actions.length ? table('work-actions', `${w.actions.length} open actions`, ['Action', 'Due', 'From'], w.actions.map((a) => [esc(a.title), `${esc(period(a.due))}${a.overdue ? ` ${tag('Overdue', 'red')}` : ''}`, a.concern ? `<a href="/concerns/${a.concern}">${esc(a.concern_title ?? 'Concern')}</a>` : a.meeting ? `<a href="/meetings/${a.meeting}">Meeting</a>` : ''])) : '<p id="work-actions">None.</p>'}
  <h2 class="nhsuk-heading-m">Meetings coming</h2>
  ${w.meetings.length ? `<ul class="nhsuk-list" id="work-meetings">${w.meetings.map((m) => `<li><a href="/meetings/${m.id}">${esc(m.title)}</a></li>`).join('')}</ul>` : '<p id="work-meetings">None.</p>'}
  <h2 class="nhsuk-heading-m">Risks I own</h2>
  ${w.risks.length ? `<ul class="nhsuk-list" id="work-risks">${w.risks.map((r) => `<li><a href="/risks/${r.id}">${esc(r.title)}</a> ${bandTag(r.band)}</li>`).join('')}</ul>` : '<p id="work-risks">None.</p>'}`;
  main.querySelector('#work-seen')?.addEventListener('click', async () => {
    await post('/api/my-work/seen');
    navigate('/my-work', true);
  });
}

// ---- concerns
export async function concernsScreen(main: HTMLElement, _p: Record<string, string>, q: URLSearchParams): Promise<void> {
  const org = q.get('organisation') ?? '';
  const list = await get<{ concerns: Concern[] }>(`/api/concerns${org ? `?organisation=${enc(org)}` : ''}`);
  const signal = q.get('signal');
  main.innerHTML = `<h1 class="nhsuk-heading-l">Concerns</h1>
  <p>Signals the system has decided to follow up, each with a named owner and a review date. A concern moves from open to under follow-up, then resolved or escalated, then closed; every move is dated, attributed and reasoned.</p>
  ${list.concerns.length ? table('concern-table', `${list.concerns.length} concerns${org ? ` at ${org}` : ''}`, ['Concern', 'Organisations', 'Owner', 'Status', 'Review by', 'Open actions'], list.concerns.map((c) => [`<a href="/concerns/${c.id}">${esc(c.title)}</a>`, esc(c.organisations.join(', ')), esc(c.owner), statusTag(c.status), esc(period(c.review_by)), String(c.open_actions ?? 0)])) : '<p id="concern-table">No concerns in your scope.</p>'}
  ${can('concern.create') ? `<h2 class="nhsuk-heading-m" id="raise">Raise a concern</h2>
  <form id="concern-form" novalidate>
    ${field('c-title', 'Title')}
    ${field('c-organisation', 'Organisation (ODS code)', `<input class="nhsuk-input nhsuk-input--width-10" id="c-organisation" name="c-organisation" type="text" value="${esc(org)}">`)}
    ${field('c-owner', 'Owner (e-mail of a person with an account)', `<input class="nhsuk-input" id="c-owner" name="c-owner" type="email">`)}
    ${field('c-review', 'Review by', dateInput('c-review', inDays(28)))}
    ${field('c-description', 'What the evidence shows', area('c-description'))}
    ${signal ? `<p>Raised from the signal: ${esc(signal)}</p>` : ''}
    <button class="nhsuk-button" id="concern-submit" type="submit">Raise the concern</button>
  </form>` : ''}`;
  const form = main.querySelector<HTMLFormElement>('#concern-form');
  if (form) {
    onSubmit(form, 'POST', '/api/concerns', () => {
      const orgCode = val(form, 'c-organisation');
      const sig = signal ? JSON.parse(signal) : null;
      return { title: val(form, 'c-title'), organisations: orgCode ? [orgCode] : [], owner: val(form, 'c-owner'), review_by: val(form, 'c-review'), description: val(form, 'c-description'), signals: sig ? [sig] : [] };
    }, (r) => navigate(`/concerns/${(r as Concern).id}`));
  }
}

export async function concernScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const c = await get<Concern>(`/api/concerns/${enc(p.id!)}`);
  const org = c.organisations[0] ?? '';
  const moves: Record<string, string[]> = { open: ['under_follow_up', 'resolved', 'escalated'], under_follow_up: ['resolved', 'escalated'], resolved: ['closed', 'under_follow_up'], escalated: ['closed', 'under_follow_up'], closed: [] };
  main.innerHTML = `${breadcrumbs([['/concerns', 'Concerns']])}
  <h1 class="nhsuk-heading-l">${esc(c.title)} <span class="nhsuk-caption-l">Concern ${c.id}</span></h1>
  <dl class="nhsuk-summary-list" id="concern-summary">
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Status</dt><dd class="nhsuk-summary-list__value" id="concern-status">${statusTag(c.status)}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Owner</dt><dd class="nhsuk-summary-list__value">${esc(c.owner)}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Organisations</dt><dd class="nhsuk-summary-list__value">${c.organisations.map((o) => `<a href="/organisations/${enc(o)}">${esc(o)}</a>`).join(', ')}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Review by</dt><dd class="nhsuk-summary-list__value">${esc(period(c.review_by))}</dd></div>
  </dl>
  ${c.description ? `<p>${esc(c.description)}</p>` : ''}
  <h2 class="nhsuk-heading-m">Evidence</h2>
  ${c.signals?.length ? `<ul class="nhsuk-list" id="concern-signals">${c.signals.map((s) => `<li>${tag(s.source, 'grey')} ${s.href ? `<a href="${esc(s.href)}">${esc(s.reason)}</a>` : esc(s.reason)}</li>`).join('')}</ul>` : '<p id="concern-signals">Raised from a note, not a signal.</p>'}
  <h2 class="nhsuk-heading-m">History</h2>
  <ol class="app-timeline" id="concern-history">${(c.history ?? []).map((h) => `<li class="app-timeline__item"><strong>${esc(period(h.on))}</strong>: ${h.from ? `${esc(words(h.from))} → ` : ''}${esc(words(h.to))}. ${esc(h.reason)} <span class="nhsuk-body-s">(${esc(h.by.replace(/^\w+:/, ''))})</span></li>`).join('')}</ol>
  <h2 class="nhsuk-heading-m">Follow-up conversations</h2>
  ${c.follow_ups?.length ? c.follow_ups.map((f) => `<div class="nhsuk-card"><div class="nhsuk-card__content"><h3 class="nhsuk-card__heading nhsuk-heading-s">${esc(period(f.held_on))}: ${esc(f.with_whom)} (${esc(f.organisation)})</h3><p><strong>Asked:</strong> ${esc(f.asked)}</p><p><strong>Heard:</strong> ${esc(f.heard)}</p><p><strong>Agreed:</strong> ${esc(f.agreed)}</p>${f.assurance ? `<p>${tag(words(f.assurance), f.assurance === 'assured' ? 'green' : f.assurance === 'not_assured' ? 'red' : 'yellow')}</p>` : ''}</div></div>`).join('') : '<p id="follow-ups">None yet.</p>'}
  <h2 class="nhsuk-heading-m">Actions</h2>
  ${c.actions?.length ? table('concern-actions', `${c.actions.length} actions`, ['Action', 'Owner', 'Due', 'Status'], c.actions.map((a) => [esc(a.title), esc(a.owner), esc(period(a.due)), esc(a.status)])) : '<p id="concern-actions">None.</p>'}
  ${c.risks?.length ? `<h2 class="nhsuk-heading-m">Risks</h2><ul class="nhsuk-list">${c.risks.map((r) => `<li><a href="/risks/${r.id}">${esc(r.title)}</a> ${bandTag(r.band)}</li>`).join('')}</ul>` : ''}
  ${can('follow_up.create') && c.status !== 'closed' ? `<h2 class="nhsuk-heading-m">Record a follow-up conversation</h2>
  <form id="follow-up-form" novalidate>
    ${field('f-held', 'Held on', dateInput('f-held', today()))}
    ${field('f-with', 'With whom')}
    ${field('f-asked', 'What was asked', area('f-asked'))}
    ${field('f-heard', 'What was heard', area('f-heard'))}
    ${field('f-agreed', 'What was agreed', area('f-agreed'))}
    ${field('f-assurance', 'Assurance', select('f-assurance', [['', 'Not stated'], ['assured', 'Assured'], ['partially_assured', 'Partially assured'], ['not_assured', 'Not assured']]))}
    ${field('f-action', 'An action (optional)')}
    ${field('f-action-owner', 'Its owner (e-mail)', '<input class="nhsuk-input" id="f-action-owner" name="f-action-owner" type="email">')}
    ${field('f-action-due', 'Its due date', dateInput('f-action-due', inDays(14)))}
    <button class="nhsuk-button" id="follow-up-submit" type="submit">Record the conversation</button>
  </form>` : ''}
  ${can('concern.move') && (moves[c.status] ?? []).length ? `<h2 class="nhsuk-heading-m">Move the concern</h2>
  <form id="move-form" novalidate>
    ${field('m-status', 'New status', select('m-status', (moves[c.status] ?? []).map((s) => [s, words(s)])))}
    ${field('m-reason', 'Reason', area('m-reason'))}
    <button class="nhsuk-button nhsuk-button--secondary" id="move-submit" type="submit">Move</button>
  </form>` : ''}
  ${can('escalation.create') && org ? `<h2 class="nhsuk-heading-m">Escalation of ${esc(org)}</h2>
  <form id="escalate-form" novalidate>
    ${field('e-level', 'Level', select('e-level', [['enhanced', 'Enhanced surveillance'], ['intensive', 'Intensive support'], ['routine', 'Routine quality monitoring']]))}
    ${field('e-reason', 'Reason', area('e-reason'))}
    ${field('e-criteria', 'Criteria for stepping down', area('e-criteria'))}
    ${field('e-told', 'People told (separate with ;)')}
    <button class="nhsuk-button nhsuk-button--secondary" id="escalate-submit" type="submit">Record the decision</button>
  </form>` : ''}`;
  const reload = () => navigate(`/concerns/${c.id}`, true);
  const fu = main.querySelector<HTMLFormElement>('#follow-up-form');
  if (fu) {
    onSubmit(fu, 'POST', `/api/concerns/${c.id}/follow-ups`, () => ({
      held_on: val(fu, 'f-held'), organisation: org, with_whom: val(fu, 'f-with'), asked: val(fu, 'f-asked'), heard: val(fu, 'f-heard'), agreed: val(fu, 'f-agreed'), assurance: val(fu, 'f-assurance') || null,
      actions: val(fu, 'f-action') ? [{ title: val(fu, 'f-action'), owner: val(fu, 'f-action-owner'), due: val(fu, 'f-action-due') }] : [],
    }), reload);
  }
  const mv = main.querySelector<HTMLFormElement>('#move-form');
  if (mv) onSubmit(mv, 'POST', `/api/concerns/${c.id}/status`, () => ({ status: val(mv, 'm-status'), reason: val(mv, 'm-reason') }), reload);
  const es = main.querySelector<HTMLFormElement>('#escalate-form');
  if (es) {
    onSubmit(es, 'POST', `/api/organisations/${enc(org)}/escalations`, () => ({
      level: val(es, 'e-level'), reason: val(es, 'e-reason'), step_down_criteria: val(es, 'e-criteria'),
      people_told: val(es, 'e-told').split(';').map((s) => s.trim()).filter(Boolean), concern: c.id,
    }), reload);
  }
}

// ---- risks
export async function risksScreen(main: HTMLElement): Promise<void> {
  const r = await get<{ appetite: number; risks: Risk[]; heatmap: { counts: number[][]; bands: string[][] } }>('/api/risks');
  const likelihood = ['Rare', 'Unlikely', 'Possible', 'Likely', 'Almost certain'];
  const consequence = ['Negligible', 'Minor', 'Moderate', 'Major', 'Catastrophic'];
  const cells = [5, 4, 3, 2, 1].map((c) => `<tr><th scope="row">${c} ${consequence[c - 1]}</th>${[1, 2, 3, 4, 5].map((l) => {
    const band = r.heatmap.bands[c - 1]![l - 1]!;
    const n = r.heatmap.counts[c - 1]![l - 1]!;
    return `<td class="app-heat app-heat--${band}">${n ? `<strong>${n}</strong>` : '<span class="nhsuk-u-visually-hidden">none</span>'}<span class="app-heat__band">${esc(band)} ${c * l}</span></td>`;
  }).join('')}</tr>`).join('');
  main.innerHTML = `<h1 class="nhsuk-heading-l">System risk register</h1>
  <p>Each risk's score is its consequence (1 to 5) times its likelihood (1 to 5): 1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme. Risks scoring over ${r.appetite} are above the system's appetite and go to the Joint Intelligence Group.</p>
  <h2 class="nhsuk-heading-m" id="heat-heading">Heat map</h2>
  <div class="app-scroll" role="region" aria-labelledby="heat-heading" tabindex="0"><table class="nhsuk-table app-heatmap" id="heatmap"><caption class="nhsuk-table__caption">Open risks by consequence (rows) and likelihood (columns)</caption>
  <thead><tr><th scope="col">Consequence</th>${likelihood.map((l, i) => `<th scope="col">${i + 1} ${l}</th>`).join('')}</tr></thead><tbody>${cells}</tbody></table></div>
  <h2 class="nhsuk-heading-m">Risks</h2>
  ${r.risks.length ? table('risk-table', `${r.risks.length} risks, highest score first`, ['Risk', 'Score', 'Band', 'Movement', 'Owner', 'Organisations', 'Review by'], r.risks.map((x) => [`<a href="/risks/${x.id}">${esc(x.title)}</a>`, String(x.score), bandTag(x.band), x.previous_score == null ? 'new' : x.previous_score === x.score ? 'no change' : x.score > x.previous_score ? `up from ${x.previous_score}` : `down from ${x.previous_score}`, esc(x.owner), esc(x.organisations.join(', ')), esc(period(x.review_by)), ])) : '<p id="risk-table">No risks in your scope.</p>'}
  ${can('risk.create') ? `<h2 class="nhsuk-heading-m">Add a risk</h2>
  <form id="risk-form" novalidate>
    ${field('r-title', 'Title')}
    ${field('r-consequence', 'Consequence', select('r-consequence', consequence.map((c, i) => [String(i + 1), `${i + 1} ${c}`])))}
    ${field('r-likelihood', 'Likelihood', select('r-likelihood', likelihood.map((c, i) => [String(i + 1), `${i + 1} ${c}`])))}
    ${field('r-organisations', 'Organisations (ODS codes, separate with ;)')}
    ${field('r-owner', 'Owner (e-mail)', '<input class="nhsuk-input" id="r-owner" name="r-owner" type="email">')}
    ${field('r-controls', 'Controls', area('r-controls'))}
    <button class="nhsuk-button" id="risk-submit" type="submit">Add the risk</button>
  </form>` : ''}`;
  const form = main.querySelector<HTMLFormElement>('#risk-form');
  if (form) {
    onSubmit(form, 'POST', '/api/risks', () => ({
      title: val(form, 'r-title'), consequence: Number(val(form, 'r-consequence')), likelihood: Number(val(form, 'r-likelihood')),
      organisations: val(form, 'r-organisations').split(';').map((s) => s.trim()).filter(Boolean), owner: val(form, 'r-owner'), controls: val(form, 'r-controls'),
    }), (x) => navigate(`/risks/${(x as Risk).id}`));
  }
}

export async function riskScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const r = await get<Risk>(`/api/risks/${enc(p.id!)}`);
  main.innerHTML = `${breadcrumbs([['/risks', 'Risk register']])}
  <h1 class="nhsuk-heading-l">${esc(r.title)} <span class="nhsuk-caption-l">Risk ${r.id}</span></h1>
  <p id="risk-score">Score ${r.score} (consequence ${r.consequence} × likelihood ${r.likelihood}) ${bandTag(r.band)}${r.above_appetite ? ` ${tag('Above appetite', 'red')}` : ''}</p>
  <p>Owner: ${esc(r.owner)}. Organisations: ${esc(r.organisations.join(', '))}. Review by ${esc(period(r.review_by))}.</p>
  <p>Controls: ${esc(r.controls || 'none recorded')}</p>
  <h2 class="nhsuk-heading-m">Reviews</h2>
  <ol class="app-timeline" id="risk-history">${(r.history ?? []).map((h) => `<li class="app-timeline__item"><strong>${esc(period(h.on))}</strong>: score ${h.score} (${esc(h.band)}). ${esc(h.reason)}</li>`).join('')}</ol>`;
}

// ---- meetings
export async function meetingsScreen(main: HTMLElement): Promise<void> {
  const m = await get<{ meetings: Meeting[] }>('/api/meetings');
  main.innerHTML = `<h1 class="nhsuk-heading-l">Quality group meetings</h1>
  <p>Joint Intelligence Group, System Quality Group and quality committees. Each agenda is generated from what needs the group — new high-ranked signals, concerns due for review, escalations, risks above appetite and overdue actions — and can be edited before the meeting.</p>
  ${m.meetings.length ? table('meeting-table', `${m.meetings.length} meetings`, ['Meeting', 'Date', 'Items'], m.meetings.map((x) => [`<a href="/meetings/${x.id}">${esc(x.title)}</a>`, esc(period(x.held_on)), String(x.items ?? 0)])) : '<p id="meeting-table">No meetings visible to you.</p>'}
  ${can('meeting.create') ? `<h2 class="nhsuk-heading-m">Arrange a meeting</h2>
  <form id="meeting-form" novalidate>
    ${field('g-group', 'Group', select('g-group', [['jig', 'Joint Intelligence Group'], ['sqg', 'System Quality Group'], ['quality_committee', 'Quality committee'], ['risk_summit', 'Risk summit']]))}
    ${field('g-date', 'Date', dateInput('g-date', inDays(7)))}
    ${field('g-organisation', 'Organisation (for a quality committee)')}
    <button class="nhsuk-button" id="meeting-submit" type="submit">Arrange it and generate the agenda</button>
  </form>` : ''}`;
  const form = main.querySelector<HTMLFormElement>('#meeting-form');
  if (form) {
    onSubmit(form, 'POST', '/api/meetings', () => ({ group: val(form, 'g-group'), held_on: val(form, 'g-date'), organisation: val(form, 'g-organisation') || null }),
      (x) => navigate(`/meetings/${(x as Meeting).id}`));
  }
}

export async function meetingScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const m = await get<Meeting>(`/api/meetings/${enc(p.id!)}`);
  const kindTag: Record<string, [string, string]> = { signal: ['Signal', 'orange'], concern: ['Concern', 'blue'], escalation: ['Escalation', 'red'], risk: ['Risk', 'purple'], action: ['Overdue action', 'yellow'] };
  const items = m.agenda ?? [];
  main.innerHTML = `${breadcrumbs([['/meetings', 'Meetings']])}
  <h1 class="nhsuk-heading-l">${esc(m.title)}</h1>
  <p>${esc(m.group_name)}, ${esc(period(m.held_on))}. Chair: ${esc(m.chair || 'not set')}. Members: ${esc((m.members ?? []).join(', ') || 'none listed')}.</p>
  <p><a class="nhsuk-link" id="meeting-pack" href="/api/meetings/${m.id}/pack.pdf">Download the meeting pack (PDF)</a></p>
  ${m.writable ? '<button class="nhsuk-button nhsuk-button--secondary" id="regenerate" type="button">Regenerate the agenda</button>' : ''}
  <h2 class="nhsuk-heading-m">Agenda</h2>
  <ol class="app-agenda" id="agenda">${items.map((i) => `<li class="app-agenda__item" data-kind="${esc(i.kind)}" data-organisation="${esc(i.organisation ?? '')}">
    <h3 class="nhsuk-heading-s">${kindTag[i.kind] ? `${tag(kindTag[i.kind]![0], kindTag[i.kind]![1])} ` : ''}${esc(i.title)}</h3>
    ${i.detail ? `<p>${esc(i.detail)}</p>` : ''}
    ${i.minutes ? `<p><strong>Minutes:</strong> ${esc(i.minutes)}</p>` : ''}
    ${i.decision ? `<p><strong>Decision:</strong> ${esc(i.decision)}</p>` : ''}
    ${i.actions.length ? `<ul class="nhsuk-list">${i.actions.map((a) => `<li>Action: ${esc(a.title)} (${esc(a.owner)}, due ${esc(period(a.due))})</li>`).join('')}</ul>` : ''}
    ${m.writable ? `<details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Record minutes<span class="nhsuk-u-visually-hidden"> for ${esc(i.title)}</span></span></summary><div class="nhsuk-details__text">
      <form class="app-minutes" id="minutes-${i.id}" data-item="${i.id}" novalidate>
        ${field(`mi-${i.id}`, 'Minutes', `<textarea class="nhsuk-textarea" id="mi-${i.id}" name="minutes" rows="3">${esc(i.minutes)}</textarea>`)}
        ${field(`de-${i.id}`, 'Decision', `<textarea class="nhsuk-textarea" id="de-${i.id}" name="decision" rows="2">${esc(i.decision)}</textarea>`)}
        <button class="nhsuk-button nhsuk-button--secondary" type="submit">Save</button>
      </form></div></details>` : ''}
  </li>`).join('')}</ol>`;
  main.querySelector('#regenerate')?.addEventListener('click', async () => {
    await post(`/api/meetings/${m.id}/generate`);
    navigate(`/meetings/${m.id}`, true);
  });
  main.querySelectorAll<HTMLFormElement>('form.app-minutes').forEach((f) => {
    onSubmit(f, 'PUT', `/api/meetings/${m.id}/agenda/${f.dataset.item}`, () => ({ minutes: val(f, 'minutes'), decision: val(f, 'decision') }), () => navigate(`/meetings/${m.id}`, true));
  });
}

// ---- the escalation time line of an organisation (on its page)
export async function escalationTimeline(code: string): Promise<string> {
  const e = await get<{ level: string; display_name: string; meaning: string; since: string | null; history: Escalation[] }>(`/api/organisations/${enc(code)}/escalations`).catch(() => null);
  if (!e) return '';
  const colour = e.level === 'intensive' ? 'red' : e.level === 'enhanced' ? 'orange' : 'green';
  return `<h2 class="nhsuk-heading-m" id="escalation">Escalation</h2>
  <p id="escalation-level">${tag(e.display_name, colour)}${e.since ? ` since ${esc(period(e.since))}` : ''}. ${esc(e.meaning)}</p>
  ${e.history.length ? `<ol class="app-timeline" id="escalation-history">${e.history.map((h) => `<li class="app-timeline__item"><strong>${esc(period(h.decided_on))}</strong>: ${h.direction === 'up' ? 'escalated' : 'stepped down'} from ${esc(h.previous_display_name)} to ${esc(h.display_name)}${h.meeting_title ? ` at the ${esc(h.meeting_title)}` : ''}. ${esc(h.reason)}${h.step_down_criteria ? ` <em>Step down when: ${esc(h.step_down_criteria)}</em>` : ''}${h.people_told.length ? ` Told: ${esc(h.people_told.join(', '))}.` : ''}</li>`).join('')}</ol>` : '<p id="escalation-history">Never escalated.</p>'}`;
}
