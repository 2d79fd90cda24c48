// Capability: North West Surrey's Learn / Live / Lead. The dashboard of an organisation or the
// system (GET /api/capability: people in each tier, attendance, coaches, projects led by the
// community and the self-sustainability index with its parts; the same at the end of each of the
// last eight quarters), the people with their tiers (GET /api/people), and a person's page (GET
// /api/people/{email}) where a quality lead books them on a course, marks their attendance and
// overrides their tier with a reason. Definitions: docs/capability.md.
import { ApiError, can, get, post } from '../api';
import { navigate } from '../router';
import { breadcrumbs, enc, errorSummary, esc, fmt, period, tag } from '../dom';

interface Part {
  name: string;
  description: string;
  numerator: number;
  denominator: number;
  value: number | null;
  target: number;
  score: number | null;
}
interface Dashboard {
  organisation: string;
  as_of: string;
  people: number;
  learn: number;
  live: number;
  lead: number;
  attended: number;
  coaches: number;
  projects_led_by_community: number;
  coaching_hours: number;
  latest_evidence: string;
  self_sustainability: { index: number | null; parts: Part[] };
}
interface PersonRow {
  email: string;
  name: string;
  organisation: string;
  organisation_name: string;
  profession: string;
  tier: string;
}
interface Evidence {
  date: string;
  activity: string;
  gives: string;
  what: string;
}
interface Person {
  email: string;
  name: string;
  organisation: string;
  organisation_name: string;
  profession: string;
  as_of: string;
  tier: string;
  since: string;
  source: string;
  reason: string;
  evidence: Evidence[];
  all_evidence: Evidence[];
  history: { tier: string; since: string; source: string; reason: string; recorded_by: string }[];
  training: { course: string; title: string; course_tier: string; date: string; attended: string; role: string }[];
  coaching_given: { coachee: string; started: string; ended: string; project: string }[];
  coaching_received: { coach: string; started: string; ended: string; project: string }[];
}
interface Course {
  code: string;
  title: string;
  tier: string;
}
interface EventRow {
  id: number;
  course: string;
  course_title: string;
  course_tier: string;
  date: string;
  place: string;
  online: boolean;
  capacity: number;
  booked: number;
  attended: number;
  places_left: number;
  wave: string;
  cohort: string;
  trainers: { email: string; name: string; external: boolean }[];
}
interface Community {
  code: string;
  title: string;
  purpose: string;
  lead_name: string;
  launched: string;
  members: { email: string; name: string }[];
  meetings: { date: string; kind: string; title: string; agenda: string; shared: string; attendees: string[] }[];
  projects: { title: string; lead: string; started: string; status: string }[];
}
interface Milestone {
  id: number;
  stage: string;
  title: string;
  due: string;
  owner: string;
  status: string;
  done_on: string;
}
const stageName: Record<string, string> = {
  convene: 'Convene',
  launch_cop: 'Launch the community of practice',
  design_learn: 'Design the Learn tier',
  recruit: 'Recruit cohorts',
  run: 'Run',
  celebrate: 'Celebrate',
  evaluate: 'Evaluate',
};
const statusTag: Record<string, [string, string]> = {
  not_started: ['Not started', 'grey'],
  in_progress: ['In progress', 'blue'],
  done: ['Done', 'green'],
  at_risk: ['At risk', 'red'],
};
const eventLabel = (e: EventRow) =>
  `${e.date} ${e.course_title}${e.wave ? ` (${e.wave})` : ''}, ${e.online ? 'online' : e.place}`;

const kShown = 50; // people listed at once; the search reaches everyone
const tierColour: Record<string, string> = { learn: 'blue', live: 'green', lead: 'purple', none: 'grey' };
const tierName: Record<string, string> = { learn: 'Learn', live: 'Live', lead: 'Lead', none: 'No tier yet' };
const partName: Record<string, string> = {
  in_house_delivery: 'In-house delivery',
  coach_ratio: 'Coaches per person in Live',
  progression: 'Progression from Learn to Live',
  lead_retention: 'Lead people still active',
  community_led_projects: 'Projects led by the community',
};

