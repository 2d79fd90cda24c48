// Metric page: the agreed definition (version, who agreed it), small multiples – one MDC chart per
// organisation – the funnel for a chosen period, and for every organisation its comparison with the
// benchmark (Fingertips method, with the 95% interval), rank, gap to the best and rate of
// improvement (GET /api/benchmark: the numbers of `shewhart compare` and `shewhart trend`).
import { get, type BoardRow, type Funnel, type Metric, type Organisation, type Series } from '../api';
import { breadcrumbs, enc, esc, fmt, period } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';
import { funnelOption, mount, spcOption } from '../charts';
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
  const periods = [...new Set(board.rows.map((r) => r.last_period))].sort().reverse();
  const chosen = q.get('period') ?? periods[0] ?? '';
  const unitName = (u: string) => names.get(u) ?? board.rows.find((r) => r.unit === u)?.unit_name ?? u;
  const multiples = rows.slice(0, kMultiples);
  const better = ({ increase: 'Higher is better', decrease: 'Lower is better', neutral: 'Neither higher nor lower is better' } as Record<string, string>)[agreed.improvement_direction] ?? '';

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
  ${agg ? `<p>Whole system (${esc(agg.unit_name)}): <a href="/chart/${enc(code)}/${enc(agg.unit)}?aggregate=1" class="app-inline-icons">${variationIcon(agg.variation, 24)}${assuranceIcon(agg.assurance, 24)} ${esc(variationText(agg.variation))}; ${esc(assuranceText(agg.assurance))}</a></p>` : ''}
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
  <select class="nhsuk-select" id="period" name="period">${periods.map((x) => `<option value="${esc(x)}"${x === chosen ? ' selected' : ''}>${esc(period(x))}</option>`).join('')}</select></div>
  <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show period</button></form>
  <div id="funnel"><p role="status">Loading the funnel…</p></div>
  <h2 class="nhsuk-heading-m" id="standing-heading">Where each stands, and how fast it is improving</h2>
  <div id="standing"><p role="status">Loading…</p></div>`;

  main.querySelector<HTMLFormElement>('#period-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(`/metrics/${enc(code)}?period=${(main.querySelector('#period') as HTMLSelectElement).value}`);
  });

  void renderEvidence(main, code); // incidents, complaints and audits beside the charts (evidence.ts)
  await Promise.all([
    ...multiples.map(async (r, i) => {
      const s = await get<Series>(`/api/series/${enc(code)}/${enc(r.unit)}`).catch(() => null);
      const el = main.querySelector<HTMLElement>(`#multiple-${i}`);
      if (s && el) mount(el, spcOption(s, { compact: true, target: agreed.target }));
    }),
    (async () => {
      const box = main.querySelector<HTMLElement>('#funnel')!;
      try {
        const f = await get<Funnel>(`/api/funnel/${enc(code)}?period=${chosen}`);
        const out = f.units.filter((u) => u.outlier !== 'none');
        box.innerHTML = `<p>Each dot is an organisation in ${esc(period(f.period))}: bigger organisations sit to the right. Dots outside the dashed funnel differ from the system average (${fmt(f.target, 2)}) by more than chance.${f.overdispersion_adjusted ? ' The limits are widened for overdispersion.' : ''}</p>
        <div class="app-chart app-chart--funnel" id="funnel-chart" role="img" aria-label="${esc(`Funnel plot for ${period(f.period)}: ${out.length} of ${f.units.length} organisations outside the limits`)}"></div>
        <p id="funnel-outliers">${out.length ? `Outside the limits: ${out.map((u) => `<a href="/organisations/${enc(u.unit)}">${esc(unitName(u.unit))}</a> (${esc(u.outlier.replace(/_/g, ' '))})`).join(', ')}.` : 'No organisation is outside the limits.'}</p>`;
        mount(box.querySelector<HTMLElement>('#funnel-chart')!, funnelOption(f, names));
      } catch (e) {
        box.innerHTML = `<p>A funnel needs a numerator and a denominator for each organisation: ${esc(e instanceof Error ? e.message : e)}.</p>`;
      }
    })(),
    (async () => {
      const box = main.querySelector<HTMLElement>('#standing')!;
      const b = await get<Benchmark>(`/api/benchmark/${enc(code)}?period=${chosen}`).catch(() => null);
      if (!b || b.units.length === 0) {
        box.innerHTML = `<p>No comparison for this period.</p>`;
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
        return `${fmt(per_year, 2)}${b.unit ? ` ${b.unit}` : ''} a year${ci}${sure && good ? ` – ${good}` : ' – no clear trend'}`;
      };
      const interval = (u: UnitBenchmark) => (u.lower !== null && u.upper !== null ? `${fmt(u.lower, 2)} to ${fmt(u.upper, 2)}` : '–');
      const list = [...b.units].sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity));
      const method = b.method === 'wilson' ? 'Wilson score intervals' : b.method === 'byars' ? "exact Poisson / Byar's intervals" : '';
      box.innerHTML = `<p id="benchmark-summary">In ${esc(period(b.period))}, against the benchmark ${b.benchmark !== null ? `${fmt(b.benchmark, 2)}${b.unit ? ` ${esc(b.unit)}` : ''} (all organisations together)` : ''}: ${b.counts.better} better, ${b.counts.same} similar, ${b.counts.worse} worse${b.counts.none ? `, ${b.counts.none} not compared` : ''}.
        ${method ? `Compared as Fingertips does: ${b.confidence}% ${method}; similar when the interval includes the benchmark.` : 'A plain value has no confidence interval, so it is not compared with a benchmark.'}
        Best ${fmt(b.standing.best ?? NaN, 2)}, median ${fmt(b.standing.median ?? NaN, 2)}, across ${b.standing.n} organisations; quartile 1 is the best quarter. Rate of improvement: the Theil–Sen slope per year with its 95% interval, over every period up to this one.</p>
        <div class="app-scroll" role="region" aria-labelledby="standing-heading" tabindex="0"><table class="nhsuk-table" id="standing-table"><thead><tr><th scope="col">Rank</th><th scope="col">Organisation</th><th scope="col" class="app-num">Value</th><th scope="col">95% interval</th><th scope="col">Compared with the benchmark</th><th scope="col" class="app-num">Quartile</th><th scope="col" class="app-num">Gap to best</th><th scope="col">Rate of improvement</th></tr></thead>
        <tbody>${list.map((u) => `<tr><td>${fmt(u.rank ?? NaN, 1)}</td><td><a href="/chart/${enc(code)}/${enc(u.unit)}">${esc(unitName(u.unit))}</a></td><td class="app-num">${fmt(u.value ?? NaN, 2)}</td><td>${interval(u)}</td><td class="app-comparison app-comparison--${esc(u.comparison)}">${esc(comparisonText[u.comparison] ?? u.comparison)}</td><td class="app-num">${u.quartile}</td><td class="app-num">${fmt(u.gap_to_best ?? NaN, 2)}</td><td>${esc(trendText(u))}</td></tr>`).join('')}</tbody></table></div>`;
    })(),
  ]);
}
