// Learning: the lessons library (GET/POST /api/lessons), a lesson with its spread and the
// response form (GET /api/lessons/{id}, /spread, POST /responses), search over everything
// (GET /api/search), learning forums and thematic reviews (GET /api/forums, /api/reviews/{id}),
// and the learning digest (GET /api/digest, .pdf, .atom). Rules: docs/learning.md.
import { ApiError, can, get, post } from '../api';
import { navigate } from '../router';
import { breadcrumbs, enc, errorSummary, esc, period, tag } from '../dom';

interface Response {
  organisation: string;
  organisation_name: string;
  response: string;
  date: string;
  project: string;
  action: string;
}
interface Lesson {
  id: number;
  title: string;
  summary: string;
  organisation: string | null;
  organisation_name: string | null;
  anonymised: boolean;
  share: string;
  source: { kind: string; id: number | null } | null;
  themes: string[];
  rapid_learning_points: string[];
  metrics: string[];
  co_design: boolean;
  learned_on: string;
  responses: Response[];
}
interface SpreadRow {
  organisation: string;
  organisation_name: string;
  kind: string;
  response: string | null;
  date: string | null;
  project: string;
  action: string;
}
interface Spread {
  reviewed: number;
  adopted: number;
  adapted: number;
  not_applicable: number;
  reviewing: number;
  not_yet: number;
  organisations: SpreadRow[];
}
interface Hit {
  kind: string;
  id: number;
  title: string;
  snippet: string;
  link: string;
  organisation_name: string | null;
  date: string | null;
  themes: string[];
  anonymised: boolean;
}
interface Org {
  code: string;
  name: string;
  kind: string;
}
interface Review {
  id: number;
  forum_id: number;
  forum: string;
  theme: string;
  title: string;
  summary: string;
  learning_points: string[];
  items: { kind: string; id: number | null; organisation: string; summary: string }[];
  lessons: Lesson[];
  actions: { organisation_name: string; action: string; status: string; due: string }[];
  organisations: number;
}
interface Forum {
  id: number;
  name: string;
  description: string;
  members: { organisation: string; organisation_name: string }[];
  meetings: { id: number; held_on: string; title: string; notes: string; cases: { kind: string; organisation: string; summary: string }[] }[];
  reviews: { id: number; title: string; theme: string }[];
  events: { id: number; title: string; starts_at: string; location: string; ics: string }[];
}

const responseName: Record<string, string> = {
  adopted: 'Adopted',
  adapted: 'Adapted',
  not_applicable: 'Not applicable',
  reviewing: 'Reviewing',
};
const responseColour: Record<string, string> = { adopted: 'green', adapted: 'blue', not_applicable: 'grey', reviewing: 'yellow' };
const shareName: Record<string, string> = {
  named: 'Shared, named',
  anonymised: 'Shared anonymised',
  organisation_only: 'Kept within the organisation',
};

function from(l: Lesson): string {
  return l.anonymised && !l.organisation_name ? 'An organisation of the system (anonymised)' : esc(l.organisation_name ?? '');
}

function lessonCard(l: Lesson): string {
  return `<li class="app-lesson" data-lesson="${l.id}"><h3 class="nhsuk-heading-s"><a href="/lessons/${l.id}">${esc(l.title)}</a></h3>
  <p class="nhsuk-body-s">${from(l)}, ${esc(period(l.learned_on))}. ${tag(shareName[l.share] ?? l.share, l.share === 'named' ? 'blue' : l.share === 'anonymised' ? 'purple' : 'grey')}${l.co_design ? ' ' + tag('Co-designed with patients', 'green') : ''}</p>
  <p>${esc(l.summary)}</p>
  <p class="nhsuk-body-s">Themes: ${l.themes.map((t) => `<a href="/lessons?theme=${enc(t)}">${esc(t)}</a>`).join(', ')}</p></li>`;
}

