// Dictionary: search and read the metric definitions; propose a change (proposers); agree a draft
// (agreers); compare two versions of a definition side by side.
import { ApiError, can, get, post, type Metric, type MetricVersion } from '../api';
import { betterText, breadcrumbs, enc, errorSummary, esc, tag } from '../dom';
import { navigate } from '../router';

const statusTag = (s: string) => tag(s, s === 'agreed' ? 'green' : s === 'draft' ? 'yellow' : 'grey');

export async function dictionaryScreen(main: HTMLElement): Promise<void> {
  const { metrics } = await get<{ metrics: (MetricVersion & { code: string })[] }>('/api/metrics');
  const list = [...metrics].sort((a, b) => a.domain.localeCompare(b.domain) || a.name.localeCompare(b.name));
  main.innerHTML = `<h1 class="nhsuk-heading-l">Dictionary</h1>
  <p class="nhsuk-body-l">What we measure, agreed by the system: each definition, its version and who agreed it.</p>
  ${can('metric.propose') ? `<p><a class="nhsuk-button nhsuk-button--secondary" href="/dictionary/new" id="propose-new" draggable="false">Propose a new measure</a></p>` : ''}
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="dict-search">Search the dictionary</label><input class="nhsuk-input nhsuk-input--width-20" id="dict-search" type="search" autocomplete="off"></div>
  <p id="dict-count" class="nhsuk-body-s" aria-live="polite">${list.length} measures</p>
  <table class="nhsuk-table" id="dict-table"><thead><tr><th scope="col">Measure</th><th scope="col">Domain</th><th scope="col">Status</th></tr></thead>
  <tbody>${list
    .map(
      (m) => `<tr data-search="${esc(`${m.code} ${m.name} ${m.definition} ${m.domain}`.toLowerCase())}"><td><a href="/dictionary/${enc(m.code)}">${esc(m.name)}</a><br><span class="nhsuk-body-s">${esc(m.definition)}</span></td><td>${esc(plain('domain', m.domain))}</td><td>${statusTag(m.status)} <span class="nhsuk-body-s">v${m.version}</span></td></tr>`,
    )
    .join('')}</tbody></table>`;
  const input = main.querySelector<HTMLInputElement>('#dict-search')!;
  input.addEventListener('input', () => {
    const t = input.value.trim().toLowerCase();
    let n = 0;
    main.querySelectorAll<HTMLElement>('#dict-table tbody tr').forEach((tr) => {
      tr.hidden = !!t && !tr.dataset.search!.includes(t);
      if (!tr.hidden) n++;
    });
    main.querySelector('#dict-count')!.textContent = `${n} measure${n === 1 ? '' : 's'}`;
  });
}

const fields: [keyof MetricVersion, string][] = [
  ['name', 'Name'],
  ['definition', 'Definition'],
  ['numerator_definition', 'Numerator'],
  ['denominator_definition', 'Denominator'],
  ['measure', 'Measure'],
  ['unit', 'Unit'],
  ['multiplier', 'Multiplier'],
  ['improvement_direction', 'Which way is better'],
  ['chart_type', 'Chart'],
  ['frequency', 'Frequency'],
  ['domain', 'Domain'],
  ['target', 'Target'],
  ['owner', 'Owner'],
  ['source', 'Source'],
  ['applies_from', 'Applies from'],
  ['status', 'Status'],
  ['agreed_by', 'Agreed by'],
  ['agreed_at', 'Agreed on'],
  ['created_by', 'Proposed by'],
];

// A definition's field in plain words ("Lower is better", not "decrease"; "XmR chart", not "xmr").
function plain(k: keyof MetricVersion, v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  if (k === 'improvement_direction') return betterText(s);
  if (k === 'chart_type') return ({ xmr: 'XmR chart (Making Data Count)', p: 'p chart', u: 'u chart', c: 'c chart', run: 'Run chart' } as Record<string, string>)[s] ?? s;
  if (k === 'measure') return ({ value: 'A single value', proportion: 'A proportion', rate: 'A rate' } as Record<string, string>)[s] ?? s;
  if (k === 'domain' || k === 'frequency') return s ? s[0]!.toUpperCase() + s.slice(1) : s;
  return s;
}

