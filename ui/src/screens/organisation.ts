// Organisation page: its signals ranked by the server from every strand (GET
// /api/organisations/{org}/signals: concerns, assurance, funnels, incidents, complaints, audits,
// ratings, notes, horizon items) plus late or missing submissions, one time line of every strand
// (GET .../timeline), and all of its measures with icons, standing and trend.
import { can, get, type BoardRow, type Organisation, type Report, type Submission } from '../api';
import { breadcrumbs, enc, esc, fmt, kindName, period, tag } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';
import { escalationTimeline } from './followup';
import { signalTag } from './system';

export async function organisationListScreen(main: HTMLElement): Promise<void> {
  const orgs = await get<{ organisations: Organisation[] }>('/api/organisations');
  // The system's organisations: a national benchmark set (under a nation) is not a partner.
  const system = orgs.organisations.find((o) => o.kind === 'system');
  const board = await get<{ rows: BoardRow[] }>(`/api/board?limit=50000${system ? `&scope=${enc(system.code)}` : ''}`);
  const score = new Map<string, number>();
  for (const r of board.rows) score.set(r.unit, (score.get(r.unit) ?? 0) + (r.variation.startsWith('concern') ? 1 : 0));
  const list = orgs.organisations.filter((o) => score.has(o.code)).sort((a, b) => (score.get(b.code) ?? 0) - (score.get(a.code) ?? 0) || a.name.localeCompare(b.name));
  main.innerHTML = `<h1 class="nhsuk-heading-l">Organisations</h1><p>Organisations with measures, those with most concerns first.</p>
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="org-search">Search by name or code</label><input class="nhsuk-input nhsuk-input--width-20" id="org-search" type="search" autocomplete="off"></div>
  <table class="nhsuk-table" id="org-table"><thead><tr><th scope="col">Organisation</th><th scope="col">Kind</th><th scope="col" class="app-num">Concerns</th></tr></thead>
  <tbody>${list.map((o) => `<tr data-search="${esc(`${o.name} ${o.code}`.toLowerCase())}"><td><a href="/organisations/${enc(o.code)}">${esc(o.name)}</a> <span class="nhsuk-body-s">${esc(o.code)}</span></td><td>${esc(kindName(o.kind))}</td><td class="app-num">${score.get(o.code) ?? 0}</td></tr>`).join('')}</tbody></table>`;
  const input = main.querySelector<HTMLInputElement>('#org-search')!;
  input.addEventListener('input', () => {
    const t = input.value.trim().toLowerCase();
    main.querySelectorAll<HTMLElement>('#org-table tbody tr').forEach((tr) => (tr.hidden = !!t && !tr.dataset.search!.includes(t)));
  });
}

interface Signal {
  weight: number;
  text: string;
  href: string;
  kind: string;
  colour: string;
  source?: string;
  concern?: number | null; // an open concern this signal already belongs to
  raise?: string; // the signal as POST /api/concerns takes it
}

interface ServerSignal {
  rank: number;
  source: string;
  reason: string;
  href: string;
  weight: number;
  date: string;
  concern?: number | null;
  organisation?: string | null;
  metric?: string | null;
  period?: string | null;
}

interface TimelineItem {
  source: string;
  date: string;
  title: string;
  detail: string;
  href: string;
}

const timelineNames: Record<string, string> = {
  spc: 'Measures', incident: 'Incidents', complaint: 'Complaints', audit: 'Audits', rating: 'Ratings', note: 'Notes', horizon: 'Horizon',
};