// The partner organisations of a system (under a system, directly or through a place): lessons
// travel between them. National comparators (organisations under the nation only, there to
// benchmark against) are not partners and are left out.
async function orgList(): Promise<Org[]> {
  const r = await get<{ organisations: (Org & { parent: string | null })[] }>('/api/organisations');
  const byCode = new Map(r.organisations.map((o) => [o.code, o]));
  const inSystem = (o: { parent: string | null }): boolean => {
    const seen = new Set<string>();
    for (let p = o.parent; p && !seen.has(p); p = byCode.get(p)?.parent ?? null) {
      seen.add(p);
      if (byCode.get(p)?.kind === 'system') return true;
    }
    return false;
  };
  return r.organisations.filter((o) => !['place', 'peer group', 'collaborative', 'system', 'ward', 'site', 'team', 'segment', 'care home', 'nation'].includes(o.kind) && inSystem(o));
}

export async function lessonsScreen(main: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const theme = query.get('theme') ?? '';
  const coDesign = query.get('co_design') === 'true';
  const [lessons, themes, orgs] = await Promise.all([
    get<{ lessons: Lesson[] }>(`/api/lessons?theme=${enc(theme)}${coDesign ? '&co_design=true' : ''}`),
    get<{ themes: { theme: string; lessons: number }[] }>('/api/themes'),
    orgList(),
  ]);
  const themeOptions = themes.themes.map((t) => `<option value="${esc(t.theme)}"${t.theme === theme ? ' selected' : ''}>${esc(t.theme)} (${t.lessons})</option>`).join('');
  main.innerHTML = `<h1 class="nhsuk-heading-l">Lessons library</h1>
  <p>What organisations of the system learned from incidents, projects, audits, complaints and meetings, and how far each lesson has travelled. Lessons shared anonymised never show where they came from.</p>
  <p><a href="/search">Search everything</a> · <a href="/forums">Learning forums</a> · <a href="/digest">The learning digest</a></p>
  <form class="app-filter" id="lessons-filter">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lessons-theme">Theme</label>
    <select class="nhsuk-select" id="lessons-theme" name="theme"><option value="">Every theme</option>${themeOptions}</select></div>
    <div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="lessons-codesign" name="co_design" type="checkbox" value="true"${coDesign ? ' checked' : ''}><label class="nhsuk-label nhsuk-checkboxes__label" for="lessons-codesign">Only lessons co-designed with patients and the public</label></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button>
  </form>
  <h2 class="nhsuk-heading-m" id="lessons-count">${lessons.lessons.length} lessons${lessons.lessons.length > 20 ? ", the newest 20 shown: choose a theme or search to find others" : ""}</h2>
  <ul class="nhsuk-list" id="lessons-list">${lessons.lessons.slice(0, 20).map(lessonCard).join('')}</ul>
  ${can('lesson.create') ? newLessonForm(orgs, themes.themes.map((t) => t.theme)) : ''}`;
  main.querySelector<HTMLFormElement>('#lessons-filter')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target as HTMLFormElement);
    navigate(`/lessons?theme=${enc(String(fd.get('theme') ?? ''))}${fd.get('co_design') ? '&co_design=true' : ''}`);
  });
  const form = main.querySelector<HTMLFormElement>('#lesson-form');
  form?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const lines = (k: string) => String(fd.get(k) ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
    const body: Record<string, unknown> = {
      title: String(fd.get('title') ?? ''),
      summary: String(fd.get('summary') ?? ''),
      organisation: String(fd.get('organisation') ?? ''),
      themes: String(fd.get('themes') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      share: String(fd.get('share') ?? ''),
      rapid_learning_points: lines('points'),
      co_design: fd.get('co_design') === 'true',
    };
    const sourceKind = String(fd.get('source_kind') ?? '');
    if (sourceKind) body.source = { kind: sourceKind, id: fd.get('source_id') ? Number(fd.get('source_id')) : null };
    try {
      const r = await post<{ id: number }>('/api/lessons', body);
      navigate(`/lessons/${r.id}`);
    } catch (e) {
      main.querySelector('#lesson-error')!.innerHTML = errorSummary('The lesson was not saved', [e instanceof ApiError ? e.message : String(e)], 'lesson-error-summary');
      (main.querySelector('#lesson-error-summary') as HTMLElement | null)?.focus();
    }
  });
}