export function tierTag(tier: string): string {
  return tag(tierName[tier] ?? tier, tierColour[tier] ?? 'grey');
}

function quarterEnds(asOf: string, n: number): string[] {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  let q = Math.floor((m - 1) / 3); // the quarter that contains as_of; its end may be later
  let year = y;
  const out: string[] = [];
  for (let i = 0; i < n; ++i) {
    q -= 1;
    if (q < 0) {
      q = 3;
      year -= 1;
    }
    const endMonth = q * 3 + 3;
    const last = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
    out.unshift(`${year}-${String(endMonth).padStart(2, '0')}-${String(last).padStart(2, '0')}`);
  }
  return out;
}

interface PortfolioImpact {
  metrics: { metric: string; metric_name: string; metric_unit: string; projects: number; detected: number; impact: number | null; ci_low: number | null; ci_high: number | null }[];
  series: { metric: string; unit: string; projects: number[]; detected: boolean; impact: number | null; ci_low: number | null; ci_high: number | null }[];
}

// What the community's projects achieved: the improvement part's outcome measures and their
// cumulative impact, measured on the system's own charts (zero until the SPC rules say a change is
// real; a unit-period claimed by two projects counted once). For an organisation, its own series.
function impactSection(impact: PortfolioImpact | null, org: string): string {
  if (!impact) return '';
  const names = new Map(impact.metrics.map((m) => [m.metric, m]));
  const interval = (v: number | null, lo: number | null, hi: number | null) => `<strong>${fmt(v ?? 0, 1)}</strong>${lo !== null && hi !== null ? ` (${fmt(lo, 1)} to ${fmt(hi, 1)})` : ''}`;
  const rows = org
    ? impact.series.filter((x) => x.unit === org).map((x) => {
        const m = names.get(x.metric);
        return `<tr><td><a href="/chart/${enc(x.metric)}/${enc(x.unit)}">${esc(m?.metric_name ?? x.metric)}</a></td><td class="app-num">${x.projects.length}</td><td>${x.detected ? 'yes' : 'not yet'}</td><td class="app-num">${x.detected ? interval(x.impact, x.ci_low, x.ci_high) : '0'}</td></tr>`;
      })
    : impact.metrics.map((m) => `<tr><td><a href="/metrics/${enc(m.metric)}">${esc(m.metric_name || m.metric)}</a></td><td class="app-num">${m.projects}</td><td>${m.detected ? `${m.detected} series` : 'not yet'}</td><td class="app-num">${m.detected ? interval(m.impact, m.ci_low, m.ci_high) : '0'}</td></tr>`);
  return `<h2 class="nhsuk-heading-m" id="capability-impact-heading">Outcomes and measured impact of the community's projects</h2>
  <p>From the <a href="/improvement">improvement portfolio</a>: each project's outcome measure is a series on the system's charts, and its impact counts only once the SPC rules show a real change (with a 95% interval).</p>
  ${rows.length ? `<div class="app-scroll" role="region" aria-labelledby="impact-caption" tabindex="0"><table class="nhsuk-table" id="capability-impact">
  <caption class="nhsuk-table__caption" id="impact-caption">Outcome measures${org ? ' of this organisation' : ' of the system'}</caption>
  <thead><tr><th scope="col">Outcome measure</th><th scope="col" class="app-num">Projects</th><th scope="col">Improvement detected</th><th scope="col" class="app-num">Cumulative impact (95% interval)</th></tr></thead>
  <tbody>${rows.join('')}</tbody></table></div>` : '<p id="capability-impact">No project measures an outcome here yet.</p>'}`;
}