function renderTimeline(box: HTMLElement, items: TimelineItem[]): void {
  const sources = [...new Set(items.map((i) => i.source))];
  const shown = new Set(sources);
  const kPage = 60;
  let limit = kPage;
  const draw = () => {
    const all = items.filter((i) => shown.has(i.source)).reverse();
    const list = all.slice(0, limit);
    const more = box.querySelector<HTMLButtonElement>('#timeline-more')!;
    more.hidden = all.length <= limit;
    more.textContent = `Show ${Math.min(kPage, all.length - limit)} earlier items`;
    let year = '';
    box.querySelector('#timeline-list')!.innerHTML = list.length
      ? list
          .map((i) => {
            const y = i.date.slice(0, 4);
            const head = y !== year ? `<li class="app-timeline__year"><h3 class="nhsuk-heading-s">${esc(y)}</h3></li>` : '';
            year = y;
            return `${head}<li class="app-timeline__item"><span class="nhsuk-body-s">${esc(i.date)}</span> ${signalTag(i.source)} <a href="${esc(i.href)}">${esc(i.title)}</a>${i.detail ? `<br><span class="nhsuk-body-s">${esc(i.detail)}</span>` : ''}</li>`;
          })
          .join('')
      : '<li>Nothing to show for the strands chosen.</li>';
  };
  box.innerHTML = items.length
    ? `<fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Strands shown</legend>
      <div class="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-checkboxes--inline">${sources
        .map((s) => `<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="strand-${esc(s)}" type="checkbox" value="${esc(s)}" checked><label class="nhsuk-label nhsuk-checkboxes__label" for="strand-${esc(s)}">${esc(timelineNames[s] ?? s)} (${items.filter((i) => i.source === s).length})</label></div>`)
        .join('')}</div></fieldset>
      <ol class="app-timeline" id="timeline-list"></ol>
      <button class="nhsuk-button nhsuk-button--secondary" id="timeline-more" type="button" hidden>Show earlier items</button>`
    : '<p id="timeline-list">Nothing is recorded for this organisation.</p>';
  box.querySelector('#timeline-more')?.addEventListener('click', () => {
    limit += kPage;
    draw();
  });
  box.querySelectorAll<HTMLInputElement>('input[type=checkbox]').forEach((c) =>
    c.addEventListener('change', () => {
      if (c.checked) shown.add(c.value);
      else shown.delete(c.value);
      draw();
    }),
  );
  if (items.length) draw();
}

