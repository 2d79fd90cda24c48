// Improvement: QI projects on the Model for Improvement, programmes with logic models, roll-outs,
// and their impact measured on the system's own series (docs/improvement.md).
//   /improvement            the portfolio: programmes, its impact per metric, roll-outs, projects
//   /projects/:id           a project: aim, team, driver diagram (SVG, editable), measures linked
//                           to the system's charts, PDSA ramps, progress score with its evidence,
//                           the measured impact
//   /programmes/:id         a programme: logic model, plan time line, projects, impact
//   /rollouts/:id           a roll-out: sites by stage, adoption curve, outcome before and after
import { ApiError, can, get, post } from '../api';
import { navigate } from '../router';
import { breadcrumbs, enc, errorSummary, esc, fmt, period, tag } from '../dom';

interface Summary { id: number; title: string; organisation: string; lead: string; status: string; started: string; programme: number | null; score: number | null; pdsas: number; measures: number }
interface Driver { id: number; kind: string; title: string; status: string; parent: number | null }
interface Measure { id: number; kind: string; title: string; metric: string | null; unit: string | null; metric_name: string; metric_unit: string; source: string }
interface Pdsa { id: number; change_idea_id: number; change_idea: string; cycle: number; title: string; plan: string; prediction: string; started: string; study: string; act: string | null; ended: string | null }
interface Project {
  id: number; title: string; aim: string; problem: string; organisation: string; organisation_name: string; lead: string; status: string; method: string; started: string;
  programme: number | null; programme_title: string; population: string; score: number | null;
  team: { email: string; role: string; organisation: string }[]; drivers: Driver[]; measures: Measure[]; pdsas: Pdsa[];
  involvement: { who: string; level: string; date: string }[];
  populations: { code: string; name: string }[];
}
interface Reach { code: string; name: string; projects: number; co_designed: number }
interface PortfolioReach { reached: Reach[]; not_reached: Reach[] }
interface ImpactRow {
  measure: number; metric: string; unit: string; metric_name: string; metric_unit: string; detected: boolean; shift: number | null; volume: number | null; volume_kind: string;
  impact: number | null; ci_low: number | null; ci_high: number | null; baseline_mean: number | null; post_mean: number | null;
  evidence: { rule: string | null; label: string | null; change_point: string | null; first_pdsa: string | null; reason: string | null };
}
interface Progress { score: number | null; suggested_score: number; suggested_label: string; reason: string; evidence: { score: number; label: string; met: boolean; detail: string }[] }
interface MetricImpact { metric: string; metric_name: string; metric_unit: string; series: number; projects: number; detected: number; shared_series: number; volume: number | null; impact: number | null; ci_low: number | null; ci_high: number | null; claimed_by_projects: number | null; double_count_avoided: number | null }
interface PortfolioImpact { metrics: MetricImpact[]; double_counting: string[] }