function newLessonForm(orgs: Org[], themes: string[]): string {
  return `<h2 class="nhsuk-heading-m" id="new-lesson">Share a lesson</h2>
  <div id="lesson-error"></div>
  <form id="lesson-form" novalidate>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-title">What was learned, in a line</label><input class="nhsuk-input" id="lesson-title" name="title" maxlength="200"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-summary">Summary</label><div class="nhsuk-hint" id="lesson-summary-hint">No names, NHS numbers or details that identify a patient.</div><textarea class="nhsuk-textarea" id="lesson-summary" name="summary" rows="4" aria-describedby="lesson-summary-hint"></textarea></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-org">From</label><select class="nhsuk-select" id="lesson-org" name="organisation">${orgs.map((o) => `<option value="${esc(o.code)}">${esc(o.name)}</option>`).join('')}</select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-themes">Themes, separated by commas</label><div class="nhsuk-hint" id="lesson-themes-hint">From the glossary: ${esc(themes.slice(0, 8).join(', '))}</div><input class="nhsuk-input" id="lesson-themes" name="themes" aria-describedby="lesson-themes-hint"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-share">Share</label><select class="nhsuk-select" id="lesson-share" name="share"><option value="named">With every organisation, named</option><option value="anonymised">With every organisation, anonymised</option><option value="organisation_only">Within our organisation only</option></select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-source-kind">Where it came from</label><select class="nhsuk-select" id="lesson-source-kind" name="source_kind"><option value="">A conversation (no record)</option><option value="incident">An incident</option><option value="audit">An audit</option><option value="complaint">A complaint</option><option value="project">A project</option><option value="meeting">A meeting</option></select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-source-id">Its record number (if any)</label><input class="nhsuk-input nhsuk-input--width-10" id="lesson-source-id" name="source_id" inputmode="numeric"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="lesson-points">Rapid learning points, one a line</label><textarea class="nhsuk-textarea" id="lesson-points" name="points" rows="3"></textarea></div>
    <div class="nhsuk-checkboxes__item nhsuk-form-group"><input class="nhsuk-checkboxes__input" id="lesson-codesign" name="co_design" type="checkbox" value="true"><label class="nhsuk-label nhsuk-checkboxes__label" for="lesson-codesign">Patients and the public were involved</label></div>
    <button class="nhsuk-button" id="lesson-submit" type="submit">Share the lesson</button>
  </form>`;
}

