// Chart page: one series' Making Data Count chart, interactive (hover values, zoom), with its
// recalculations and annotations, a recalculation form for those who may recalculate, and
// exports as PNG, SVG and CSV.
import { ApiError, can, get, post, request, type Metric, type Series } from '../api';
import { aggregationText, betterText, breadcrumbs, download, enc, errorSummary, esc, fmt, freshness, period } from '../dom';
import { assuranceIcon, assuranceText, variationAdvice, variationIcon, variationText } from '../icons';
import { mount, spcOption, typeText, type Note } from '../charts';

interface Recorded {
  id: number;
  period: string;
  text: string;
  created_by: string;
  created_at: string;
}

interface Annotation {
  period: string;
  text: string;
  created_by?: string;
}

export async function chartScreen(main: HTMLElement, p: Record<string, string>, q: URLSearchParams): Promise<void> {
  const metric = p.metric!, unit = p.unit!;
  const aggregate = q.get('aggregate') === '1';
  const base = `/api/series/${enc(metric)}/${enc(unit)}`;
  const [series, def, org, notes] = await Promise.all([
    get<Series>(`${base}${aggregate ? '?aggregate=1' : ''}`),
    get<Metric>(`/api/metrics/${enc(metric)}`).catch(() => null),
    get<{ name?: string; organisation?: { name: string } }>(`/api/organisations/${enc(unit)}`).catch(() => null),
    // Annotations: shown when the server offers them (see the report); absent otherwise.
    get<{ annotations: Annotation[] }>(`${base}/annotations${aggregate ? "?aggregate=1" : ""}`).catch(() => ({ annotations: [] as Annotation[] })),
  ]);
  // Recalculations people recorded, with who and when (each can be undone).
  const recorded = await get<{ recalculations: Recorded[] }>(`${base}/recalculations${aggregate ? '?aggregate=1' : ''}`).catch(() => ({ recalculations: [] as Recorded[] }));
  const v = def?.versions[def.versions.length - 1];
  const name = v?.name ?? metric;
  const unitName = org?.name ?? org?.organisation?.name ?? unit;
  const s = series.summary;
  const title = `${name}: ${unitName}`;
  const noteList: Note[] = notes.annotations.map((a) => ({ period: a.period, text: a.text }));
  const recalcs = series.groups.slice(1).map((g) => {
    const at = series.points[g.begin]?.period ?? '';
    return { period: at, reason: g.reason ?? '', by: recorded.recalculations.find((r) => r.period === at) };
  });
  const mayUndo = can('series.recalculation_undo');
  const last = series.points[series.points.length - 1];

  main.innerHTML = `${breadcrumbs([['/board', 'Board summary'], [`/metrics/${enc(metric)}`, name]], unitName)}
  <h1 class="nhsuk-heading-l">${esc(name)} <span class="nhsuk-caption-l">${esc(unitName)}</span></h1>
  <div class="app-readings">
    <div class="app-reading-card">${variationIcon(s.variation, 56)}<p><strong>${esc(variationText(s.variation))}.</strong> ${esc(variationAdvice(s.variation))}</p></div>
    <div class="app-reading-card">${assuranceIcon(s.assurance, 56)}<p><strong>${esc(assuranceText(s.assurance))}.</strong>${s.target !== null ? ` Target ${esc(fmt(s.target, 2))}.` : ''}</p></div>
  </div>
  <dl class="nhsuk-summary-list app-summary">
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Latest</dt><dd class="nhsuk-summary-list__value" id="latest">${esc(fmt(last?.value, 2))} ${esc(v?.unit ?? '')} in ${esc(period(last?.period))} <span class="nhsuk-body-s">(${esc(freshness(last?.period))})</span></dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Mean and process limits</dt><dd class="nhsuk-summary-list__value">${esc(fmt(s.mean, 2))} (expect between ${esc(fmt(s.lpl, 2))} and ${esc(fmt(s.upl, 2))})</dd></div>
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Direction</dt><dd class="nhsuk-summary-list__value" id="better">${esc(betterText(v?.improvement_direction))}</dd></div>
    ${coverageRows(series)}
  </dl>
  ${heldBackNote(series)}
  ${series.warnings.length ? `<div class="nhsuk-warning-callout"><h2 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>Read with care</span></h2>${series.warnings.map((w) => `<p>${esc(w)}</p>`).join('')}</div>` : ''}
  <figure class="app-figure">
    <div id="spc-chart" class="app-chart" role="img" aria-label="${esc(`Control chart of ${title}, ${series.points.length} points from ${period(s.first_period)} to ${period(s.last_period)}. ${variationText(s.variation)}. ${assuranceText(s.assurance)}.`)}"></div>
    <figcaption class="nhsuk-body-s">Dots: grey common cause, orange concern, blue improvement, purple neither. Solid line: mean; dashed: process limits; red: target. Scroll or drag the slider to zoom; hover a dot for its value.</figcaption>
  </figure>
  <div class="app-buttons">
    <button class="nhsuk-button nhsuk-button--secondary" type="button" id="export-png">Download PNG</button>
    <button class="nhsuk-button nhsuk-button--secondary" type="button" id="export-svg">Download SVG</button>
    <button class="nhsuk-button nhsuk-button--secondary" type="button" id="export-csv">Download CSV</button>
  </div>
  <h2 class="nhsuk-heading-m">Recalculations and events</h2>
  ${
    recalcs.length || noteList.length
      ? `<ul class="nhsuk-list nhsuk-list--bullet" id="annotations">${recalcs
          .map(
            (r) =>
              `<li class="app-recalc"><strong>${esc(period(r.period))}</strong>: recalculated – ${esc(r.reason)}${
                r.by
                  ? ` <span class="nhsuk-body-s">(by ${esc(r.by.created_by)} on ${esc(r.by.created_at.slice(0, 10))})</span>${
                      mayUndo ? ` <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small app-undo" data-id="${r.by.id}">Undo<span class="nhsuk-u-visually-hidden"> the recalculation from ${esc(period(r.period))}</span></button>` : ''
                    }`
                  : r.reason.startsWith('definition changed') ? ' <span class="nhsuk-body-s">(follows the agreed definition)</span>' : ''
              }</li>`,
          )
          .join('')}${notes.annotations.map((a) => `<li><strong>${esc(period(a.period))}</strong>: ${esc(a.text)}${a.created_by ? ` (${esc(a.created_by)})` : ''}</li>`).join('')}</ul>`
      : '<p id="annotations">No recalculations or events are recorded for this chart.</p>'
  }
  <div id="forms"></div>
  <details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">The data as a table</span></summary>
  <div class="nhsuk-details__text app-scroll" role="region" aria-label="Chart data" tabindex="0"><table class="nhsuk-table"><thead><tr><th scope="col">Period</th><th scope="col">Value</th><th scope="col">Point</th></tr></thead>
  <tbody>${series.points.map((pt) => `<tr><td>${esc(period(pt.period))}</td><td>${esc(fmt(pt.value, 3))}</td><td>${esc(typeText[pt.type])}</td></tr>`).join('')}</tbody></table></div></details>`;

  const el = main.querySelector<HTMLElement>('#spc-chart')!;
  const chart = mount(el, spcOption(series, { zoom: true, notes: noteList, unitLabel: v?.unit }));
  const file = `${metric}_${unit}`;
  const subtitle = `${series.aggregate && series.coverage ? `${aggregationText(series.coverage.aggregation)} · ` : ''}${betterText(v?.improvement_direction)} · ${period(s.first_period)} to ${period(s.last_period)}`;
  main.querySelector('#export-svg')!.addEventListener('click', () => download(`${file}.svg`, new Blob([svgText(el, title, subtitle)], { type: 'image/svg+xml' })));
  main.querySelector('#export-png')!.addEventListener('click', async () => download(`${file}.png`, await svgToPng(svgText(el, title, subtitle), el.clientWidth, el.clientHeight + kTitleBand)));
  main.querySelector('#export-csv')!.addEventListener('click', () => {
    const lines = ['metric,unit,period,value,point_type,mean,lower_process_limit,upper_process_limit,target'];
    series.points.forEach((pt, i) => {
      const g = series.groups.find((x) => i >= x.begin && i < x.end);
      lines.push([metric, unit, pt.period, pt.value ?? '', typeText[pt.type], g?.mean ?? '', g?.lpl ?? '', g?.upl ?? '', s.target ?? ''].map(csvCell).join(','));
    });
    download(`${file}.csv`, new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
  });
  void chart;
  for (const b of main.querySelectorAll<HTMLButtonElement>('.app-undo')) {
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await request('DELETE', `${base}/recalculations/${b.dataset.id}${aggregate ? '?aggregate=1' : ''}`);
        location.reload();
      } catch (e) {
        b.disabled = false;
        b.insertAdjacentHTML('afterend', `<span class="nhsuk-error-message">${esc(e instanceof Error ? e.message : e)}</span>`);
      }
    });
  }
  renderForms(main, base, series, aggregate);
}