export async function definitionScreen(main: HTMLElement, p: Record<string, string>, q: URLSearchParams): Promise<void> {
  if (p.code === 'new') return proposeForm(main, null);
  const m = await get<Metric>(`/api/metrics/${enc(p.code!)}`);
  const vs = m.versions;
  const latest = vs[vs.length - 1]!;
  const left = Number(q.get('left') ?? Math.max(1, latest.version - 1));
  const right = Number(q.get('right') ?? latest.version);
  const L = vs.find((v) => v.version === left) ?? vs[0]!;
  const R = vs.find((v) => v.version === right) ?? latest;
  const sel = (name: string, cur: number) =>
    `<select class="nhsuk-select" id="cmp-${name}" name="${name}">${vs.map((v) => `<option value="${v.version}"${v.version === cur ? ' selected' : ''}>Version ${v.version} (${esc(v.status)})</option>`).join('')}</select>`;
  main.innerHTML = `${breadcrumbs([['/dictionary', 'Dictionary']], latest.name)}
  <h1 class="nhsuk-heading-l">${esc(latest.name)} <span class="nhsuk-caption-l">${esc(m.code)}</span></h1>
  <p><a href="/metrics/${enc(m.code)}">See this measure across organisations</a></p>
  <div id="dict-messages"></div>
  <h2 class="nhsuk-heading-m" id="history-heading">History, side by side</h2>
  <form id="cmp-form" class="app-filters"><div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="cmp-left">Compare</label>${sel('left', L.version)}</div>
  <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="cmp-right">with</label>${sel('right', R.version)}</div>
  <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Compare</button></form>
  <div class="app-scroll" role="region" aria-labelledby="history-heading" tabindex="0"><table class="nhsuk-table app-compare" id="compare-table"><thead><tr><th scope="col">Field</th><th scope="col">Version ${L.version}</th><th scope="col">Version ${R.version}</th></tr></thead>
  <tbody>${fields
    .map(([k, label]) => {
      const a = plain(k, L[k]), b = plain(k, R[k]);
      const diff = String(a) !== String(b);
      return `<tr${diff ? ' class="app-changed"' : ''}><th scope="row">${label}${diff ? ' <span class="nhsuk-u-visually-hidden">(changed)</span>' : ''}</th><td>${esc(a || '–')}</td><td>${diff ? `<ins>${esc(b || '–')}</ins>` : esc(b || '–')}</td></tr>`;
    })
    .join('')}</tbody></table></div>
  <h2 class="nhsuk-heading-m">All versions</h2>
  <ul class="nhsuk-list" id="versions">${vs
    .map(
      (v) => `<li>${statusTag(v.status)} Version ${v.version}${v.applies_from ? ` from ${esc(v.applies_from)}` : ''}, proposed by ${esc(v.created_by)}${v.agreed_by ? `, agreed by ${esc(v.agreed_by)} on ${esc(v.agreed_at)}` : ''}
      ${v.status === 'draft' && can('metric.agree') ? ` <button class="nhsuk-button nhsuk-button--small app-agree" type="button" data-version="${v.version}">Agree version ${v.version}</button>` : ''}</li>`,
    )
    .join('')}</ul>
  ${can('metric.propose') ? `<p><a class="nhsuk-button nhsuk-button--secondary" href="/dictionary/${enc(m.code)}?propose=1" id="propose-change">Propose a change</a></p>` : ''}
  <div id="propose"></div>`;
  main.querySelector<HTMLFormElement>('#cmp-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const l = (main.querySelector('#cmp-left') as HTMLSelectElement).value;
    const r = (main.querySelector('#cmp-right') as HTMLSelectElement).value;
    navigate(`/dictionary/${enc(m.code)}?left=${l}&right=${r}`);
  });
  main.querySelectorAll<HTMLButtonElement>('.app-agree').forEach((b) =>
    b.addEventListener('click', async () => {
      try {
        await post(`/api/metrics/${enc(m.code)}/versions/${b.dataset.version}/agree`);
        navigate(`/dictionary/${enc(m.code)}`, true);
      } catch (e) {
        main.querySelector('#dict-messages')!.innerHTML = errorSummary('It was not agreed', [e instanceof Error ? e.message : String(e)]);
      }
    }),
  );
  if (q.get('propose') === '1' && can('metric.propose')) proposeForm(main.querySelector<HTMLElement>('#propose')!, { code: m.code, v: latest });
}