export async function capabilityScreen(main: HTMLElement, _params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const org = query.get('organisation') ?? '';
  const asOfParam = query.get('as_of') ?? '';
  const qs = (o: string, a: string) => `organisation=${enc(o)}${a ? `&as_of=${enc(a)}` : ''}`;
  // Without a day asked for, the day of the latest training or coaching recorded (a demo's data
  // ends before today).
  const latest = asOfParam ? '' : (await get<Dashboard>(`/api/capability?${qs(org, '')}`)).latest_evidence;
  const asOf = asOfParam || latest || '';
  const [d, people, orgs, events, communities, plan, impact] = await Promise.all([
    get<Dashboard>(`/api/capability?${qs(org, asOf)}`),
    get<{ people: PersonRow[] }>(`/api/people?${qs(org, asOf)}`),
    get<{ organisations: { code: string; name: string; kind: string }[] }>('/api/organisations'),
    get<{ events: EventRow[] }>('/api/capability/events'),
    get<{ communities: Community[] }>('/api/capability/communities'),
    get<{ milestones: Milestone[] }>('/api/capability/plan'),
    // The improvement part's measured outcomes, when it is there (capability does not need it).
    get<PortfolioImpact>('/api/portfolio/impact').catch(() => null),
  ]);
  const ends = quarterEnds(d.as_of, 8);
  const history = await Promise.all(ends.map((e) => get<Dashboard>(`/api/capability?${qs(org, e)}`)));
  const ss = d.self_sustainability;
  const withPeople = new Set(people.people.map((p) => p.organisation));
  const orgOptions = orgs.organisations
    .filter((o) => o.kind !== 'place' && o.kind !== 'peer group')
    .map((o) => `<option value="${esc(o.code)}"${o.code === org ? ' selected' : ''}>${esc(o.name)}</option>`)
    .join('');
  const stat = (id: string, label: string, value: number, hint: string) =>
    `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${esc(label)}</dt><dd class="nhsuk-summary-list__value" id="${id}"><strong>${value}</strong> <span class="nhsuk-body-s">${esc(hint)}</span></dd></div>`;
  main.innerHTML = `<h1 class="nhsuk-heading-l">Capability: Learn, Live, Lead</h1>
  <p>The QI community of ${org ? esc(orgs.organisations.find((o) => o.code === org)?.name ?? org) : 'the whole system'} on ${esc(period(d.as_of))}: who is learning quality improvement, living it in their work and leading others. How the numbers are worked out is in the capability guide.</p>
  <form class="app-filter" id="capability-filter">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="cap-org">Organisation</label>
    <select class="nhsuk-select" id="cap-org" name="organisation"><option value="">The whole system</option>${orgOptions}</select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="cap-as-of">On the day</label>
    <input class="nhsuk-input nhsuk-input--width-10" id="cap-as-of" name="as_of" type="date" value="${esc(d.as_of)}"></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button>
  </form>
  <h2 class="nhsuk-heading-m">People in each tier</h2>
  <dl class="nhsuk-summary-list" id="capability-counts">
    ${stat('count-learn', 'Learn', d.learn, 'learning QI')}
    ${stat('count-live', 'Live', d.live, 'applying QI in their work')}
    ${stat('count-lead', 'Lead', d.lead, 'teaching, coaching or mentoring others')}
    ${stat('count-attended', 'Attended training', d.attended, 'people, in the 12 months to this day')}
    ${stat('count-coaches', 'Coaches', d.coaches, 'people coaching someone on this day')}
    ${stat('count-coaching-hours', 'Coaching hours', Math.round(d.coaching_hours), 'hours of coaching sessions, in the 12 months to this day')}
    ${stat('count-projects', 'Projects led by the community', d.projects_led_by_community, 'active projects led by people at Live or Lead, and by communities of practice')}
  </dl>
  ${impactSection(impact, org)}
  <p>Each of these is also a monthly measure in the dictionary (codes starting CAP_), charted with statistical process control like any other: for example <a href="/dictionary/CAP_SSI">the self-sustainability index</a>. The <a href="/readiness">readiness and self-assessment</a> page compares organisations' answers to the Health Foundation and NHS IMPACT questionnaires.</p>
  <h2 class="nhsuk-heading-m" id="ssi-heading">Self-sustainability index: <span id="ssi-index">${ss.index === null ? 'not yet measurable' : fmt(ss.index)}</span></h2>
  <p>Could the community teach, coach and lead itself without a central team? Each part is scored against its target (a score of 1 meets it); the index is 100 times the mean score of the parts that can be measured.</p>
  <div class="app-scroll" role="region" aria-labelledby="ssi-caption" tabindex="0"><table class="nhsuk-table" id="ssi-table">
  <caption class="nhsuk-table__caption" id="ssi-caption">Parts of the index</caption>
  <thead><tr><th scope="col">Part</th><th scope="col">What is divided by what</th><th scope="col" class="app-num">Value</th><th scope="col" class="app-num">Target</th><th scope="col" class="app-num">Score</th></tr></thead>
  <tbody>${ss.parts
    .map(
      (p) => `<tr data-part="${esc(p.name)}"><td>${esc(partName[p.name] ?? p.name)}</td><td>${esc(p.description)}<br><span class="nhsuk-body-s">${p.numerator} / ${p.denominator}</span></td>
      <td class="app-num">${p.value === null ? '–' : fmt(p.value, 2)}</td><td class="app-num">${fmt(p.target, 2)}</td><td class="app-num">${p.score === null ? '–' : fmt(p.score, 2)}</td></tr>`,
    )
    .join('')}</tbody></table></div>
  <h2 class="nhsuk-heading-m">Over time</h2>
  <div class="app-scroll" role="region" aria-labelledby="time-caption" tabindex="0"><table class="nhsuk-table" id="capability-history">
  <caption class="nhsuk-table__caption" id="time-caption">At the end of each quarter</caption>
  <thead><tr><th scope="col">Quarter ending</th><th scope="col" class="app-num">Learn</th><th scope="col" class="app-num">Live</th><th scope="col" class="app-num">Lead</th><th scope="col" class="app-num">Attended (12 months)</th><th scope="col" class="app-num">Coaches</th><th scope="col" class="app-num">Index</th></tr></thead>
  <tbody>${history
    .map(
      (h) => `<tr><td>${esc(period(h.as_of))}</td><td class="app-num">${h.learn}</td><td class="app-num">${h.live}</td><td class="app-num">${h.lead}</td><td class="app-num">${h.attended}</td><td class="app-num">${h.coaches}</td><td class="app-num">${h.self_sustainability.index === null ? '–' : fmt(h.self_sustainability.index)}</td></tr>`,
    )
    .join('')}</tbody></table></div>
  <h2 class="nhsuk-heading-m">Training events</h2>
  <div class="app-scroll" role="region" aria-labelledby="events-caption" tabindex="0"><table class="nhsuk-table" id="events-table">
  <caption class="nhsuk-table__caption" id="events-caption">The latest ${Math.min(12, events.events.length)} of ${events.events.length} events</caption>
  <thead><tr><th scope="col">Date</th><th scope="col">Course</th><th scope="col">Where</th><th scope="col">Trainers</th><th scope="col" class="app-num">Booked / places</th><th scope="col" class="app-num">Attended</th></tr></thead>
  <tbody>${events.events
    .slice(-12)
    .reverse()
    .map(
      (e) => `<tr><td>${esc(period(e.date))}</td><td>${esc(e.course_title)} ${tierTag(e.course_tier)}${e.wave ? `<br><span class="nhsuk-body-s">${esc(e.wave)}</span>` : ''}</td><td>${e.online ? 'Online' : esc(e.place)}</td><td>${esc(e.trainers.map((t) => t.name).join(', '))}</td><td class="app-num">${e.booked} / ${e.capacity}</td><td class="app-num">${e.attended}</td></tr>`,
    )
    .join('')}</tbody></table></div>
  <h2 class="nhsuk-heading-m">Communities of practice</h2>
  ${
    communities.communities.length
      ? communities.communities
          .map((c) => {
            const last = c.meetings.find((m) => m.kind === 'sharing');
            return `<div class="nhsuk-card" data-community="${esc(c.code)}"><div class="nhsuk-card__content"><h3 class="nhsuk-card__heading nhsuk-heading-s">${esc(c.title)}</h3>
            <p class="nhsuk-card__description">${esc(c.purpose)}</p>
            <p>Led by ${esc(c.lead_name || 'nobody yet')}; launched ${esc(period(c.launched))}; ${c.members.length} members; ${c.meetings.length} meetings and sharing events; ${c.projects.filter((p) => p.status === 'active').length} active projects led by the community.</p>
            ${last ? `<p>Last sharing event, ${esc(period(last.date))}: ${esc(last.shared)} (${last.attendees.length} attended). Agenda: ${esc(last.agenda)}</p>` : ''}</div></div>`;
          })
          .join('')
      : '<p>No community of practice yet.</p>'
  }
  <h2 class="nhsuk-heading-m">Programme plan</h2>
  ${
    plan.milestones.length
      ? `<ol class="app-timeline" id="plan-timeline">${plan.milestones
          .map(
            (m) => `<li class="app-timeline__item"><strong>${esc(stageName[m.stage] ?? m.stage)}</strong>: ${esc(m.title)}. ${tag(...(statusTag[m.status] ?? [m.status, 'grey']))}<br><span class="nhsuk-body-s">Owner ${esc(m.owner)}; due ${esc(period(m.due))}${m.done_on ? `; done ${esc(period(m.done_on))}` : ''}</span></li>`,
          )
          .join('')}</ol>`
      : '<p id="plan-timeline">No programme plan yet.</p>'
  }
  <h2 class="nhsuk-heading-m">People</h2>
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="people-search">Search by name, email or organisation</label><input class="nhsuk-input nhsuk-input--width-20" id="people-search" type="search" autocomplete="off"></div>
  <div class="app-scroll" role="region" aria-labelledby="people-caption" tabindex="0"><table class="nhsuk-table" id="people-table">
  <caption class="nhsuk-table__caption" id="people-caption">${people.people.length} people${withPeople.size > 1 ? ` in ${withPeople.size} organisations` : ''}${people.people.length > kShown ? `; the first ${kShown} shown, search to find others` : ''}</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Organisation</th><th scope="col">Tier</th></tr></thead>
  <tbody>${people.people
    .map(
      (p, i) => `<tr data-search="${esc(`${p.name} ${p.email} ${p.organisation_name}`.toLowerCase())}"${i >= kShown ? ' hidden' : ''}><td><a href="/person?email=${enc(p.email)}">${esc(p.name)}</a><br><span class="nhsuk-body-s">${esc(p.profession)}</span></td><td>${esc(p.organisation_name)}</td><td>${tierTag(p.tier)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;
  main.querySelector<HTMLFormElement>('#capability-filter')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target as HTMLFormElement);
    navigate(`/capability?${qs(String(fd.get('organisation') ?? ''), String(fd.get('as_of') ?? ''))}`);
  });
  const input = main.querySelector<HTMLInputElement>('#people-search')!;
  input.addEventListener('input', () => {
    const t = input.value.trim().toLowerCase();
    let shown = 0;
    main.querySelectorAll<HTMLElement>('#people-table tbody tr').forEach((tr) => {
      const match = !t || tr.dataset.search!.includes(t);
      tr.hidden = !match || shown >= kShown;
      if (!tr.hidden) shown += 1;
    });
  });
}