function renderForms(main: HTMLElement, base: string, series: Series, aggregate: boolean): void {
  const forms = main.querySelector<HTMLElement>('#forms')!;
  const periods = series.points.map((p) => `<option value="${esc(p.period)}">${esc(period(p.period))}</option>`).join('');
  let html = '';
  if (can('series.recalculate')) {
    html += `<form class="app-panel" id="recalc-form" novalidate><h2 class="nhsuk-heading-m">Recalculate the limits</h2>
    <p>Recalculate only when the process has changed for a known reason, with enough points after the change. The reason is shown on the chart and kept in the audit log.</p>
    <div id="recalc-errors"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="recalc-period">First period of the new process</label><select class="nhsuk-select" id="recalc-period" name="period">${periods}</select></div>
    <div class="nhsuk-form-group" id="recalc-reason-group"><label class="nhsuk-label" for="recalc-reason">Reason (required)</label>
    <div class="nhsuk-hint" id="recalc-reason-hint">For example: new triage model started on the ward</div><div id="recalc-reason-error"></div>
    <textarea class="nhsuk-textarea" id="recalc-reason" name="reason" rows="2" aria-describedby="recalc-reason-hint"></textarea></div>
    <button class="nhsuk-button" type="submit" id="recalc-submit">Recalculate</button></form>`;
  }
  if (can('series.annotate')) {
    html += `<form class="app-panel" id="note-form" novalidate><h2 class="nhsuk-heading-m">Add an event to the chart</h2>
    <div id="note-errors"></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="note-period">Period</label><select class="nhsuk-select" id="note-period" name="period">${periods}</select></div>
    <div class="nhsuk-form-group" id="note-text-group"><label class="nhsuk-label" for="note-text">What happened</label><div id="note-text-error"></div>
    <textarea class="nhsuk-textarea" id="note-text" name="text" rows="2"></textarea></div>
    <button class="nhsuk-button nhsuk-button--secondary" type="submit">Add event</button></form>`;
  }
  forms.innerHTML = html;
  const wire = (id: string, field: string, path: string, empty: string) => {
    const form = forms.querySelector<HTMLFormElement>(`#${id}`);
    if (!form) return;
    const prefix = id.split('-')[0];
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const fd = Object.fromEntries(new FormData(form)) as Record<string, string>;
      const errBox = forms.querySelector<HTMLElement>(`#${prefix}-errors`)!;
      const group = forms.querySelector<HTMLElement>(`#${prefix}-${field}-group`)!;
      const fieldErr = forms.querySelector<HTMLElement>(`#${prefix}-${field}-error`)!;
      group.classList.remove('nhsuk-form-group--error');
      fieldErr.innerHTML = '';
      if (!fd[field]?.trim()) {
        errBox.innerHTML = errorSummary('There is a problem', [empty], `${prefix}-summary`);
        group.classList.add('nhsuk-form-group--error');
        fieldErr.innerHTML = `<span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">Error:</span> ${esc(empty)}</span>`;
        errBox.querySelector<HTMLElement>('.nhsuk-error-summary')?.focus();
        return;
      }
      try {
        await post(`${base}/${path}${aggregate ? '?aggregate=1' : ''}`, fd);
        errBox.innerHTML = `<div class="nhsuk-inset-text" role="status"><p>Saved. Reloading the chart…</p></div>`;
        location.reload();
      } catch (e) {
        const msg =
          e instanceof ApiError && (e.status === 404 || e.status === 405)
            ? 'This server does not record this yet. Ask your administrator to update Shewhart.'
            : e instanceof Error
              ? e.message
              : String(e);
        errBox.innerHTML = errorSummary('It was not saved', [msg], `${prefix}-summary`);
        errBox.querySelector<HTMLElement>('.nhsuk-error-summary')?.focus();
      }
    });
  };
  wire('recalc-form', 'reason', 'recalculations', 'Enter the reason for the recalculation');
  wire('note-form', 'text', 'annotations', 'Enter what happened');
}

