// Board summary: metrics × organisations with the variation and assurance icons, filtered by
// domain, place and kind of organisation, ordered so that concerns surface first.
import { get, type BoardRow, type Organisation } from '../api';
import { enc, esc, period } from '../dom';
import { assuranceIcon, assuranceText, severity, variationIcon, variationText } from '../icons';
import { navigate } from '../router';

const kMaxColumns = 14;

// index.html starts fetching the board before the stylesheet has loaded; use it once.
function prefetchedBoard(): Promise<{ rows: BoardRow[] }> | null {
  const w = window as unknown as { __prefetch?: { board?: Promise<Response> } };
  const p = w.__prefetch?.board;
  if (!p) return null;
  delete w.__prefetch;
  return p.then(async (r) => {
    if (!r.ok) return get<{ rows: BoardRow[] }>('/api/board?limit=50000');
    return (await r.json()) as { rows: BoardRow[] };
  });
}

export async function boardScreen(main: HTMLElement, _p: Record<string, string>, q: URLSearchParams): Promise<void> {
  const [board, orgs] = await Promise.all([
    prefetchedBoard() ?? get<{ rows: BoardRow[] }>('/api/board?limit=50000'),
    get<{ organisations: Organisation[] }>('/api/organisations').catch(() => ({ organisations: [] as Organisation[] })),
  ]);
  const names = new Map(orgs.organisations.map((o) => [o.code, o.name]));
  const all = board.rows;
  const domain = q.get('domain') ?? '';
  const place = q.get('place') ?? '';
  const kind = q.get('kind') ?? '';
  const rows = all.filter(
    (r) =>
      (!domain || r.domain === domain) &&
      (!place || r.place === place) &&
      (!kind || r.kind === kind),
  );
  const opts = (vals: (string | null)[], cur: string, label: (v: string) => string = (v) => v) =>
    [...new Set(vals.filter((v): v is string => !!v))]
      .sort()
      .map((v) => `<option value="${esc(v)}"${v === cur ? ' selected' : ''}>${esc(label(v))}</option>`)
      .join('');

  // Columns: units, aggregates (the whole system) first, then by how much attention they need.
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
  const chartHref = (r: BoardRow) => `/chart/${enc(r.metric)}/${enc(r.unit)}${r.aggregate ? '?aggregate=1' : ''}`;

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
          return `<td class="app-board__cell${sev >= 4 ? ' app-board__cell--concern' : ''}"><a class="app-board__link" href="${chartHref(r)}"><span class="nhsuk-u-visually-hidden">${esc(metricName.get(m))}, ${esc(unitName(u))}: </span>${variationIcon(r.variation, 28)}${assuranceIcon(r.assurance, 28)}</a></td>`;
        })
        .join('');
      return `<tr><th scope="row" class="app-board__metric"><a href="/metrics/${enc(m)}">${esc(metricName.get(m))}</a></th>${tds}</tr>`;
    })
    .join('');

  const attention = rows
    .filter((r) => severity(r.variation, r.assurance) >= 2)
    .sort((a, b) => severity(b.variation, b.assurance) - severity(a.variation, a.assurance) || a.name.localeCompare(b.name))
    .slice(0, 10);
  const periods = rows.map((r) => r.last_period).sort();
  const latest = periods[periods.length - 1];

  main.innerHTML = `
  <h1 class="nhsuk-heading-l">Board summary</h1>
  <p class="nhsuk-body-l">Each cell shows how a measure is varying (left icon) and whether it will meet its target (right icon). Concerns come first. Choose a cell to see its chart.</p>
  <form class="app-filters" id="board-filters" method="get" action="/board">
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-domain">Domain</label>
      <select class="nhsuk-select" id="f-domain" name="domain"><option value="">All domains</option>${opts(all.map((r) => r.domain), domain)}</select></div>
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-place">Place</label>
      <select class="nhsuk-select" id="f-place" name="place"><option value="">All places</option>${opts(all.map((r) => r.place), place, (v) => names.get(v) ?? v)}</select></div>
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-kind">Kind of organisation</label>
      <select class="nhsuk-select" id="f-kind" name="kind"><option value="">All kinds</option>${opts(all.map((r) => r.kind), kind, (v) => v[0]!.toUpperCase() + v.slice(1))}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Apply filters</button>
  </form>
  <p class="nhsuk-body-s" id="board-count">${metrics.length} measures × ${shown.length} organisations, latest period ${esc(period(latest))}.${
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
  }
  <ul class="nhsuk-list app-exports" id="board-exports">
    <li><a href="/api/board/export.xlsx${filterQuery(domain, place, kind)}" download>Download as an Excel workbook<span class="nhsuk-u-visually-hidden"> (the board summary with its charts)</span></a></li>
    <li><a href="/api/board/pack.pdf${filterQuery(domain, place, kind)}" download>Download the board pack (PDF)</a></li>
  </ul>
  <h2 class="nhsuk-heading-m">Where to look first</h2>
  ${
    attention.length
      ? `<ol class="app-attention">${attention
          .map(
            (r) => `<li><a href="${chartHref(r)}">${esc(r.name)} – ${esc(unitName(r.unit))}</a>
          <span class="app-reading">${variationIcon(r.variation, 24)}${assuranceIcon(r.assurance, 24)} ${esc(variationText(r.variation))}. ${esc(assuranceText(r.assurance))}.</span></li>`,
          )
          .join('')}</ol>`
      : '<p>Nothing here shows special cause of concern or failing assurance.</p>'
  }
  ${iconKey()}`;
  const form = main.querySelector<HTMLFormElement>('#board-filters')!;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) fd.set(k, String(v));
    navigate(`/board${fd.size ? `?${fd}` : ''}`);
  });
}

function filterQuery(domain: string, place: string, kind: string): string {
  const q = new URLSearchParams();
  if (domain) q.set('domain', domain);
  if (place) q.set('place', place);
  if (kind) q.set('kind', kind);
  return q.size ? `?${q}` : '';
}

export function iconKey(): string {
  const vs = ['concern_high', 'concern_low', 'improvement_high', 'improvement_low', 'neutral_high', 'common_cause'] as const;
  const as = ['consistent_fail', 'inconsistent', 'consistent_pass'] as const;
  return `<details class="nhsuk-details" id="icon-key"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">What the icons mean</span></summary>
  <div class="nhsuk-details__text"><ul class="nhsuk-list app-key">
  ${vs.map((v) => `<li>${variationIcon(v, 28)} ${esc(variationText(v))}</li>`).join('')}
  ${as.map((a) => `<li>${assuranceIcon(a, 28)} ${esc(assuranceText(a))}</li>`).join('')}
  </ul><p>Orange means concern, blue improvement, purple a change that is neither better nor worse, grey no significant change. H and L say whether the change is high or low; P and F whether the target is consistently passed or failed.</p></div></details>`;
}