const statusColour: Record<string, string> = { planning: 'grey', active: 'blue', sustaining: 'green', completed: 'white', abandoned: 'red' };
const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${x}</td>`).join('')}</tr>`).join('');
const table = (id: string, label: string, head: string[], body: string) =>
  `<div class="app-scroll" role="region" aria-label="${esc(label)}" tabindex="0"><table class="nhsuk-table" id="${id}"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
const input = (id: string, name: string, label: string, type = 'text', extra = '') =>
  `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(label)}</label><input class="nhsuk-input" id="${id}" name="${name}" type="${type}" ${extra}></div>`;
const textarea = (id: string, name: string, label: string) =>
  `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(label)}</label><textarea class="nhsuk-textarea" id="${id}" name="${name}" rows="2"></textarea></div>`;
const select = (id: string, name: string, label: string, options: [string, string][]) =>
  `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(label)}</label><select class="nhsuk-select" id="${id}" name="${name}">${options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join('')}</select></div>`;
const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '–' : fmt(v, d));

function impactTable(list: MetricImpact[]): string {
  return table('portfolio-impact', 'Impact per metric', ['Metric', 'Projects', 'Series (shared)', 'Detected', 'Impact (95% interval)', 'Claimed by projects', 'Double count avoided'],
    rows(list.map((m) => [`<a href="/metrics/${enc(m.metric)}">${esc(m.metric_name || m.metric)}</a>`, String(m.projects), `${m.series} (${m.shared_series})`, String(m.detected),
      m.detected ? `<strong>${num(m.impact)}</strong> (${num(m.ci_low)} to ${num(m.ci_high)})` : '0', num(m.claimed_by_projects), num(m.double_count_avoided)])));
}

// Whom the portfolio serves: the system's population segments with the projects that serve each,
// and the segments no project serves (its blind spots).
function reachSection(r: PortfolioReach): string {
  if (!r.reached.length && !r.not_reached.length) return '';
  const served = (x: Reach) => `${x.projects} project${x.projects === 1 ? '' : 's'}${x.co_designed ? `, ${x.co_designed} designed with people with lived experience` : ''}`;
  return `<h2 class="nhsuk-heading-m">Populations the portfolio reaches</h2>
  <div class="app-reach" id="population-reach">
    <div><h3 class="nhsuk-heading-s">Reached</h3>${r.reached.length ? `<ul class="nhsuk-list nhsuk-list--bullet" id="reached">${r.reached.map((x) => `<li>${esc(x.name)}: ${served(x)}</li>`).join('')}</ul>` : '<p>No project records the populations it serves yet.</p>'}</div>
    <div><h3 class="nhsuk-heading-s">Not reached by any project</h3>${r.not_reached.length ? `<ul class="nhsuk-list nhsuk-list--bullet" id="not-reached">${r.not_reached.map((x) => `<li>${esc(x.name)}</li>`).join('')}</ul>` : '<p>Every population segment is served by at least one project.</p>'}</div>
  </div>`;
}

function fail(main: HTMLElement, title: string, e: unknown, where = '#messages'): void {
  const msg = e instanceof ApiError || e instanceof Error ? e.message : String(e);
  main.querySelector<HTMLElement>(where)!.innerHTML = errorSummary(title, [msg]);
}

function formData(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries(new FormData(form)) as Record<string, string>;
}

// --- The portfolio ------------------------------------------------------------------------------
export async function improvementScreen(main: HTMLElement): Promise<void> {
  const [projects, programmes, rollouts, impact, reach] = await Promise.all([
    get<{ projects: Summary[] }>('/api/projects'),
    get<{ programmes: { id: number; title: string; projects: number; started: string }[] }>('/api/programmes'),
    get<{ rollouts: { id: number; title: string; sites: number; live: number }[] }>('/api/rollouts'),
    get<PortfolioImpact>('/api/portfolio/impact'),
    get<PortfolioReach>('/api/portfolio/reach'),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  main.innerHTML = `<h1 class="nhsuk-heading-l">Improvement</h1>
  <p>Every QI project of the system on the Model for Improvement, and the impact measured on the system's own charts: zero until the SPC rules say a change is real, each unit-period counted once.</p>
  <div id="messages" aria-live="polite"></div>
  <h2 class="nhsuk-heading-m">Cumulative impact</h2>
  ${impactTable(impact.metrics)}
  ${impact.double_counting.length ? `<div class="nhsuk-inset-text" id="double-counting"><p>${impact.double_counting.map(esc).join('</p><p>')}</p></div>` : ''}
  ${reachSection(reach)}
  <h2 class="nhsuk-heading-m">Programmes</h2>
  <ul class="nhsuk-list" id="programme-list">${programmes.programmes.map((p) => `<li><a href="/programmes/${p.id}">${esc(p.title)}</a> (${p.projects} projects)</li>`).join('')}</ul>
  <h2 class="nhsuk-heading-m">Roll-outs</h2>
  <ul class="nhsuk-list" id="rollout-list">${rollouts.rollouts.map((r) => `<li><a href="/rollouts/${r.id}">${esc(r.title)}</a>: ${r.live} of ${r.sites} sites live</li>`).join('')}</ul>
  <h2 class="nhsuk-heading-m">Projects</h2>
  ${table('project-list', 'Projects', ['Project', 'Organisation', 'Status', 'Started', 'Score', 'PDSA cycles'],
    rows(projects.projects.map((p) => [`<a href="/projects/${p.id}">${esc(p.title)}</a>`, esc(p.organisation), tag(p.status, statusColour[p.status] ?? 'grey'), esc(period(p.started)), num(p.score), String(p.pdsas)])))}
  ${can('project.create') ? `<form id="project-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Register a project</h2></legend>
    ${input('p-title', 'title', 'Title')}${textarea('p-aim', 'aim', 'Aim: what, by how much, by when, for whom')}
    ${input('p-org', 'organisation', 'Organisation (ODS code)')}${input('p-lead', 'lead', 'Lead (work email)', 'email')}
    ${input('p-started', 'started', 'Started', 'date', `max="${today}"`)}
    <button class="nhsuk-button" type="submit" id="p-submit">Register</button></fieldset></form>` : ''}`;
  main.querySelector<HTMLFormElement>('#project-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const p = await post<{ id: number }>('/api/projects', formData(ev.target as HTMLFormElement));
      navigate(`/projects/${p.id}`);
    } catch (e) {
      fail(main, 'The project was not registered', e);
    }
  });
}

// --- A driver diagram as SVG: aim -> primary -> secondary -> change ideas -----------------------
function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if ((line + ' ' + w).trim().length > width) {
      if (line) lines.push(line);
      line = w;
    } else line = (line + ' ' + w).trim();
  }
  if (line) lines.push(line);
  return lines.slice(0, 3);
}

export function driverDiagram(aim: string, drivers: Driver[]): string {
  const cols: { title: string; items: { id: number; text: string; parent: number | null }[] }[] = [
    { title: 'Aim', items: [{ id: 0, text: aim, parent: null }] },
    { title: 'Primary drivers', items: drivers.filter((d) => d.kind === 'primary').map((d) => ({ id: d.id, text: d.title, parent: 0 })) },
    { title: 'Secondary drivers', items: drivers.filter((d) => d.kind === 'secondary').map((d) => ({ id: d.id, text: d.title, parent: d.parent })) },
    { title: 'Change ideas', items: drivers.filter((d) => d.kind === 'change_idea').map((d) => ({ id: d.id, text: d.title, parent: d.parent })) },
  ];
  const colW = 200, gap = 40, boxH = 58, rowGap = 12, top = 30;
  const height = top + Math.max(1, ...cols.map((c) => c.items.length)) * (boxH + rowGap) + 10;
  const width = cols.length * colW + (cols.length - 1) * gap;
  const pos = new Map<string, { x: number; y: number }>();
  let boxes = '', links = '', heads = '';
  cols.forEach((c, ci) => {
    const x = ci * (colW + gap);
    heads += `<text x="${x + colW / 2}" y="16" text-anchor="middle" font-weight="bold" font-size="13">${esc(c.title)}</text>`;
    const offset = (height - top - c.items.length * (boxH + rowGap)) / 2;
    c.items.forEach((it, i) => {
      const y = top + Math.max(0, offset) + i * (boxH + rowGap);
      pos.set(`${ci}:${it.id}`, { x, y });
      const lines = wrap(it.text, 30);
      boxes += `<g class="dd-node" data-id="${it.id}"><rect x="${x}" y="${y}" width="${colW}" height="${boxH}" rx="6" fill="${ci === 0 ? '#005eb8' : ci === 3 ? '#e8edee' : '#ffffff'}" stroke="#005eb8"/>` +
        lines.map((l, li) => `<text x="${x + 8}" y="${y + 18 + li * 16}" font-size="12" fill="${ci === 0 ? '#ffffff' : '#212b32'}">${esc(l)}</text>`).join('') + '</g>';
    });
  });
  cols.forEach((c, ci) => {
    if (ci === 0) return;
    for (const it of c.items) {
      const from = it.parent === null ? null : pos.get(`${ci - 1}:${ci === 1 ? 0 : it.parent}`);
      const to = pos.get(`${ci}:${it.id}`)!;
      if (!from) continue;
      links += `<path d="M${from.x + colW} ${from.y + boxH / 2} C${from.x + colW + gap / 2} ${from.y + boxH / 2} ${to.x - gap / 2} ${to.y + boxH / 2} ${to.x} ${to.y + boxH / 2}" fill="none" stroke="#768692"/>`;
    }
  });
  return `<svg id="driver-diagram" role="img" aria-label="Driver diagram: the aim, ${cols[1].items.length} primary drivers, ${cols[2].items.length} secondary drivers and ${cols[3].items.length} change ideas" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" xmlns="http://www.w3.org/2000/svg">${heads}${links}${boxes}</svg>`;
}