export async function lessonScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const id = params.id ?? '';
  const [l, s, orgs] = await Promise.all([
    get<Lesson>(`/api/lessons/${enc(id)}`),
    get<Spread>(`/api/lessons/${enc(id)}/spread`),
    orgList(),
  ]);
  main.innerHTML = `${breadcrumbs([['/lessons', 'Lessons library']])}
  <h1 class="nhsuk-heading-l">${esc(l.title)}</h1>
  <p>${from(l)}, ${esc(period(l.learned_on))}. ${tag(shareName[l.share] ?? l.share, l.share === 'anonymised' ? 'purple' : 'blue')}${l.co_design ? ' ' + tag('Co-designed with patients', 'green') : ''}</p>
  <p id="lesson-summary-text">${esc(l.summary)}</p>
  ${l.rapid_learning_points.length ? `<h2 class="nhsuk-heading-m">Rapid learning points</h2><ul>${l.rapid_learning_points.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}
  <dl class="nhsuk-summary-list">
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Themes</dt><dd class="nhsuk-summary-list__value">${l.themes.map((t) => `<a href="/lessons?theme=${enc(t)}">${esc(t)}</a>`).join(', ')}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Metrics</dt><dd class="nhsuk-summary-list__value">${l.metrics.length ? l.metrics.map((m) => `<a href="/dictionary/${enc(m)}">${esc(m)}</a>`).join(', ') : 'None named'}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Source</dt><dd class="nhsuk-summary-list__value">${l.source ? `${esc(l.source.kind)}${l.source.id ? ' ' + l.source.id : ''}` : l.anonymised ? 'Not shown (anonymised)' : 'A conversation'}</dd></div>
  </dl>
  <h2 class="nhsuk-heading-m" id="spread-heading">How far it travelled</h2>
  <p id="spread-summary">${s.adopted} adopted, ${s.adapted} adapted, ${s.reviewing} reviewing, ${s.not_applicable} not applicable; <strong>${s.not_yet}</strong> have not yet looked.</p>
  <div class="app-scroll" role="region" aria-labelledby="spread-caption" tabindex="0"><table class="nhsuk-table" id="spread-table">
  <caption class="nhsuk-table__caption" id="spread-caption">Organisations and their responses</caption>
  <thead><tr><th scope="col">Organisation</th><th scope="col">Response</th><th scope="col">Date</th><th scope="col">Linked project or action</th></tr></thead>
  <tbody>${s.organisations
    .map(
      (o) => `<tr data-org="${esc(o.organisation)}"><td>${esc(o.organisation_name)}</td><td>${o.response ? tag(responseName[o.response] ?? o.response, responseColour[o.response] ?? 'grey') : 'Not yet looked'}</td><td>${esc(o.date ? period(o.date) : '–')}</td><td>${esc([o.project, o.action].filter(Boolean).join('; ') || '–')}</td></tr>`,
    )
    .join('')}</tbody></table></div>
  ${
    can('lesson.respond')
      ? `<h2 class="nhsuk-heading-m">Record your organisation's response</h2><div id="response-error"></div>
  <form id="response-form" novalidate>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="resp-org">Organisation</label><select class="nhsuk-select" id="resp-org" name="organisation">${orgs.map((o) => `<option value="${esc(o.code)}">${esc(o.name)}</option>`).join('')}</select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="resp-response">Response</label><select class="nhsuk-select" id="resp-response" name="response"><option value="reviewing">Reviewing</option><option value="adopted">Adopted</option><option value="adapted">Adapted</option><option value="not_applicable">Not applicable</option></select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="resp-date">Date</label><input class="nhsuk-input nhsuk-input--width-10" id="resp-date" name="date" type="date"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="resp-project">Linked project</label><input class="nhsuk-input" id="resp-project" name="project"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="resp-action">Linked action</label><input class="nhsuk-input" id="resp-action" name="action"></div>
    <button class="nhsuk-button" id="resp-submit" type="submit">Record the response</button>
  </form>`
      : ''
  }`;
  const form = main.querySelector<HTMLFormElement>('#response-form');
  form?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const body = Object.fromEntries([...fd.entries()].map(([k, v]) => [k, String(v)]));
    try {
      await post(`/api/lessons/${enc(id)}/responses`, body);
      await lessonScreen(main, params);
      main.insertAdjacentHTML('afterbegin', '<div class="nhsuk-inset-text" id="response-saved" role="status"><p>The response was recorded.</p></div>');
    } catch (e) {
      main.querySelector('#response-error')!.innerHTML = errorSummary('The response was not recorded', [e instanceof ApiError ? e.message : String(e)], 'response-error-summary');
    }
  });
}

export async function searchScreen(main: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const q = query.get('q') ?? '';
  const kind = query.get('kind') ?? '';
  const kinds = await get<{ kinds: { kind: string; label: string; present: boolean }[] }>('/api/search/kinds');
  const r = q || kind ? await get<{ results: Hit[] }>(`/api/search?q=${enc(q)}&kind=${enc(kind)}&limit=50`) : { results: [] };
  const label = new Map(kinds.kinds.map((k) => [k.kind, k.label]));
  main.innerHTML = `<h1 class="nhsuk-heading-l">Search</h1>
  <p>Metrics, the glossary, lessons, forums, projects, people and courses — and, within your organisations, incidents, complaints and notes.</p>
  <form id="search-form" role="search" class="app-filter">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="search-q">Words to find</label><input class="nhsuk-input nhsuk-input--width-20" id="search-q" name="q" type="search" value="${esc(q)}"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="search-kind">Kind of record</label><select class="nhsuk-select" id="search-kind" name="kind"><option value="">Everything</option>${kinds.kinds
      .filter((k) => k.present)
      .map((k) => `<option value="${esc(k.kind)}"${k.kind === kind ? ' selected' : ''}>${esc(k.label)}</option>`)
      .join('')}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Search</button>
  </form>
  ${q || kind ? `<h2 class="nhsuk-heading-m" id="search-count" aria-live="polite">${r.results.length} result${r.results.length === 1 ? '' : 's'}</h2>` : ''}
  <ol class="nhsuk-list" id="search-results">${r.results
    .map(
      (h) => `<li class="app-hit" data-kind="${esc(h.kind)}"><h3 class="nhsuk-heading-s"><a href="${esc(h.link)}">${esc(h.title || '(untitled)')}</a></h3>
      <p class="nhsuk-body-s">${esc(label.get(h.kind) ?? h.kind)}${h.organisation_name ? `, ${esc(h.organisation_name)}` : h.anonymised ? ', anonymised' : ''}${h.date ? `, ${esc(period(h.date))}` : ''}</p>
      <p>${h.snippet}</p></li>`,
    )
    .join('')}</ol>`;
  main.querySelector<HTMLFormElement>('#search-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target as HTMLFormElement);
    navigate(`/search?q=${enc(String(fd.get('q') ?? ''))}&kind=${enc(String(fd.get('kind') ?? ''))}`);
  });
}

export async function forumsScreen(main: HTMLElement): Promise<void> {
  const r = await get<{ forums: Forum[] }>('/api/forums');
  main.innerHTML = `<h1 class="nhsuk-heading-l">Learning forums</h1>
  <p>Organisations that meet to share learning openly: meetings with the cases discussed, thematic reviews across organisations, agreed learning points and the actions each organisation took.</p>
  <ul class="nhsuk-list" id="forum-list">${r.forums
    .map((f) => `<li><h2 class="nhsuk-heading-m"><a href="/forums/${f.id}">${esc(f.name)}</a></h2><p>${esc(f.description)}</p><p class="nhsuk-body-s">${f.members.length} member organisations, ${f.meetings.length} meetings, ${f.reviews.length} thematic reviews</p></li>`)
    .join('')}</ul>`;
}

export async function forumScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const f = await get<Forum>(`/api/forums/${enc(params.id ?? '')}`);
  main.innerHTML = `${breadcrumbs([['/forums', 'Learning forums']])}
  <h1 class="nhsuk-heading-l">${esc(f.name)}</h1><p>${esc(f.description)}</p>
  <h2 class="nhsuk-heading-m">Members</h2><ul id="forum-members">${f.members.map((m) => `<li>${esc(m.organisation_name)}</li>`).join('')}</ul>
  <h2 class="nhsuk-heading-m">Thematic reviews</h2><ul id="forum-reviews">${f.reviews.map((v) => `<li><a href="/reviews/${v.id}">${esc(v.title)}</a> (theme: ${esc(v.theme)})</li>`).join('')}</ul>
  <h2 class="nhsuk-heading-m">Sharing events</h2><ul id="forum-events">${f.events.map((e) => `<li>${esc(e.title)}, ${esc(e.starts_at.replace('T', ' '))} UTC, ${esc(e.location)}. <a href="${esc(e.ics)}" download>Add ${esc(e.title)} to your calendar</a></li>`).join('') || '<li>None planned</li>'}</ul>
  <h2 class="nhsuk-heading-m">Meetings</h2>
  ${f.meetings
    .map(
      (m) => `<section id="meeting-${m.id}" aria-labelledby="meeting-${m.id}-h"><h3 class="nhsuk-heading-s" id="meeting-${m.id}-h">${esc(m.title)}</h3><p class="nhsuk-body-s">${esc(m.notes)}</p>
      ${m.cases.length ? `<ul>${m.cases.map((c) => `<li>${esc(c.summary)}</li>`).join('')}</ul>` : '<p class="nhsuk-body-s">No cases recorded.</p>'}</section>`,
    )
    .join('')}`;
}

export async function reviewScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const v = await get<Review>(`/api/reviews/${enc(params.id ?? '')}`);
  main.innerHTML = `${breadcrumbs([['/forums', 'Learning forums'], [`/forums/${v.forum_id}`, v.forum]])}
  <h1 class="nhsuk-heading-l">${esc(v.title)}</h1>
  <p>A thematic review of <strong>${esc(v.theme)}</strong> by ${esc(v.forum)}, across ${v.organisations} organisations. ${esc(v.summary)}</p>
  <h2 class="nhsuk-heading-m">Agreed learning points</h2><ol id="review-points">${v.learning_points.map((p) => `<li>${esc(p)}</li>`).join('')}</ol>
  <h2 class="nhsuk-heading-m" id="review-lessons-heading">Lessons of this theme (${v.lessons.length})</h2>
  <ul class="nhsuk-list" id="review-lessons">${v.lessons.map(lessonCard).join('')}</ul>
  <h2 class="nhsuk-heading-m">Incidents reviewed (${v.items.length})</h2>
  <ul id="review-items">${v.items.map((i) => `<li>${esc(i.summary)}${i.organisation ? ` (${esc(i.organisation)})` : ''}</li>`).join('')}</ul>
  <h2 class="nhsuk-heading-m">Actions each organisation took</h2>
  <div class="app-scroll" role="region" aria-labelledby="actions-caption" tabindex="0"><table class="nhsuk-table" id="review-actions"><caption class="nhsuk-table__caption" id="actions-caption">Actions</caption>
  <thead><tr><th scope="col">Organisation</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Due</th></tr></thead>
  <tbody>${v.actions.map((a) => `<tr><td>${esc(a.organisation_name)}</td><td>${esc(a.action)}</td><td>${esc(a.status.replace('_', ' '))}</td><td>${esc(period(a.due))}</td></tr>`).join('')}</tbody></table></div>`;
}

export async function digestScreen(main: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  let fromDate = query.get('from') ?? '';
  let toDate = query.get('to') ?? '';
  const audience = query.get('audience') ?? 'system';
  if (!toDate) {
    // The month of the latest lesson (a demo's data ends before today).
    const l = await get<{ lessons: Lesson[] }>('/api/lessons');
    const latest = l.lessons.map((x) => x.learned_on).sort().pop() ?? new Date().toISOString().slice(0, 10);
    toDate = latest;
    fromDate = fromDate || `${latest.slice(0, 8)}01`;
  }
  const qs = `from=${enc(fromDate)}&to=${enc(toDate)}&audience=${enc(audience)}`;
  const forums = await get<{ forums: Forum[] }>('/api/forums');
  main.innerHTML = `<h1 class="nhsuk-heading-l">The learning digest</h1>
  <p>Generated from what the system holds: new lessons and how far earlier ones spread, improvements SPC confirmed, projects completed, signals that rose or fell, upcoming sharing events and who was engaged.</p>
  <form class="app-filter" id="digest-form">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="digest-from">From</label><input class="nhsuk-input nhsuk-input--width-10" id="digest-from" name="from" type="date" value="${esc(fromDate)}"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="digest-to">To</label><input class="nhsuk-input nhsuk-input--width-10" id="digest-to" name="to" type="date" value="${esc(toDate)}"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="digest-audience">For</label><select class="nhsuk-select" id="digest-audience" name="audience"><option value="system">The whole system</option>${forums.forums.map((f) => `<option value="forum:${f.id}"${audience === `forum:${f.id}` ? ' selected' : ''}>${esc(f.name)}</option>`).join('')}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button>
  </form>
  <p><a href="/api/digest?${qs}" id="digest-html">Open the digest page</a> · <a href="/api/digest.pdf?${qs}" id="digest-pdf" download>Download the PDF</a> · <a href="/api/digest.atom?${qs}" id="digest-atom">Atom feed</a> · <a href="/api/events.ics" download>Sharing events (.ics)</a></p>
  <iframe id="digest-frame" title="The learning digest for the period" src="/api/digest?${qs}" style="width:100%;height:70vh;border:1px solid #d8dde0"></iframe>`;
  main.querySelector<HTMLFormElement>('#digest-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target as HTMLFormElement);
    navigate(`/digest?from=${enc(String(fd.get('from') ?? ''))}&to=${enc(String(fd.get('to') ?? ''))}&audience=${enc(String(fd.get('audience') ?? ''))}`);
  });
}
