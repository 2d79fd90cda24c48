// Metric page: the agreed definition (version, who agreed it), small multiples – one MDC chart per
// organisation – the funnel for a chosen period, and for every organisation its comparison with the
// benchmark (Fingertips method, with the 95% interval), rank, gap to the best and rate of
// improvement (GET /api/benchmark: the numbers of `shewhart compare` and `shewhart trend`).
import { get, type BoardRow, type Funnel, type Metric, type Organisation, type Series } from '../api';
import { aggregationText, betterText, breadcrumbs, enc, esc, fmt, freshness, kindName, period, positions } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';
import { funnelOption, mount, outlierText, spcOption } from '../charts';
import { navigate } from '../router';
import { renderEvidence } from './evidence';

const kMultiples = 12;

// GET /api/benchmark/{metric}?period (src/server/handlers_benchmark.cc).
interface Slope {
  per_year: number | null;
  lower95: number | null;
  upper95: number | null;
}
interface UnitBenchmark {
  unit: string;
  value: number | null;
  lower: number | null;
  upper: number | null;
  comparison: 'better' | 'same' | 'worse' | 'none';
  rank: number | null;
  quartile: number;
  gap_to_best: number | null;
  trend: { n: number; ols: Slope | null; theil_sen: Slope | null; marker: string | null; note: string };
}
interface Benchmark {
  metric: string;
  period: string;
  method: string | null;
  polarity: string;
  confidence: number;
  benchmark: number | null;
  unit: string;
  trend_unit: string;
  counts: { better: number; same: number; worse: number; none: number };
  standing: { n: number; best: number | null; median: number | null };
  units: UnitBenchmark[];
}

const comparisonText: Record<string, string> = {
  better: 'Better than the benchmark',
  same: 'Similar to the benchmark',
  worse: 'Worse than the benchmark',
  none: 'Not compared',
};