// At /person?email=... (a path ending in ".nhs.uk" would be taken for a file by the server).
export async function personScreen(main: HTMLElement, params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const email = query.get('email') ?? '';
  const [p, courses, events] = await Promise.all([
    get<Person>(`/api/people/${enc(email)}`),
    get<{ courses: Course[] }>('/api/courses'),
    get<{ events: EventRow[] }>('/api/capability/events'),
  ]);
  const eventOf = new Map(events.events.map((e) => [`${e.course}|${e.date}`, e]));
  const booked = p.training.filter((t) => t.role === 'attendee' && t.attended === 'no' && eventOf.has(`${t.course}|${t.date}`));
  const open = events.events.filter((e) => e.places_left > 0 && !p.training.some((t) => t.course === e.course && t.date === e.date)).reverse();
  const today = p.as_of;
  const basis =
    p.source === 'override'
      ? `Set by hand on ${esc(period(p.since))}: ${esc(p.reason)}`
      : p.evidence.length
        ? p.evidence.map((e) => `${esc(e.what)} (${esc(period(e.date))})`).join('; ')
        : 'No training, coaching or project yet.';
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${x}</td>`).join('')}</tr>`).join('');
  main.innerHTML = `${breadcrumbs([['/capability', 'Capability']])}
  <h1 class="nhsuk-heading-l">${esc(p.name)}</h1>
  <p>${esc(p.profession)}${p.profession ? ', ' : ''}${esc(p.organisation_name)}. Work email ${esc(p.email)}.</p>
  <div class="nhsuk-inset-text" id="person-tier-box"><p>Tier today: <span id="person-tier">${tierTag(p.tier)}</span>${p.since ? ` since ${esc(period(p.since))}` : ''}.</p><p id="person-basis">${basis}</p></div>
  <div id="person-messages" aria-live="polite"></div>
  ${
    can('attendance.record')
      ? `<form id="attendance-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Book on a course or mark attendance</h2></legend>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="att-course">Course</label><select class="nhsuk-select" id="att-course" name="course">${courses.courses.map((c) => `<option value="${esc(c.code)}">${esc(c.title)} (${esc(tierName[c.tier] ?? c.tier)})</option>`).join('')}</select></div>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="att-date">Date of the session</label><input class="nhsuk-input nhsuk-input--width-10" id="att-date" name="date" type="date" value="${esc(today)}" max="${esc(today)}"></div>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="att-attended">Attended</label><select class="nhsuk-select" id="att-attended" name="attended"><option value="no">Booked, not attended (yet)</option><option value="yes">Attended</option></select></div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="att-submit">Save</button></fieldset></form>`
      : ''
  }
  ${
    can('event.book')
      ? `<form id="book-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Book on a training event</h2></legend>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="book-event">Event (with places left)</label><select class="nhsuk-select" id="book-event" name="event">${open.map((e) => `<option value="${e.id}" data-course="${esc(e.course)}">${esc(eventLabel(e))}: ${e.places_left} places left</option>`).join('')}</select></div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="book-submit">Book</button></fieldset></form>`
      : ''
  }
  ${
    can('event.attendance') && booked.length
      ? `<form id="mark-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Mark attendance at an event</h2></legend>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="mark-event">Event booked</label><select class="nhsuk-select" id="mark-event" name="event">${booked.map((t) => { const e = eventOf.get(`${t.course}|${t.date}`)!; return `<option value="${e.id}">${esc(eventLabel(e))}</option>`; }).join('')}</select></div>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="mark-attended">Attended</label><select class="nhsuk-select" id="mark-attended" name="attended"><option value="yes">Attended</option><option value="no">Did not attend</option></select></div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="mark-submit">Save attendance</button></fieldset></form>`
      : ''
  }
  <h2 class="nhsuk-heading-m">Training</h2>
  ${
    p.training.length
      ? `<div class="app-scroll" role="region" aria-label="Training" tabindex="0"><table class="nhsuk-table" id="person-training"><thead><tr><th scope="col">Date</th><th scope="col">Course</th><th scope="col">Attended</th><th scope="col">Role</th></tr></thead><tbody>${rows(
          p.training.map((t) => [esc(period(t.date)), `${esc(t.title)} ${tierTag(t.course_tier)}`, t.attended === 'yes' ? 'Attended' : 'Booked', t.role === 'trainer' ? 'Taught' : 'Attendee']),
        )}</tbody></table></div>`
      : '<p id="person-training">No training booked yet.</p>'
  }
  <h2 class="nhsuk-heading-m">Coaching</h2>
  ${p.coaching_given.length ? `<p>Coaches: ${p.coaching_given.map((c) => `${esc(c.coachee)} from ${esc(period(c.started))}${c.ended ? ` to ${esc(period(c.ended))}` : ''}${c.project ? ` (${esc(c.project)})` : ''}`).join('; ')}.</p>` : ''}
  ${p.coaching_received.length ? `<p>Coached by: ${p.coaching_received.map((c) => `${esc(c.coach)} from ${esc(period(c.started))}${c.ended ? ` to ${esc(period(c.ended))}` : ''}${c.project ? ` (${esc(c.project)})` : ''}`).join('; ')}.</p>` : ''}
  ${!p.coaching_given.length && !p.coaching_received.length ? '<p>No coaching yet.</p>' : ''}
  <h2 class="nhsuk-heading-m">History of tiers</h2>
  ${
    p.history.length
      ? `<table class="nhsuk-table" id="person-history"><thead><tr><th scope="col">From</th><th scope="col">Tier</th><th scope="col">Why</th></tr></thead><tbody>${rows(
          p.history.map((h) => [esc(period(h.since)), tierTag(h.tier), h.source === 'override' ? `Set by ${esc(h.recorded_by)}: ${esc(h.reason)}` : 'From the evidence']),
        )}</tbody></table>`
      : '<p id="person-history">No tier yet.</p>'
  }
  ${
    can('tier.override')
      ? `<form id="override-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Set the tier by hand</h2></legend>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="ov-tier">Tier</label><select class="nhsuk-select" id="ov-tier" name="tier">${['learn', 'live', 'lead', 'none'].map((t) => `<option value="${t}"${t === p.tier ? ' selected' : ''}>${esc(tierName[t])}</option>`).join('')}</select></div>
      <div class="nhsuk-form-group" id="ov-reason-group"><label class="nhsuk-label" for="ov-reason">Reason</label><div class="nhsuk-hint" id="ov-reason-hint">Why the evidence does not show this person's tier. Required.</div><div id="ov-reason-error"></div>
      <textarea class="nhsuk-textarea" id="ov-reason" name="reason" rows="2" aria-describedby="ov-reason-hint"></textarea></div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit">Set tier</button></fieldset></form>`
      : ''
  }`;
  const messages = main.querySelector<HTMLElement>('#person-messages')!;
  const fail = (title: string, e: unknown) => {
    const msg = e instanceof ApiError || e instanceof Error ? e.message : String(e);
    messages.innerHTML = errorSummary(title, [msg], 'person-error');
    messages.querySelector<HTMLElement>('.nhsuk-error-summary')?.focus();
  };
  main.querySelector<HTMLFormElement>('#attendance-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = Object.fromEntries(new FormData(ev.target as HTMLFormElement)) as Record<string, string>;
    try {
      await post(`/api/people/${enc(email)}/attendance`, fd);
      await personScreen(main, params, query);
      main.querySelector<HTMLElement>('#person-messages')!.innerHTML = `<div class="nhsuk-inset-text" role="status" id="person-saved"><p>Saved.</p></div>`;
    } catch (e) {
      fail('The attendance was not saved', e);
    }
  });
  const saved = async () => {
    await personScreen(main, params, query);
    main.querySelector<HTMLElement>('#person-messages')!.innerHTML = `<div class="nhsuk-inset-text" role="status" id="person-saved"><p>Saved.</p></div>`;
  };
  main.querySelector<HTMLFormElement>('#book-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = (main.querySelector<HTMLSelectElement>('#book-event')!).value;
    try {
      await post(`/api/capability/events/${enc(id)}/bookings`, { email });
      await saved();
    } catch (e) {
      fail('The booking was not saved', e);
    }
  });
  main.querySelector<HTMLFormElement>('#mark-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = (main.querySelector<HTMLSelectElement>('#mark-event')!).value;
    const attended = (main.querySelector<HTMLSelectElement>('#mark-attended')!).value;
    try {
      await post(`/api/capability/events/${enc(id)}/attendance`, { email, attended });
      await saved();
    } catch (e) {
      fail('The attendance was not saved', e);
    }
  });
  main.querySelector<HTMLFormElement>('#override-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = Object.fromEntries(new FormData(ev.target as HTMLFormElement)) as Record<string, string>;
    if (!fd.reason?.trim()) {
      const group = main.querySelector<HTMLElement>('#ov-reason-group')!;
      group.classList.add('nhsuk-form-group--error');
      main.querySelector<HTMLElement>('#ov-reason-error')!.innerHTML = `<span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">Error:</span> Enter the reason for setting the tier by hand</span>`;
      fail('There is a problem', new Error('Enter the reason for setting the tier by hand'));
      return;
    }
    try {
      await post(`/api/people/${enc(email)}/tier`, fd);
      await personScreen(main, params, query);
    } catch (e) {
      fail('The tier was not set', e);
    }
  });
}