// A system's value: how it is formed and how many organisations reported the latest period.
function coverageRows(series: Series): string {
  const c = series.coverage;
  if (!series.aggregate || !c) return '';
  return `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">How the system value is formed</dt><dd class="nhsuk-summary-list__value" id="aggregation">${esc(aggregationText(c.aggregation))}${c.expected ? `; ${c.reported} of ${c.expected} organisations reported the latest period shown` : ''}</dd></div>`;
}

// The periods held back because too few organisations have reported them.
function heldBackNote(series: Series): string {
  const held = series.coverage?.held_back ?? [];
  if (!held.length) return '';
  return `<div class="nhsuk-inset-text" id="held-back"><p><strong>Not shown yet:</strong> ${held
    .slice(-6)
    .map((h) => `${esc(period(h.period))} (${h.reported} of ${h.expected} reported)`)
    .join(', ')}${held.length > 6 ? ` and ${held.length - 6} earlier periods` : ''}. A system value is shown only once enough organisations have reported, so that one organisation ahead of the rest is not read as the whole system.</p></div>`;
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const kTitleBand = 52;

// The chart as a standalone SVG with its title and subtitle above it (a downloaded chart must say
// what it shows), on a white background.
export function svgText(el: HTMLElement, title = '', subtitle = ''): string {
  const svg = el.querySelector('svg');
  if (!svg) return '';
  const ns = 'http://www.w3.org/2000/svg';
  const w = el.clientWidth || Number(svg.getAttribute('width')) || 800;
  const h = el.clientHeight || Number(svg.getAttribute('height')) || 400;
  const band = title ? kTitleBand : 0;
  const out = document.createElementNS(ns, 'svg');
  out.setAttribute('xmlns', ns);
  out.setAttribute('width', String(w));
  out.setAttribute('height', String(h + band));
  out.setAttribute('viewBox', `0 0 ${w} ${h + band}`);
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#ffffff');
  bg.setAttribute('data-bg', '1');
  out.appendChild(bg);
  if (title) {
    const t = document.createElementNS(ns, 'title');
    t.textContent = title;
    out.appendChild(t);
    const add = (text: string, y: number, size: number, weight: string) => {
      const node = document.createElementNS(ns, 'text');
      node.setAttribute('x', '12');
      node.setAttribute('y', String(y));
      node.setAttribute('font-family', 'Arial, sans-serif');
      node.setAttribute('font-size', String(size));
      node.setAttribute('font-weight', weight);
      node.setAttribute('fill', '#212b32');
      node.setAttribute('class', 'app-export-title');
      node.textContent = text;
      out.appendChild(node);
    };
    add(title, 22, 16, 'bold');
    if (subtitle) add(subtitle, 42, 12, 'normal');
  }
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('y', String(band));
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  out.appendChild(clone);
  return new XMLSerializer().serializeToString(out);
}

async function svgToPng(svg: string, w: number, h: number): Promise<Blob> {
  const scale = 2;
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
}