export async function organisationScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const code = p.code!;
  const [org, board, subs, server, timeline] = await Promise.all([
    get<Organisation>(`/api/organisations/${enc(code)}`),
    get<{ rows: BoardRow[] }>('/api/board?limit=50000'),
    get<{ submissions: Submission[] }>('/api/submissions').catch(() => ({ submissions: [] as Submission[] })),
    get<{ signals: ServerSignal[] }>(`/api/organisations/${enc(code)}/signals`).catch(() => ({ signals: [] as ServerSignal[] })),
    get<{ timeline: TimelineItem[] }>(`/api/organisations/${enc(code)}/timeline`).catch(() => ({ timeline: [] as TimelineItem[] })),
  ]);
  const rows = board.rows.filter((r) => r.unit === code).sort((a, b) => severity(b.variation, b.assurance) - severity(a.variation, a.assurance) || a.name.localeCompare(b.name));
  const chartHref = (r: BoardRow) => `/chart/${enc(r.metric)}/${enc(code)}${r.aggregate ? '?aggregate=1' : ''}`;
  // The server ranks every strand (docs/intelligence.md); late and missing data follow them.
  const signals: Signal[] = server.signals.map((x) => ({
    weight: x.weight, kind: '', colour: '', source: x.source, text: x.reason, href: x.href, concern: x.concern ?? null,
    raise: JSON.stringify({ source: x.source, organisation: x.organisation ?? code, metric: x.metric ?? null, period: x.period ?? null, date: x.date, reason: x.reason, href: x.href }),
  }));
  const sub = subs.submissions.find((s) => s.unit === code);
  if (sub && sub.timeliness < 0.95) signals.push({ weight: 2, kind: 'Late data', colour: 'yellow', text: `${sub.received - sub.on_time} of ${sub.received} submissions arrived late`, href: '/data' });
  if (sub && sub.completeness < 0.95) signals.push({ weight: 1, kind: 'Missing data', colour: 'grey', text: `${sub.expected - sub.received} of ${sub.expected} expected submissions are missing`, href: '/data' });

  main.innerHTML = `${breadcrumbs([['/board', 'Board summary'], ['/organisations', 'Organisations']], org.name)}
  <h1 class="nhsuk-heading-l">${esc(org.name)} <span class="nhsuk-caption-l">${esc(org.code)}, ${esc(kindName(org.kind))}</span></h1>
  <div id="escalation-box"></div>
  <h2 class="nhsuk-heading-m">Where to look next</h2>
  <div id="signals"><p role="status">Checking standing…</p></div>
  <h2 class="nhsuk-heading-m" id="timeline">Time line</h2>
  <div id="timeline-box"></div>
  <h2 class="nhsuk-heading-m" id="measures-heading">Measures</h2>
  ${
    rows.length
      ? `<div class="app-scroll" role="region" aria-labelledby="measures-heading" tabindex="0"><table class="nhsuk-table" id="org-measures"><thead><tr><th scope="col">Measure</th><th scope="col">Variation</th><th scope="col">Assurance</th><th scope="col">Standing</th><th scope="col">Rate of improvement</th></tr></thead>
  <tbody>${rows
    .map(
      (r, i) => `<tr><td><a href="${chartHref(r)}">${esc(r.name)}</a><br><span class="nhsuk-body-s">to ${esc(period(r.last_period))}</span></td>
      <td><span class="app-inline-icons">${variationIcon(r.variation, 28)}<span class="nhsuk-body-s">${esc(variationText(r.variation))}</span></span></td>
      <td><span class="app-inline-icons">${assuranceIcon(r.assurance, 28)}<span class="nhsuk-body-s">${esc(assuranceText(r.assurance))}</span></span></td>
      <td id="standing-${i}">–</td><td id="trend-${i}">–</td></tr>`,
    )
    .join('')}</tbody></table></div>`
      : '<p>No measures are reported for this organisation.</p>'
  }`;

  renderTimeline(main.querySelector<HTMLElement>('#timeline-box')!, timeline.timeline);
  // Standing among peers (whole-number positions) and the rate of improvement with its unit: one
  // request for every measure (GET /api/board/report), no funnel or standing request per row.
  const report = rows.length ? await get<Report>(`/api/board/report?scope=${enc(code)}`).catch(() => null) : null;
  rows.forEach((r, i) => {
    const x = report?.rows.find((y) => y.metric === r.metric);
    if (!x) return;
    const sc = main.querySelector(`#standing-${i}`);
    if (sc && x.peers.position !== null && x.peers.n > 1) sc.textContent = `${x.peers.position} of ${x.peers.n} (${kindName(x.peers.group)})`;
    else if (sc && x.peers.n <= 1) sc.textContent = 'No peer to compare with';
    const tc = main.querySelector(`#trend-${i}`);
    if (tc) tc.textContent = x.trend.per_year === null ? x.trend.word : `${fmt(x.trend.per_year, 2)} ${x.trend.unit} – ${x.trend.word}`;
  });
  // The escalation level and its time line (restricted: nothing when out of scope).
  void escalationTimeline(code).then((html) => {
    const e = main.querySelector<HTMLElement>('#escalation-box');
    if (e) e.innerHTML = html;
  });
  // The first few, ranked; the rest on request (a trust can have dozens).
  const kFirst = 8;
  const box = main.querySelector<HTMLElement>('#signals')!;
  box.innerHTML = signals.length
    ? `<ol class="app-signals" id="signal-list">${signals.map((s, i) => `<li${i >= kFirst ? ' hidden' : ''}>${s.source ? signalTag(s.source) : tag(s.kind, s.colour)} <a href="${esc(s.href)}">${esc(s.text)}</a>${s.concern ? ` <a class="app-signal-concern" href="/concerns/${s.concern}">Concern ${s.concern}</a>` : s.raise && can('concern.create') ? ` <a class="app-signal-raise" href="/concerns?organisation=${enc(code)}&amp;signal=${enc(s.raise)}#raise">Raise a concern<span class="nhsuk-u-visually-hidden"> from this signal</span></a>` : ''}</li>`).join('')}</ol>${
        signals.length > kFirst ? `<button class="nhsuk-button nhsuk-button--secondary" id="signals-more" type="button">Show the other ${signals.length - kFirst} signals</button>` : ''
      }`
    : '<p id="signal-list">No signals: nothing shows concern, failing assurance, an outlier, an incident of severe harm, a poor rating or late data.</p>';
  box.querySelector('#signals-more')?.addEventListener('click', (ev) => {
    box.querySelectorAll<HTMLElement>('#signal-list li[hidden]').forEach((li) => (li.hidden = false));
    (ev.currentTarget as HTMLElement).remove();
  });
}