export async function metricScreen(main: HTMLElement, p: Record<string, string>, q: URLSearchParams): Promise<void> {
  const code = p.code!;
  const [def, board, orgs] = await Promise.all([
    get<Metric>(`/api/metrics/${enc(code)}`),
    get<{ rows: BoardRow[] }>(`/api/board?metric=${enc(code)}&limit=50000`),
    get<{ organisations: Organisation[] }>('/api/organisations').catch(() => ({ organisations: [] as Organisation[] })),
  ]);
  const names = new Map(orgs.organisations.map((o) => [o.code, o.name]));
  const agreed = [...def.versions].reverse().find((v) => v.status === 'agreed') ?? def.versions[def.versions.length - 1]!;
  const rows = board.rows
    .filter((r) => !r.aggregate)
    .sort((a, b) => severity(b.variation, b.assurance) - severity(a.variation, a.assurance) || a.unit_name.localeCompare(b.unit_name));
  const agg = board.rows.find((r) => r.aggregate);
  // Every period the system has, complete or held back (with how many reported), not only the
  // latest periods of each organisation: one organisation ahead must not hide the others.
  const aggSeries = agg ? await get<Series>(`/api/series/${enc(code)}/${enc(agg.unit)}?aggregate=1`).catch(() => null) : null;
  const reportedIn = new Map<string, string>();
  for (const pt of aggSeries?.points ?? []) if (pt.expected) reportedIn.set(pt.period, `${pt.reported} of ${pt.expected} reported`);
  for (const h of aggSeries?.coverage?.held_back ?? []) reportedIn.set(h.period, `${h.reported} of ${h.expected} reported – held back`);
  const periods = [...new Set([...reportedIn.keys(), ...board.rows.map((r) => r.last_period)])].sort().reverse();
  // By default the latest period the system shows (enough organisations reported it).
  const chosen = q.get('period') ?? aggSeries?.summary.last_period ?? periods[0] ?? '';
  const peerKind = q.get('kind') ?? '';
  const peerGroup = q.get('group') ?? '';
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  const groups = orgs.organisations.filter((o) => o.kind === 'peer group');
  const peerQuery = `${peerKind ? `&kind=${enc(peerKind)}` : ''}${peerGroup ? `&group=${enc(peerGroup)}` : ''}`;
  const unitName = (u: string) => names.get(u) ?? board.rows.find((r) => r.unit === u)?.unit_name ?? u;
  const multiples = rows.slice(0, kMultiples);
  const better = betterText(agreed.improvement_direction);

  main.innerHTML = `${breadcrumbs([['/board', 'Board summary']], agreed.name)}
  <h1 class="nhsuk-heading-l">${esc(agreed.name)}</h1>
  <p class="nhsuk-body-l">${esc(agreed.definition)}</p>
  <dl class="nhsuk-summary-list" id="definition">
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Definition</dt><dd class="nhsuk-summary-list__value">Version ${agreed.version}, ${esc(agreed.status)}${agreed.agreed_by ? ` by ${esc(agreed.agreed_by)} on ${esc(agreed.agreed_at)}` : ''}</dd><dd class="nhsuk-summary-list__actions"><a href="/dictionary/${enc(code)}">History<span class="nhsuk-u-visually-hidden"> of this definition</span></a></dd></div>
    ${agreed.numerator_definition ? `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Numerator</dt><dd class="nhsuk-summary-list__value">${esc(agreed.numerator_definition)}</dd></div>` : ''}
    ${agreed.denominator_definition ? `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Denominator</dt><dd class="nhsuk-summary-list__value">${esc(agreed.denominator_definition)}</dd></div>` : ''}
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Unit and direction</dt><dd class="nhsuk-summary-list__value">${esc(agreed.unit || agreed.measure)}. ${esc(better)}.${agreed.target !== null ? ` Target ${fmt(agreed.target, 2)}.` : ''}</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Owner and source</dt><dd class="nhsuk-summary-list__value">${esc(agreed.owner || '–')}; ${esc(agreed.source || '–')}</dd></div>
  </dl>
  ${agg ? `<p id="system-value">Whole system (${esc(agg.unit_name)}): <a href="/chart/${enc(code)}/${enc(agg.unit)}?aggregate=1" class="app-inline-icons">${variationIcon(agg.variation, 24)}${assuranceIcon(agg.assurance, 24)} ${esc(variationText(agg.variation))}; ${esc(assuranceText(agg.assurance))}</a>. <span class="nhsuk-body-s">${esc(aggregationText(agg.aggregation))}; ${esc(freshness(agg.last_period))}${agg.expected ? `, ${agg.reported} of ${agg.expected} organisations reported` : ''}${agg.held_back?.length ? `; ${agg.held_back.length} later period${agg.held_back.length === 1 ? '' : 's'} held back until more organisations report` : ''}.</span></p>` : ''}
  <h2 class="nhsuk-heading-m">Each organisation</h2>
  <p>${rows.length > multiples.length ? `The ${multiples.length} of ${rows.length} organisations needing most attention. ` : ''}Choose a chart to open it.</p>
  <ul class="app-multiples" id="multiples">${multiples
    .map(
      (r, i) => `<li class="app-multiple"><h3 class="nhsuk-heading-xs"><a href="/chart/${enc(code)}/${enc(r.unit)}">${esc(unitName(r.unit))}</a></h3>
      <p class="app-inline-icons">${variationIcon(r.variation, 24)}${assuranceIcon(r.assurance, 24)} <span class="nhsuk-body-s">${esc(variationText(r.variation))}. ${esc(assuranceText(r.assurance))}.</span></p>
      <div class="app-multiple__chart" id="multiple-${i}" role="img" aria-label="${esc(`Control chart of ${agreed.name} for ${unitName(r.unit)}`)}"></div></li>`,
    )
    .join('')}</ul>
  <h2 class="nhsuk-heading-m" id="funnel-heading">Unwarranted variation: the funnel</h2>
  <form id="period-form" class="app-filters"><div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="period">Period</label>
  <select class="nhsuk-select" id="period" name="period">${periods.map((x) => `<option value="${esc(x)}"${x === chosen ? ' selected' : ''}>${esc(period(x))}${reportedIn.has(x) ? ` (${esc(reportedIn.get(x))})` : ''}</option>`).join('')}</select></div>
  <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="peers">Compare like with like</label>
  <select class="nhsuk-select" id="peers" name="peers"><option value="">All organisations</option>${kinds.map((k) => `<option value="kind:${esc(k)}"${k === peerKind ? ' selected' : ''}>${esc(kindName(k))}s only</option>`).join('')}${groups.map((g) => `<option value="group:${esc(g.code)}"${g.code === peerGroup ? ' selected' : ''}>${esc(g.name)}</option>`).join('')}</select></div>
  <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button></form>
  <div id="funnel"><p role="status">Loading the funnel…</p></div>
  <h2 class="nhsuk-heading-m" id="standing-heading">Where each stands, and how fast it is improving</h2>
  <div id="standing"><p role="status">Loading…</p></div>`;

  main.querySelector<HTMLFormElement>('#period-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const peers = (main.querySelector('#peers') as HTMLSelectElement).value;
    const [which, value] = peers.split(':');
    navigate(`/metrics/${enc(code)}?period=${(main.querySelector('#period') as HTMLSelectElement).value}${value ? `&${which}=${enc(value)}` : ''}`);
  });

  void renderEvidence(main, code); // incidents, complaints and audits beside the charts (evidence.ts)
  const benchP = chosen ? get<Benchmark>(`/api/benchmark/${enc(code)}?period=${chosen}${peerQuery}`).catch(() => null) : Promise.resolve(null);
  await Promise.all([
    ...multiples.map(async (r, i) => {
      const s = await get<Series>(`/api/series/${enc(code)}/${enc(r.unit)}`).catch(() => null);
      const el = main.querySelector<HTMLElement>(`#multiple-${i}`);
      if (s && el) mount(el, spcOption(s, { compact: true, target: agreed.target }));
    }),
    (async () => {
      const box = main.querySelector<HTMLElement>('#funnel')!;
      if (agreed.measure !== 'proportion' && agreed.measure !== 'rate') {
        box.innerHTML = `<p id="funnel-none">A funnel compares proportions or rates (a numerator over a denominator); this measure is a single value, so organisations are compared by their standing below.</p>`;
        return;
      }
      // Only a period with two or more organisations is asked for a funnel (no request that 409s).
      const n = (await benchP)?.units.length ?? 0;
      if (n < 2) {
        box.innerHTML = `<p id="funnel-none">Only ${n} organisation${n === 1 ? '' : 's'} reported ${esc(period(chosen))}: a funnel needs at least two. Choose an earlier period.</p>`;
        return;
      }
      try {
        const f = await get<Funnel>(`/api/funnel/${enc(code)}?period=${chosen}${peerQuery}`);
        const dir = agreed.improvement_direction;
        const out = f.units.filter((u) => u.outlier !== 'none');
        const fav = out.filter((u) => outlierText(u.outlier, dir).endsWith('– favourable'));
        const unfav = out.filter((u) => !fav.includes(u));
        const list = (us: typeof out) => us.map((u) => `<a href="/organisations/${enc(u.unit)}">${esc(unitName(u.unit))}</a> (${esc(outlierText(u.outlier, dir))})`).join(', ');
        box.innerHTML = `<p>Each dot is an organisation in ${esc(period(f.period))}: bigger organisations sit to the right. Dots outside the dashed funnel differ from the average of those compared (${fmt(f.target, 2)}) by more than chance: blue on the better side, orange on the worse.${f.overdispersion_adjusted ? ' The limits are widened for overdispersion.' : ''}</p>
        <div class="app-chart app-chart--funnel" id="funnel-chart" role="img" aria-label="${esc(`Funnel plot for ${period(f.period)}: ${out.length} of ${f.units.length} organisations outside the limits`)}"></div>
        <p id="funnel-outliers">${out.length ? `${unfav.length ? `Worse than expected: ${list(unfav)}. ` : ''}${fav.length ? `Better than expected: ${list(fav)}.` : ''}` : 'No organisation is outside the limits.'}</p>`;
        mount(box.querySelector<HTMLElement>('#funnel-chart')!, funnelOption(f, names, dir));
      } catch (e) {
        box.innerHTML = `<p id="funnel-none">No funnel for ${esc(period(chosen))}: ${esc(e instanceof Error ? e.message : e)}.</p>`;
      }
    })(),
    (async () => {
      const box = main.querySelector<HTMLElement>('#standing')!;
      const b = await benchP;
      if (!b || b.units.length === 0) {
        box.innerHTML = `<p>No comparison for this period.</p>`;
        return;
      }
      if (b.units.length < 2) {
        box.innerHTML = `<p id="standing-none">Only ${esc(unitName(b.units[0]!.unit))} reported ${esc(period(b.period))}: there is no one to compare it with. Choose an earlier period.</p>`;
        return;
      }
      const dirSign = agreed.improvement_direction === 'decrease' ? -1 : 1;
      const trendText = (u: UnitBenchmark) => {
        const t = u.trend.theil_sen;
        if (!t || t.per_year === null) return u.trend.note ? `– (${u.trend.note})` : '–';
        const { per_year, lower95, upper95 } = t;
        const sure = lower95 !== null && upper95 !== null && (lower95 > 0 || upper95 < 0);
        const good = agreed.improvement_direction === 'neutral' ? '' : per_year * dirSign > 0 ? 'improving' : 'worsening';
        const ci = lower95 !== null && upper95 !== null ? ` (95%: ${fmt(lower95, 2)} to ${fmt(upper95, 2)})` : '';
        return `${fmt(per_year, 2)} ${b.trend_unit.replace(/ per year$/, '')} a year${ci}${sure && good ? ` – ${good}` : ' – no clear trend'}`;
      };
      const interval = (u: UnitBenchmark) => (u.lower !== null && u.upper !== null ? `${fmt(u.lower, 2)} to ${fmt(u.upper, 2)}` : '–');
      const list = [...b.units].sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity));
      // Whole-number positions: tied organisations share the better one ("=2"), never "5.5".
      const better = agreed.improvement_direction === 'decrease' ? -1 : 1;
      const pos = positions(list.map((u) => u.value), better);
      const place = (i: number) => {
        const p = pos[i];
        if (!p || p.position === null || agreed.improvement_direction === 'neutral') return '–';
        return `${p.tied ? '=' : ''}${p.position} of ${list.length}`;
      };
      const method = b.method === 'wilson' ? 'Wilson score intervals' : b.method === 'byars' ? "exact Poisson / Byar's intervals" : '';
      box.innerHTML = `<p id="benchmark-summary">In ${esc(period(b.period))}, against the benchmark ${b.benchmark !== null ? `${fmt(b.benchmark, 2)}${b.unit ? ` ${esc(b.unit)}` : ''} (all organisations together)` : ''}: ${b.counts.better} better, ${b.counts.same} similar, ${b.counts.worse} worse${b.counts.none ? `, ${b.counts.none} not compared` : ''}.
        ${method ? `Compared as Fingertips does: ${b.confidence}% ${method}; similar when the interval includes the benchmark.` : 'A plain value has no confidence interval, so it is not compared with a benchmark.'}
        Best ${fmt(b.standing.best ?? NaN, 2)}, median ${fmt(b.standing.median ?? NaN, 2)}, across ${b.standing.n} organisations; quartile 1 is the best quarter. Rate of improvement: the Theil–Sen slope per year with its 95% interval, over every period up to this one.</p>
        <div class="app-scroll" role="region" aria-labelledby="standing-heading" tabindex="0"><table class="nhsuk-table" id="standing-table"><thead><tr><th scope="col">Position</th><th scope="col">Organisation</th><th scope="col" class="app-num">Value</th><th scope="col">95% interval</th><th scope="col">Compared with the benchmark</th><th scope="col" class="app-num">Quartile</th><th scope="col" class="app-num">Gap to best</th><th scope="col">Rate of improvement</th></tr></thead>
        <tbody>${list.map((u, i) => `<tr><td class="app-nowrap">${place(i)}</td><td><a href="/chart/${enc(code)}/${enc(u.unit)}">${esc(unitName(u.unit))}</a></td><td class="app-num">${fmt(u.value ?? NaN, 2)}</td><td>${interval(u)}</td><td class="app-comparison app-comparison--${esc(u.comparison)}">${esc(comparisonText[u.comparison] ?? u.comparison)}</td><td class="app-num">${u.quartile}</td><td class="app-num">${fmt(u.gap_to_best ?? NaN, 2)}</td><td>${esc(trendText(u))}</td></tr>`).join('')}</tbody></table></div>`;
    })(),
  ]);
}
