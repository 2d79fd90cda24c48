// Board summary: an integrated performance report for one scope — the system, a place's
// organisations or "my organisation" (the default for people whose scope is one organisation) —
// answering the board's four questions at the top, then each domain's measures with their latest
// value, target, mean and limits, both icons, trend and benchmark against peers (exception-led:
// "where to look first" is the report's own concerns, in its order), then the metrics ×
// organisations grid of the system's organisations.
import { account, get, hasSystemScope, type BoardRow, type Organisation, type Report, type ReportRow } from '../api';
import { aggregationText, betterText, enc, esc, fmt, freshness, freshnessByDomain, kindName, period } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';
import { navigate } from '../router';

const kMaxColumns = 10;

const domainOrder = ['safe', 'effective', 'caring', 'responsive', 'well-led', 'workforce', 'improvement capability'];
const domainName = (d: string) => (d ? d[0]!.toUpperCase() + d.slice(1) : 'Other');

export async function boardScreen(main: HTMLElement, _p: Record<string, string>, q: URLSearchParams): Promise<void> {
  // Organisation-level people see their organisation first; everyone else the system.
  const mine = account?.organisation && !hasSystemScope() ? account.organisation : '';
  const asked = q.get('scope') ?? mine;
  const domain = q.get('domain') ?? '';
  const place = q.get('place') ?? '';
  const kind = q.get('kind') ?? '';
  const [report, orgs] = await Promise.all([
    get<Report>(`/api/board/report?${new URLSearchParams({ ...(asked ? { scope: asked } : {}), ...(domain ? { domain } : {}) })}`).catch(() => null),
    get<{ organisations: Organisation[] }>('/api/organisations').catch(() => ({ organisations: [] as Organisation[] })),
  ]);
  const names = new Map(orgs.organisations.map((o) => [o.code, o.name]));
  const byCode = new Map(orgs.organisations.map((o) => [o.code, o]));
  // The system the grid shows: the scope itself, or the system above the organisation.
  const systemOf = (code: string): string => {
    let u = byCode.get(code);
    for (let i = 0; u && i < 8; i++) {
      if (u.kind === 'system' || u.kind === 'nation') return u.code;
      u = u.parent ? byCode.get(u.parent) : undefined;
    }
    return '';
  };
  const scope = report?.scope ?? asked;
  const system = report ? (report.aggregate ? report.scope : systemOf(report.scope)) : '';
  const board = await get<{ rows: BoardRow[] }>(`/api/board?limit=50000${system ? `&scope=${enc(system)}` : ''}`);
  const all = board.rows;
  const rows = all.filter((r) => (!domain || r.domain === domain) && (!place || r.place === place) && (!kind || r.kind === kind));
  const opts = (vals: (string | null)[], cur: string, label: (v: string) => string = (v) => v) =>
    [...new Set(vals.filter((v): v is string => !!v))]
      .sort()
      .map((v) => `<option value="${esc(v)}"${v === cur ? ' selected' : ''}>${esc(label(v))}</option>`)
      .join('');

  // Scopes to choose: every system (a nation's data are a separate, named benchmark set), and the
  // organisations of the system shown.
  const systems = orgs.organisations.filter((o) => o.kind === 'system');
  const nations = orgs.organisations.filter((o) => o.kind === 'nation');
  const scopeOrgs = [...new Set(all.filter((r) => !r.aggregate).map((r) => r.unit))].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
  const scopeOptions = `${systems.map((o) => `<option value="${esc(o.code)}"${o.code === scope ? ' selected' : ''}>${esc(o.name)} (whole system)</option>`).join('')}
    <optgroup label="Organisations">${scopeOrgs.map((c) => `<option value="${esc(c)}"${c === scope ? ' selected' : ''}>${esc(names.get(c) ?? c)}${c === mine ? ' (my organisation)' : ''}</option>`).join('')}</optgroup>
    ${nations.length ? `<optgroup label="Benchmark sets">${nations.map((o) => `<option value="${esc(o.code)}"${o.code === scope ? ' selected' : ''}>${esc(o.name)} – national benchmark set</option>`).join('')}</optgroup>` : ''}`;

  // The metrics × organisations grid (the system's organisations).
  const unitScore = new Map<string, number>();
  const unitInfo = new Map<string, BoardRow>();
  for (const r of rows) {
    unitScore.set(r.unit, (unitScore.get(r.unit) ?? 0) + severity(r.variation, r.assurance));
    if (!unitInfo.has(r.unit)) unitInfo.set(r.unit, r);
  }
  const units = [...unitScore.keys()].sort((a, b) => {
    const ra = unitInfo.get(a)!, rb = unitInfo.get(b)!;
    if (ra.aggregate !== rb.aggregate) return ra.aggregate ? -1 : 1;
    return (unitScore.get(b) ?? 0) - (unitScore.get(a) ?? 0) || a.localeCompare(b);
  });
  const shown = units.slice(0, kMaxColumns);
  const shownSet = new Set(shown);
  const metricScore = new Map<string, number>();
  const metricName = new Map<string, string>();
  const cells = new Map<string, BoardRow>();
  for (const r of rows) {
    if (!shownSet.has(r.unit)) continue;
    metricScore.set(r.metric, (metricScore.get(r.metric) ?? 0) + severity(r.variation, r.assurance));
    metricName.set(r.metric, r.name);
    cells.set(`${r.metric}\u0000${r.unit}`, r);
  }
  const metrics = [...metricScore.keys()].sort(
    (a, b) => (metricScore.get(b) ?? 0) - (metricScore.get(a) ?? 0) || metricName.get(a)!.localeCompare(metricName.get(b)!),
  );
  const unitName = (u: string) => unitInfo.get(u)?.unit_name || names.get(u) || u;
  const chartHref = (r: { metric: string; unit: string; aggregate: boolean }) => `/chart/${enc(r.metric)}/${enc(r.unit)}${r.aggregate ? '?aggregate=1' : ''}`;
  const head = shown
    .map((u) => `<th scope="col" class="app-board__unit"><a href="/organisations/${enc(u)}">${esc(unitName(u))}</a></th>`)
    .join('');
  const body = metrics
    .map((m) => {
      const tds = shown
        .map((u) => {
          const r = cells.get(`${m}\u0000${u}`);
          if (!r) return `<td class="app-board__cell app-board__cell--empty"><span class="nhsuk-u-visually-hidden">No data</span></td>`;
          const sev = severity(r.variation, r.assurance);
          return `<td class="app-board__cell${sev >= 4 ? ' app-board__cell--concern' : ''}"><a class="app-board__link" href="${chartHref(r)}"><span class="nhsuk-u-visually-hidden">${esc(metricName.get(m))}, ${esc(unitName(u))}: </span>${variationIcon(r.variation, 28)}${assuranceIcon(r.assurance, 28)}</a><span class="app-board__value">${esc(fmt(r.mean, 2))}</span></td>`;
        })
        .join('');
      return `<tr><th scope="row" class="app-board__metric"><a href="/metrics/${enc(m)}">${esc(metricName.get(m))}</a></th>${tds}</tr>`;
    })
    .join('');

  // The report: the scope's measures, by domain, concerns first (as the server orders them).
  const rep = (report?.rows ?? []).filter((r) => (!domain || r.domain === domain));
  const attention = rep
    .filter((r) => severity(r.variation, r.assurance) >= 2)
    .sort((a, b) => severity(b.variation, b.assurance) - severity(a.variation, a.assurance))
    .slice(0, 10);
  const scopeName = report?.scope_name ?? 'the system';
  const latest = report?.latest_period ?? rows.map((r) => r.last_period).sort().pop();

  main.innerHTML = `
  <h1 class="nhsuk-heading-l">Board summary <span class="nhsuk-caption-l" id="board-scope">${esc(scopeName)}${report && !report.aggregate ? ` – ${esc(kindName(report.scope_kind))}` : ''}</span></h1>
  <p class="nhsuk-body" id="freshness">Data: ${esc(freshnessByDomain(report?.rows ?? [], latest))}.${report?.aggregate ? ' System values use only the organisations that reported each period; a period is held back until enough have.' : ''}</p>
  ${iconKey()}
  <form class="app-filters" id="board-filters" method="get" action="/board">
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-scope">Show</label>
      <select class="nhsuk-select" id="f-scope" name="scope">${scopeOptions}</select></div>
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-domain">Domain</label>
      <select class="nhsuk-select" id="f-domain" name="domain"><option value="">All domains</option>${opts(all.map((r) => r.domain), domain, domainName)}</select></div>
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-place">Place</label>
      <select class="nhsuk-select" id="f-place" name="place"><option value="">All places</option>${opts(all.map((r) => r.place), place, (v) => names.get(v) ?? v)}</select></div>
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-kind">Kind of organisation</label>
      <select class="nhsuk-select" id="f-kind" name="kind"><option value="">All kinds</option>${opts(all.map((r) => r.kind), kind, kindName)}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Apply filters</button>
  </form>
  ${report ? fourQuestions(report, rep) : ''}
  <h2 class="nhsuk-heading-m" id="attention-heading">Where to look first</h2>
  ${
    attention.length
      ? `<ol class="app-attention" id="attention">${attention
          .map(
            (r) => `<li data-metric="${esc(r.metric)}"><a href="${chartHref({ metric: r.metric, unit: scope, aggregate: r.aggregate })}">${esc(r.name)}</a>
          <span class="app-reading">${variationIcon(r.variation, 24)}${assuranceIcon(r.assurance, 24)} ${esc(variationText(r.variation))}. ${esc(assuranceText(r.assurance))}. Latest ${esc(fmt(r.latest, 2))} ${esc(r.unit)}${r.target !== null ? `, target ${esc(fmt(r.target, 2))}` : ''}.</span></li>`,
          )
          .join('')}</ol>`
      : '<p id="attention">Nothing here shows special cause of concern or failing assurance.</p>'
  }
  <h2 class="nhsuk-heading-m" id="report-heading">Performance report: ${esc(scopeName)}</h2>
  ${performanceReport(rep, scope, chartHref)}
  <ul class="nhsuk-list app-exports" id="board-exports">
    <li><a href="/api/board/export.xlsx${filterQuery(scope, domain, place, kind)}" download>Download as an Excel workbook<span class="nhsuk-u-visually-hidden"> (the board summary with its charts)</span></a></li>
    <li><a href="/api/board/pack.pdf${filterQuery(scope, domain, place, kind)}" download>Download the board pack (PDF)</a></li>
  </ul>
  ${report && !report.aggregate && system ? `<p id="grid-link"><a href="/board?scope=${enc(system)}">See every organisation in ${esc(names.get(system) ?? system)}</a></p>` : `<h2 class="nhsuk-heading-m" id="grid-heading">Each organisation${system ? ` in ${esc(names.get(system) ?? system)}` : ''}</h2>
  <p class="nhsuk-body-s" id="board-count">${metrics.length} measures × ${shown.length} organisations, ${esc(freshness(rows.map((r) => r.last_period).sort().pop()))}. Each cell: how the measure is varying (left icon), whether it will meet its target (right icon) and its mean.${
    units.length > shown.length
      ? ` <strong>${units.length} organisations match; the ${shown.length} needing most attention are shown.</strong> Choose a place or kind to see the others.`
      : ''
  }</p>
  ${
    metrics.length
      ? `<div class="app-scroll" role="region" aria-labelledby="board-caption" tabindex="0">
  <table class="nhsuk-table app-board" id="board-table"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden" id="board-caption">Measures by organisation: variation and assurance</caption>
  <thead><tr><th scope="col">Measure</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`
      : `<p class="nhsuk-body" id="board-empty">No measures match these filters.</p>`
  }`}`;
  const form = main.querySelector<HTMLFormElement>('#board-filters')!;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v && !(k === 'scope' && v === mine && !q.get('scope'))) fd.set(k, String(v));
    navigate(`/board${fd.size ? `?${fd}` : ''}`);
  });
}