function proposeForm(box: HTMLElement, base: { code: string; v: MetricVersion } | null): void {
  const v = base?.v;
  const input = (id: string, label: string, value: unknown, hint = '') =>
    `<div class="nhsuk-form-group" id="g-${id}"><label class="nhsuk-label" for="p-${id}">${label}</label>${hint ? `<div class="nhsuk-hint" id="p-${id}-hint">${hint}</div>` : ''}<div id="e-${id}"></div><input class="nhsuk-input" id="p-${id}" name="${id}" value="${esc(value ?? '')}"${hint ? ` aria-describedby="p-${id}-hint"` : ''}></div>`;
  // Options as [value sent, words shown]: the API's words stay out of sight.
  const select = (id: string, label: string, options: [string, string][], value: string, hint = '') =>
    `<div class="nhsuk-form-group"><label class="nhsuk-label" for="p-${id}">${label}</label>${hint ? `<div class="nhsuk-hint" id="p-${id}-hint">${hint}</div>` : ''}<select class="nhsuk-select" id="p-${id}" name="${id}"${hint ? ` aria-describedby="p-${id}-hint"` : ''}>${options.map(([o, words]) => `<option value="${esc(o)}"${o === value ? ' selected' : ''}>${esc(words)}</option>`).join('')}</select></div>`;
  const domains: [string, string][] = ['safe', 'effective', 'caring', 'responsive', 'well-led', 'workforce', 'improvement capability'].map((d) => [d, d[0]!.toUpperCase() + d.slice(1)]);
  box.innerHTML = `${base ? '' : breadcrumbs([['/dictionary', 'Dictionary']], 'Propose a new measure')}
  <form class="app-panel" id="propose-form" novalidate><h2 class="nhsuk-heading-m">${base ? `Propose a change to ${esc(base.code)}` : 'Propose a new measure'}</h2>
  <p>Your proposal becomes a draft. A system quality lead agrees it before it is used.</p>
  <div id="propose-errors"></div>
  ${base ? `<input type="hidden" name="code" value="${esc(base.code)}">` : input('code', 'Code', '', 'Short, without spaces, e.g. FALLS')}
  ${input('name', 'Name', v?.name)}
  <div class="nhsuk-form-group" id="g-definition"><label class="nhsuk-label" for="p-definition">Definition</label><div id="e-definition"></div><textarea class="nhsuk-textarea" id="p-definition" name="definition" rows="3">${esc(v?.definition ?? '')}</textarea></div>
  ${input('numerator_definition', 'Numerator (optional)', v?.numerator_definition)}
  ${input('denominator_definition', 'Denominator (optional)', v?.denominator_definition)}
  ${input('unit', 'Unit', v?.unit, 'For example: per 1,000 bed days')}
  ${select('domain', 'Domain', [['', 'Choose a domain'], ...domains], v?.domain ?? '')}
  ${select('measure', 'What kind of number', [['value', 'A single value (a count, a time, a score)'], ['proportion', 'A proportion: numerator out of denominator'], ['rate', 'A rate: numerator per denominator']], v?.measure ?? 'value')}
  ${input('multiplier', 'Multiplier', v?.multiplier ?? '', 'For a proportion or rate: 100 for a percentage, 1000 for per 1,000. Leave empty for a single value')}
  ${select('improvement_direction', 'Which way is better', [['increase', 'Higher is better'], ['decrease', 'Lower is better'], ['neutral', 'Neither higher nor lower is better']], v?.improvement_direction ?? 'neutral')}
  ${select('frequency', 'How often it is reported', [['monthly', 'Monthly'], ['weekly', 'Weekly'], ['quarterly', 'Quarterly'], ['yearly', 'Yearly'], ['daily', 'Daily']], v?.frequency ?? 'monthly')}
  ${select('chart_type', 'Chart', [['xmr', 'Making Data Count chart (XmR: individual values and moving ranges)'], ['p', 'Proportion chart (p chart)'], ['u', 'Rate chart (u chart)'], ['c', 'Count chart (c chart)'], ['run', 'Run chart']], v?.chart_type ?? 'xmr')}
  ${input('target', 'Target (optional)', v?.target ?? '')}
  ${base ? input('applies_from', 'Applies from', '', 'The first period the new definition covers, as YYYY-MM-DD') : ''}
  <button class="nhsuk-button" type="submit">Propose</button></form>`;
  const form = box.querySelector<HTMLFormElement>('#propose-form')!;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const body: Record<string, unknown> = { ...(v ?? {}), ...fd };
    for (const k of ['version', 'status', 'agreed_at', 'agreed_by', 'created_at', 'created_by']) delete body[k];
    for (const k of Object.keys(body)) if (body[k] === null || body[k] === '') delete body[k];
    if (fd.target) body.target = Number(fd.target);
    if (fd.multiplier) body.multiplier = Number(fd.multiplier);
    const problems: string[] = [];
    if (!fd.code?.trim()) problems.push('Enter a code');
    if (!fd.name?.trim()) problems.push('Enter a name');
    if (!fd.definition?.trim()) problems.push('Enter the definition');
    if (!fd.domain) problems.push('Choose a domain');
    if (fd.multiplier && !(Number(fd.multiplier) > 0)) problems.push('Enter the multiplier as a positive number, or leave it empty');
    if (base && !/^\d{4}-\d{2}-\d{2}$/.test(fd.applies_from ?? '')) problems.push('Enter the date the change applies from, as YYYY-MM-DD');
    const errs = box.querySelector<HTMLElement>('#propose-errors')!;
    if (problems.length) {
      errs.innerHTML = errorSummary('There is a problem', problems, 'propose-summary');
      errs.querySelector<HTMLElement>('.nhsuk-error-summary')!.focus();
      return;
    }
    try {
      await post('/api/metrics', body);
      navigate(`/dictionary/${enc(fd.code!)}`);
    } catch (e) {
      errs.innerHTML = errorSummary('The proposal was not saved', [e instanceof ApiError ? e.message : String(e)], 'propose-summary');
      errs.querySelector<HTMLElement>('.nhsuk-error-summary')!.focus();
    }
  });
}
