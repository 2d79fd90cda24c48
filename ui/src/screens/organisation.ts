// Organisation page: all of its measures with icons, its signals ranked (concerns, failing
// assurance, funnel outliers, late or missing submissions), its standing and trend.
import { get, type BoardRow, type Funnel, type Organisation, type Standing, type Submission, type Trend } from '../api';
import { breadcrumbs, enc, esc, fmt, period, tag } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';

export async function organisationListScreen(main: HTMLElement): Promise<void> {
  const [orgs, board] = await Promise.all([
    get<{ organisations: Organisation[] }>('/api/organisations'),
    get<{ rows: BoardRow[] }>('/api/board?limit=50000'),
  ]);
  const score = new Map<string, number>();
  for (const r of board.rows) score.set(r.unit, (score.get(r.unit) ?? 0) + (r.variation.startsWith('concern') ? 1 : 0));
  const list = orgs.organisations.filter((o) => score.has(o.code)).sort((a, b) => (score.get(b.code) ?? 0) - (score.get(a.code) ?? 0) || a.name.localeCompare(b.name));
  main.innerHTML = `<h1 class="nhsuk-heading-l">Organisations</h1><p>Organisations with measures, those with most concerns first.</p>
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="org-search">Search by name or code</label><input class="nhsuk-input nhsuk-input--width-20" id="org-search" type="search" autocomplete="off"></div>
  <table class="nhsuk-table" id="org-table"><thead><tr><th scope="col">Organisation</th><th scope="col">Kind</th><th scope="col" class="app-num">Concerns</th></tr></thead>
  <tbody>${list.map((o) => `<tr data-search="${esc(`${o.name} ${o.code}`.toLowerCase())}"><td><a href="/organisations/${enc(o.code)}">${esc(o.name)}</a> <span class="nhsuk-body-s">${esc(o.code)}</span></td><td>${esc(o.kind)}</td><td class="app-num">${score.get(o.code) ?? 0}</td></tr>`).join('')}</tbody></table>`;
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
}

export async function organisationScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const code = p.code!;
  const [org, board, subs] = await Promise.all([
    get<Organisation>(`/api/organisations/${enc(code)}`),
    get<{ rows: BoardRow[] }>('/api/board?limit=50000'),
    get<{ submissions: Submission[] }>('/api/submissions').catch(() => ({ submissions: [] as Submission[] })),
  ]);
  const rows = board.rows.filter((r) => r.unit === code).sort((a, b) => severity(b.variation, b.assurance) - severity(a.variation, a.assurance) || a.name.localeCompare(b.name));
  const chartHref = (r: BoardRow) => `/chart/${enc(r.metric)}/${enc(code)}${r.aggregate ? '?aggregate=1' : ''}`;
  const signals: Signal[] = [];
  for (const r of rows) {
    if (r.variation.startsWith('concern')) signals.push({ weight: 4, kind: 'Concern', colour: 'orange', text: `${r.name}: ${variationText(r.variation).toLowerCase()}`, href: chartHref(r) });
    if (r.assurance === 'consistent_fail') signals.push({ weight: 3, kind: 'Failing target', colour: 'red', text: `${r.name}: consistently failing the target of ${fmt(r.target, 2)}`, href: chartHref(r) });
  }
  const sub = subs.submissions.find((s) => s.unit === code);
  if (sub && sub.timeliness < 0.95) signals.push({ weight: 2, kind: 'Late data', colour: 'yellow', text: `${sub.received - sub.on_time} of ${sub.received} submissions arrived late`, href: '/data' });
  if (sub && sub.completeness < 0.95) signals.push({ weight: 1, kind: 'Missing data', colour: 'grey', text: `${sub.expected - sub.received} of ${sub.expected} expected submissions are missing`, href: '/data' });

  main.innerHTML = `${breadcrumbs([['/board', 'Board summary'], ['/organisations', 'Organisations']], org.name)}
  <h1 class="nhsuk-heading-l">${esc(org.name)} <span class="nhsuk-caption-l">${esc(org.code)}, ${esc(org.kind)}</span></h1>
  <h2 class="nhsuk-heading-m">Where to look next</h2>
  <div id="signals"><p role="status">Checking funnels and standing…</p></div>
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

  await Promise.all(
    rows.map(async (r, i) => {
      if (r.aggregate) return;
      const [f, st, t] = await Promise.all([
        get<Funnel>(`/api/funnel/${enc(r.metric)}?period=${r.last_period}`).catch(() => null),
        get<Standing>(`/api/standing/${enc(r.metric)}?period=${r.last_period}`).catch(() => null),
        get<Trend>(`/api/trend/${enc(r.metric)}/${enc(code)}`).catch(() => null),
      ]);
      const fu = f?.units.find((u) => u.unit === code);
      if (fu && fu.outlier !== 'none') signals.push({ weight: 3.5, kind: 'Funnel outlier', colour: 'orange', text: `${r.name}: ${fu.outlier.replace(/_/g, ' ')} in ${period(f!.period)} compared with the system`, href: `/metrics/${enc(r.metric)}?period=${r.last_period}` });
      const su = st?.units.find((u) => u.unit === code);
      const sc = main.querySelector(`#standing-${i}`);
      if (sc && su && st) sc.textContent = `Rank ${fmt(su.rank, 1)} of ${st.n} (quartile ${su.quartile})`;
      const tc = main.querySelector(`#trend-${i}`);
      if (tc && t) {
        const { per_year, lower95, upper95 } = t.theil_sen;
        const clear = lower95 > 0 || upper95 < 0;
        const good = r.improvement_direction === 'neutral' ? 'changing' : (per_year > 0) === (r.improvement_direction === 'increase') ? 'improving' : 'worsening';
        tc.textContent = `${fmt(per_year, 2)} a year${clear ? ` – ${good}` : ' – no clear trend'}`;
      }
    }),
  );
  signals.sort((a, b) => b.weight - a.weight);
  main.querySelector('#signals')!.innerHTML = signals.length
    ? `<ol class="app-signals" id="signal-list">${signals.map((s) => `<li>${tag(s.kind, s.colour)} <a href="${s.href}">${esc(s.text)}</a></li>`).join('')}</ol>`
    : '<p id="signal-list">No signals: nothing shows concern, failing assurance, an outlier or late data.</p>';
}