// The board's four questions, answered from the report's rows.
function fourQuestions(report: Report, rows: ReportRow[]): string {
  const withTarget = rows.filter((r) => r.assurance);
  const pass = withTarget.filter((r) => r.assurance === 'consistent_pass');
  const fail = withTarget.filter((r) => r.assurance === 'consistent_fail');
  const mixed = withTarget.filter((r) => r.assurance === 'inconsistent');
  const names = (rs: ReportRow[], n = 4) => rs.slice(0, n).map((r) => `<a href="/metrics/${enc(r.metric)}">${esc(r.name)}</a>`).join(', ') + (rs.length > n ? ` and ${rs.length - n} more` : '');
  const improving = rows.filter((r) => r.trend.word === 'improving');
  const worsening = rows.filter((r) => r.trend.word === 'worsening');
  const flat = rows.filter((r) => r.trend.word === 'no clear trend' || r.trend.word === 'changing');
  const rate = (r: ReportRow) => `${esc(r.name)}: ${fmt(r.trend.per_year, 2)} ${esc(r.trend.unit)}`;
  const fav = rows.reduce((n, r) => n + r.peers.favourable, 0);
  const unfav = rows.reduce((n, r) => n + r.peers.unfavourable, 0);
  const unfavRows = rows.filter((r) => r.peers.unfavourable > 0);
  const favRows = rows.filter((r) => r.peers.favourable > 0);
  let variation: string;
  let standing: string;
  if (report.aggregate) {
    variation = `<p><span class="app-count app-count--concern">${unfav}</span> organisation results are <strong>worse than expected</strong> (outside the funnel on the worse side)${unfavRows.length ? `, in ${names(unfavRows)}` : ''}; <span class="app-count app-count--improvement">${fav}</span> are <strong>better than expected</strong>${favRows.length ? `, in ${names(favRows)}` : ''}. Organisations are compared with others of the same kind, in the latest period the system shows.</p>`;
    const best = rows.filter((r) => r.peers.best_name);
    const counts = new Map<string, number>();
    for (const r of best) counts.set(r.peers.best_name!, (counts.get(r.peers.best_name!) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    standing = `<p>${top.length ? `Best most often: ${top.map(([n, c]) => `${esc(n)} (best in ${c} measure${c === 1 ? '' : 's'})`).join('; ')}.` : 'No measure has a better direction to rank by.'} Each measure in the report below names its best organisation.</p>`;
  } else {
    const ranked = rows.filter((r) => r.peers.position !== null && r.peers.n > 1);
    const first = ranked.filter((r) => r.peers.position === 1);
    const lowest = ranked.filter((r) => r.peers.position !== null && r.peers.position > Math.max(1, Math.ceil(r.peers.n * 0.75)));
    variation = `<p>${unfavRows.length ? `<strong>Worse than peers</strong> (outside the funnel): ${names(unfavRows)}. ` : 'Not worse than its peers on any measure with a funnel. '}${favRows.length ? `<strong>Better than peers</strong>: ${names(favRows)}.` : ''}</p>`;
    standing = `<p>Best of its peers in <strong>${first.length}</strong> of ${ranked.length} measures compared${first.length ? ` (${names(first, 3)})` : ''}; in the bottom quarter in <strong>${lowest.length}</strong>${lowest.length ? ` (${names(lowest, 3)})` : ''}. Peers: ${esc(rows[0]?.peers.group ?? 'organisations of the same kind')}.</p>`;
  }
  return `<section class="app-questions" id="four-questions" aria-labelledby="questions-heading">
  <h2 class="nhsuk-heading-m" id="questions-heading">The four questions</h2>
  <div class="app-questions__grid">
  <div class="app-question" id="q-targets"><h3 class="nhsuk-heading-s">How good are we against our targets?</h3>
    <p>${withTarget.length} of ${rows.length} measures have a target: <strong>${pass.length}</strong> consistently passing, <strong>${mixed.length}</strong> hit and miss, <strong>${fail.length}</strong> consistently failing${fail.length ? ` (${names(fail)})` : ''}.</p></div>
  <div class="app-question" id="q-variation"><h3 class="nhsuk-heading-s">Is there unwarranted variation?</h3>${variation}</div>
  <div class="app-question" id="q-standing"><h3 class="nhsuk-heading-s">Where do we stand against our peers and the best?</h3>${standing}</div>
  <div class="app-question" id="q-improvement"><h3 class="nhsuk-heading-s">How fast are we improving?</h3>
    <p><strong>${improving.length}</strong> measures improving, <strong>${worsening.length}</strong> worsening, ${flat.length} with no clear trend${rows.length - improving.length - worsening.length - flat.length ? `, ${rows.length - improving.length - worsening.length - flat.length} with too few points` : ''}.${improving.length ? ` Improving: ${improving.slice(0, 2).map(rate).join('; ')}.` : ''}${worsening.length ? ` Worsening: ${worsening.slice(0, 2).map(rate).join('; ')}.` : ''}</p></div>
  </div></section>`;
}

// Each domain's measures: latest value, target, mean and limits, both icons, trend and peers.
function performanceReport(rows: ReportRow[], scope: string, href: (r: { metric: string; unit: string; aggregate: boolean }) => string): string {
  if (!rows.length) return '<p id="report-empty">No measures for this scope and filter.</p>';
  const domains = [...new Set(rows.map((r) => r.domain))].sort((a, b) => domainOrder.indexOf(a) - domainOrder.indexOf(b));
  const trendCell = (r: ReportRow) => {
    if (r.trend.per_year === null) return `<span class="nhsuk-body-s">${esc(r.trend.word)}</span>`;
    return `${esc(r.trend.word)}<br><span class="nhsuk-body-s">${esc(fmt(r.trend.per_year, 2))} ${esc(r.trend.unit)}</span>`;
  };
  const peerCell = (r: ReportRow) => {
    const p = r.peers;
    const bits: string[] = [];
    if (p.position !== null && p.n > 1) bits.push(`${p.position} of ${p.n}`);
    if (!r.aggregate && p.n <= 1) bits.push('no peer reported this period');
    if (p.outlier === 'unfavourable') bits.push('<span class="app-outlier app-outlier--worse">worse than expected</span>');
    if (p.outlier === 'favourable') bits.push('<span class="app-outlier app-outlier--better">better than expected</span>');
    if (r.aggregate && (p.unfavourable || p.favourable)) bits.push(`${p.unfavourable} worse, ${p.favourable} better than expected`);
    if (p.best_name) bits.push(`best ${esc(fmt(p.best, 2))} (${esc(p.best_name)})`);
    return bits.length ? bits.join('<br>') : '–';
  };
  return domains
    .map((d) => {
      const rs = rows.filter((r) => r.domain === d);
      const id = `report-${d.replace(/\W+/g, '-')}`;
      return `<h3 class="nhsuk-heading-s" id="${id}-heading">${esc(domainName(d))}</h3>
      <div class="app-scroll" role="region" aria-labelledby="${id}-heading" tabindex="0"><table class="nhsuk-table app-report" id="${id}">
      <thead><tr><th scope="col">Measure</th><th scope="col">Latest</th><th scope="col">Target</th><th scope="col">Mean (limits)</th><th scope="col">Variation and assurance</th><th scope="col">Trend a year</th><th scope="col">Against peers</th></tr></thead>
      <tbody>${rs
        .map(
          (r) => `<tr class="app-report__row${severity(r.variation, r.assurance) >= 4 ? ' app-report__row--concern' : ''}" data-metric="${esc(r.metric)}"><th scope="row" class="app-report__measure"><a href="${href({ metric: r.metric, unit: scope, aggregate: r.aggregate })}">${esc(r.name)}</a><br><span class="nhsuk-body-s">${esc(betterText(r.improvement_direction))}${r.aggregate && r.aggregation ? `; ${esc(aggregationText(r.aggregation).toLowerCase())}` : ''}</span></th>
          <td class="app-report__num"><span class="app-nowrap">${esc(fmt(r.latest, 2))}</span> <span class="nhsuk-body-s">${esc(r.unit)}</span><br><span class="nhsuk-body-s">${esc(period(r.last_period))}${r.expected ? `, ${r.reported} of ${r.expected} reported` : ''}</span></td>
          <td class="app-report__num"><span class="app-nowrap">${esc(fmt(r.target, 2))}</span></td>
          <td class="app-report__num"><span class="app-nowrap">${esc(fmt(r.mean, 2))}</span><br><span class="nhsuk-body-s app-nowrap">${esc(fmt(r.lpl, 2))} to ${esc(fmt(r.upl, 2))}</span></td>
          <td class="app-report__icons">${variationIcon(r.variation, 28)}${assuranceIcon(r.assurance, 28)}</td>
          <td>${trendCell(r)}</td>
          <td>${peerCell(r)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`;
    })
    .join('');
}

function filterQuery(scope: string, domain: string, place: string, kind: string): string {
  const q = new URLSearchParams();
  if (scope) q.set('scope', scope);
  if (domain) q.set('domain', domain);
  if (place) q.set('place', place);
  if (kind) q.set('kind', kind);
  return q.size ? `?${q}` : '';
}

// The icon key, open at the top: every variation and assurance state a cell can show.
export function iconKey(): string {
  const vs = ['concern_high', 'concern_low', 'improvement_high', 'improvement_low', 'neutral_high', 'neutral_low', 'common_cause', ''] as const;
  const as = ['consistent_fail', 'inconsistent', 'consistent_pass', ''] as const;
  return `<section class="app-panel app-key-panel" id="icon-key" aria-labelledby="icon-key-heading"><h2 class="nhsuk-heading-s" id="icon-key-heading">What the icons mean</h2>
  <div class="app-key-columns"><ul class="nhsuk-list app-key" id="icon-key-variation">
  ${vs.map((v) => `<li>${variationIcon(v, 28)} ${esc(variationText(v))}</li>`).join('')}</ul>
  <ul class="nhsuk-list app-key" id="icon-key-assurance">
  ${as.map((a) => `<li>${a ? assuranceIcon(a, 28) : '<span class="app-key__none" aria-hidden="true"></span>'} ${esc(assuranceText(a))}</li>`).join('')}
  </ul></div><p class="nhsuk-body-s">Orange means concern, blue improvement, purple a change that is neither better nor worse, grey no significant change. H and L say whether the change is high or low; P and F whether the target is consistently passed or failed.</p></section>`;
}