// --- A project ----------------------------------------------------------------------------------
export async function projectScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const id = params.id;
  const [p, impact, progress] = await Promise.all([
    get<Project>(`/api/projects/${enc(id)}`),
    get<{ measures: ImpactRow[] }>(`/api/projects/${enc(id)}/impact`),
    get<Progress>(`/api/projects/${enc(id)}/progress`),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  const editable = can('pdsa.create');
  const ideas = p.drivers.filter((d) => d.kind === 'change_idea');
  const ramps = ideas.map((i) => ({ idea: i, cycles: p.pdsas.filter((c) => c.change_idea_id === i.id) })).filter((r) => r.cycles.length);
  const opts = (kind: string) => p.drivers.filter((d) => d.kind === kind).map((d) => [String(d.id), d.title] as [string, string]);
  main.innerHTML = `${breadcrumbs([['/improvement', 'Improvement']])}
  <h1 class="nhsuk-heading-l">${esc(p.title)}</h1>
  <p>${tag(p.status, statusColour[p.status] ?? 'grey')} ${esc(p.organisation_name)} (${esc(p.organisation)}), from ${esc(period(p.started))}. Lead ${esc(p.lead)}.${p.programme ? ` Part of <a href="/programmes/${p.programme}">${esc(p.programme_title)}</a>.` : ''}</p>
  <div class="nhsuk-inset-text"><p><strong>Aim:</strong> <span id="project-aim">${esc(p.aim)}</span></p></div>
  <div id="messages" aria-live="polite"></div>
  <h2 class="nhsuk-heading-m">Impact, measured</h2>
  ${impact.measures.length ? table('impact-table', 'Impact of each outcome measure', ['Outcome measure', 'Shift', 'Volume', 'Impact (95% interval)', 'Evidence'],
    rows(impact.measures.map((m) => [`<a href="/chart/${enc(m.metric)}/${enc(m.unit)}">${esc(m.metric_name || m.metric)} at ${esc(m.unit)}</a>`,
      m.detected ? `${num(m.shift, 2)} ${esc(m.metric_unit)}` : '0', m.detected ? `${num(m.volume, 0)} ${m.volume_kind === 'periods' ? 'periods' : 'in the denominator'}` : '–',
      m.detected ? `<strong class="impact-value">${num(m.impact)}</strong> (${num(m.ci_low)} to ${num(m.ci_high)})` : '<strong class="impact-value">0</strong>',
      m.detected ? `${esc(m.evidence.label ?? '')} from ${esc(period(m.evidence.change_point ?? ''))}; first PDSA cycle ${esc(period(m.evidence.first_pdsa ?? ''))}` : esc(m.evidence.reason ?? '')]))) : '<p id="impact-table">No outcome measure on a system series yet.</p>'}
  <h2 class="nhsuk-heading-m">Progress</h2>
  <p id="progress-score">Team's score: <strong>${num(progress.score)}</strong>. The evidence supports <strong id="suggested-score">${fmt(progress.suggested_score)}</strong> (${esc(progress.suggested_label)}).${progress.reason ? ` Reason given: ${esc(progress.reason)}` : ''}</p>
  <details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">The evidence, step by step</span></summary><div class="nhsuk-details__text">
  ${table('progress-evidence', 'Evidence for the progress score', ['Score', 'Step', 'Met', 'Evidence'], rows(progress.evidence.map((e) => [fmt(e.score), esc(e.label), e.met ? 'Yes' : 'No', esc(e.detail)])))}</div></details>
  ${can('progress.set') ? `<form id="score-form" novalidate>${select('s-score', 'score', 'Set the team\'s score', [...Array(10)].map((_, i) => [String((i + 1) / 2), fmt((i + 1) / 2)] as [string, string]))}${input('s-reason', 'reason', 'Reason (needed above the evidence)')}<button class="nhsuk-button nhsuk-button--secondary" type="submit">Set score</button></form>` : ''}
  <h2 class="nhsuk-heading-m">Driver diagram</h2>
  <div class="app-scroll" role="region" aria-label="Driver diagram" tabindex="0">${driverDiagram(p.aim, p.drivers)}</div>
  ${editable ? `<form id="driver-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Add to the driver diagram</legend>
    ${select('d-kind', 'kind', 'Kind', [['primary', 'Primary driver'], ['secondary', 'Secondary driver'], ['change_idea', 'Change idea']])}
    ${select('d-parent', 'parent', 'Under', [['', '(the aim)'], ...opts('primary'), ...opts('secondary')])}
    ${input('d-title', 'title', 'Text')}<button class="nhsuk-button nhsuk-button--secondary" type="submit" id="d-submit">Add</button></fieldset></form>` : ''}
  <h2 class="nhsuk-heading-m">Measures</h2>
  ${table('measure-list', 'Measures', ['Kind', 'Measure', 'Series'], rows(p.measures.map((m) => [esc(m.kind), esc(m.title), m.metric ? `<a href="/chart/${enc(m.metric)}/${enc(m.unit ?? '')}">the system's chart of ${esc(m.metric)} at ${esc(m.unit ?? '')}</a>` : 'project-local'])))}
  ${editable ? `<form id="measure-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Link a system metric as a measure</legend>
    ${select('m-kind', 'kind', 'Kind', [['outcome', 'Outcome'], ['process', 'Process'], ['balancing', 'Balancing']])}${input('m-metric', 'metric', 'Metric code')}${input('m-unit', 'unit', 'Organisation or unit code')}
    <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="m-submit">Link</button></fieldset></form>` : ''}
  <h2 class="nhsuk-heading-m">PDSA ramps</h2>
  ${ramps.length ? ramps.map((r) => `<h3 class="nhsuk-heading-s">${esc(r.idea.title)} (${esc(r.idea.status)})</h3>${table(`ramp-${r.idea.id}`, `PDSA cycles testing ${r.idea.title}`, ['Cycle', 'Started', 'Plan', 'Prediction', 'Study', 'Act'],
    rows(r.cycles.map((c) => [String(c.cycle), esc(period(c.started)), esc(c.plan), esc(c.prediction), esc(c.study), esc(c.act ?? '')])))}`).join('') : '<p>No PDSA cycles yet.</p>'}
  <p id="pdsa-count">${p.pdsas.length} PDSA cycle${p.pdsas.length === 1 ? '' : 's'}.</p>
  ${editable ? `<form id="pdsa-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Log a PDSA cycle</legend>
    ${input('c-idea', 'change_idea', 'Change idea (its text; a new one is added)', 'text', `list="c-ideas"`)}<datalist id="c-ideas">${ideas.map((i) => `<option value="${esc(i.title)}"></option>`).join('')}</datalist>
    ${textarea('c-plan', 'plan', 'Plan')}${textarea('c-prediction', 'prediction', 'Prediction')}${input('c-started', 'started', 'Started', 'date', `max="${today}"`)}
    <button class="nhsuk-button nhsuk-button--secondary" type="submit" id="c-submit">Log the cycle</button></fieldset></form>` : ''}
  <h2 class="nhsuk-heading-m">Team and involvement</h2>
  <p id="project-populations">${p.populations.length ? `Serves: ${p.populations.map((x) => esc(x.name)).join('; ')}.` : 'The populations this project serves are not recorded.'}</p>
  <ul class="nhsuk-list">${p.team.map((t) => `<li>${esc(t.email)}: ${esc(t.role.replace('_', ' '))} (${esc(t.organisation)})</li>`).join('')}</ul>
  ${p.involvement.length ? `<ul class="nhsuk-list">${p.involvement.map((i) => `<li>${esc(i.who)}: ${esc(i.level)} (${esc(period(i.date))})</li>`).join('')}</ul>` : '<p>No involvement of people with lived experience recorded yet.</p>'}`;
  const reload = () => projectScreen(main, params);
  const wire = (sel: string, path: string, title: string, shape: (fd: Record<string, string>) => object) =>
    main.querySelector<HTMLFormElement>(sel)?.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await post(path, shape(formData(ev.target as HTMLFormElement)));
        await reload();
      } catch (e) {
        fail(main, title, e);
      }
    });
  wire('#driver-form', `/api/projects/${enc(id)}/drivers`, 'The driver was not added', (fd) => ({ kind: fd.kind, title: fd.title, parent: fd.parent ? Number(fd.parent) : null }));
  wire('#measure-form', `/api/projects/${enc(id)}/measures`, 'The measure was not linked', (fd) => fd);
  wire('#pdsa-form', `/api/projects/${enc(id)}/pdsa`, 'The cycle was not logged', (fd) => fd);
  wire('#score-form', `/api/projects/${enc(id)}/progress`, 'The score was not set', (fd) => ({ score: Number(fd.score), reason: fd.reason }));
}

// --- A programme --------------------------------------------------------------------------------
export async function programmeScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const [g, impact] = await Promise.all([
    get<{ id: number; title: string; purpose: string; lead: string; started: string; ends: string | null;
      logic_model: { stage: string; title: string; metric: string | null; unit: string | null; variation: string | null }[];
      milestones: { title: string; due: string; done: string | null }[]; projects: Summary[] }>(`/api/programmes/${enc(params.id)}`),
    get<PortfolioImpact>(`/api/programmes/${enc(params.id)}/impact`),
  ]);
  const stages = ['input', 'activity', 'output', 'outcome', 'impact'];
  const names: Record<string, string> = { input: 'Inputs', activity: 'Activities', output: 'Outputs', outcome: 'Outcomes', impact: 'Impact' };
  // The plan time line: projects and milestones on one axis (printable SVG).
  const start = Date.parse(g.started), end = Date.parse(g.ends ?? '2025-03-31');
  const x = (d: string) => 160 + (Math.min(Math.max(Date.parse(d), start), end) - start) / (end - start) * 600;
  const items = [...g.projects.map((p) => ({ label: p.title, from: p.started, to: g.ends ?? '2025-03-31', bar: true })), ...g.milestones.map((m) => ({ label: m.title, from: m.due, to: m.due, bar: false }))];
  const gantt = `<svg id="plan-timeline" role="img" aria-label="Plan time line of ${g.projects.length} projects and ${g.milestones.length} milestones" viewBox="0 0 780 ${items.length * 22 + 30}" width="100%" xmlns="http://www.w3.org/2000/svg">` +
    items.map((it, i) => `<text x="0" y="${i * 22 + 34}" font-size="11">${esc(it.label.slice(0, 26))}</text>` + (it.bar ? `<rect x="${x(it.from)}" y="${i * 22 + 24}" width="${Math.max(2, x(it.to) - x(it.from))}" height="12" fill="#005eb8"/>` : `<path d="M${x(it.from)} ${i * 22 + 24} l6 6 l-6 6 l-6 -6z" fill="#ffb81c"/>`)).join('') +
    `<text x="160" y="12" font-size="11">${esc(period(g.started))}</text><text x="760" y="12" font-size="11" text-anchor="end">${esc(period(g.ends ?? '2025-03-31'))}</text></svg>`;
  main.innerHTML = `${breadcrumbs([['/improvement', 'Improvement']])}
  <h1 class="nhsuk-heading-l">${esc(g.title)}</h1><p>${esc(g.purpose)}</p>
  <h2 class="nhsuk-heading-m">Logic model</h2>
  ${table('logic-model', 'Logic model', stages.map((s) => names[s]), `<tr>${stages.map((s) => `<td><ul class="nhsuk-list">${g.logic_model.filter((l) => l.stage === s).map((l) => `<li>${esc(l.title)}${l.metric ? ` (<a href="/chart/${enc(l.metric)}/${enc(l.unit ?? '')}">${esc(l.metric)} ${esc(l.unit ?? '')}</a>${l.variation ? `: ${esc(l.variation.replace(/_/g, ' '))}` : ''})` : ''}</li>`).join('')}</ul></td>`).join('')}</tr>`)}
  <h2 class="nhsuk-heading-m">Cumulative impact</h2>
  ${impactTable(impact.metrics)}
  ${impact.double_counting.length ? `<div class="nhsuk-inset-text"><p>${impact.double_counting.map(esc).join('</p><p>')}</p></div>` : ''}
  <h2 class="nhsuk-heading-m">Plan</h2><div class="app-scroll" role="region" aria-label="Plan time line" tabindex="0">${gantt}</div>
  <h2 class="nhsuk-heading-m">Projects</h2>
  <ul class="nhsuk-list">${g.projects.map((p) => `<li><a href="/projects/${p.id}">${esc(p.title)}</a> ${tag(p.status, statusColour[p.status] ?? 'grey')}</li>`).join('')}</ul>`;
}

// --- A roll-out ---------------------------------------------------------------------------------
export async function rolloutScreen(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const r = await get<{ title: string; intervention: string; metric: string | null;
    sites: { code: string; title: string; stage: string; since: string; before: number | null; after: number | null }[];
    adoption: { month: string; training: number; live: number; sustained: number }[] }>(`/api/rollouts/${enc(params.id)}`);
  const n = r.sites.length || 1;
  const w = 640, h = 200, step = r.adoption.length > 1 ? w / (r.adoption.length - 1) : w;
  const line = (f: (a: { training: number; live: number; sustained: number }) => number) => r.adoption.map((a, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)} ${(h - f(a) / n * h).toFixed(1)}`).join(' ');
  const curve = `<svg id="adoption-curve" role="img" aria-label="Adoption curve: share of ${r.sites.length} sites live or sustained, month by month" viewBox="-10 -10 ${w + 20} ${h + 30}" width="100%" xmlns="http://www.w3.org/2000/svg"><path d="${line((a) => a.live + a.sustained)}" fill="none" stroke="#005eb8" stroke-width="2"/><path d="${line((a) => a.training + a.live + a.sustained)}" fill="none" stroke="#768692" stroke-dasharray="4 3"/><text x="0" y="${h + 16}" font-size="11">${esc(period(r.adoption[0]?.month ?? ''))}</text><text x="${w}" y="${h + 16}" font-size="11" text-anchor="end">${esc(period(r.adoption.at(-1)?.month ?? ''))}</text></svg>`;
  const stageNames: Record<string, string> = { not_started: 'Not started', training: 'Training', live: 'Live', sustained: 'Sustained' };
  main.innerHTML = `${breadcrumbs([['/improvement', 'Improvement']])}
  <h1 class="nhsuk-heading-l">${esc(r.title)}</h1><p>${esc(r.intervention)}</p>
  <h2 class="nhsuk-heading-m">Adoption</h2><p>Solid: live or sustained; dashed: in training or beyond.</p>${curve}
  <h2 class="nhsuk-heading-m">Sites</h2>
  ${table('rollout-sites', 'Sites', ['Site', 'Stage', 'Since', 'Outcome before', 'Outcome after'], rows(r.sites.map((s) => [esc(s.title), esc(stageNames[s.stage] ?? s.stage), esc(period(s.since)), num(s.before), num(s.after)])))}`;
}


