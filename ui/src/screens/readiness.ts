// Readiness and self-assessments: an organisation's answers to a questionnaire (the Health
// Foundation improvement journey, NHS IMPACT, the baseline of QI approaches) in rounds, compared —
// a radar chart of its scores per component against its previous round and the system's median,
// the change since its last round and the system's spread (GET /api/assessments); and the form
// that records a new round (POST /api/organisations/{org}/assessments). docs/capability.md.
import { ApiError, can, get, post } from '../api';
import { navigate } from '../router';
import { breadcrumbs, enc, errorSummary, esc, fmt } from '../dom';

interface Question {
  code: string;
  component: string;
  title: string;
  kind: 'scale' | 'choice' | 'text';
  scale_min: number | null;
  scale_max: number | null;
  labels: string[];
  required: boolean;
}
interface Questionnaire {
  code: string;
  version: number;
  title: string;
  purpose: string;
  source: string;
  questions: Question[];
}
interface OrgResult {
  organisation: string;
  name: string;
  round: string;
  submitted_at: string;
  scores: Record<string, number | null>;
  previous_round: string;
  change: Record<string, number | null>;
  answers: Record<string, string>;
}
interface Comparison {
  questionnaire: string;
  title: string;
  round: string;
  rounds: string[];
  components: string[];
  scale: Record<string, [number, number]>;
  organisations: OrgResult[];
  spread: { component: string; n: number; min: number | null; median: number | null; max: number | null }[];
}

interface Polygon {
  label: string;
  values: (number | null)[];
  cls: string;
}

// An SVG radar chart: one axis per component, values scaled from lo (centre) to hi (edge).
export function radarSvg(id: string, title: string, axes: string[], lo: number, hi: number, polygons: Polygon[]): string {
  const size = 300;
  const c = size / 2;
  const r = 110;
  const n = axes.length;
  const point = (k: number, v: number) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / n;
    const f = Math.max(0, (v - lo) / (hi - lo || 1));
    return [c + Math.cos(a) * r * f, c + Math.sin(a) * r * f] as const;
  };
  const rings = [0.25, 0.5, 0.75, 1]
    .map((f) => `<polygon class="app-radar__ring" points="${axes.map((_, k) => point(k, lo + f * (hi - lo)).join(',')).join(' ')}"/>`)
    .join('');
  const spokes = axes
    .map((a, k) => {
      const [x, y] = point(k, hi);
      const [lx, ly] = point(k, hi + (hi - lo) * 0.1);
      const anchor = Math.abs(lx - c) < 8 ? 'middle' : lx < c ? 'end' : 'start';
      const lines: string[] = [];
      for (const w of a.split(' ')) {
        if (lines.length && `${lines[lines.length - 1]!} ${w}`.length <= 20) lines[lines.length - 1] += ` ${w}`;
        else lines.push(w);
      }
      const shown = lines.slice(0, 5);
      // Labels above the centre grow upwards, below it downwards, beside it around the spoke.
      const step = 14;
      const top = ly < c - 8 ? ly - (shown.length - 1) * step : ly > c + 8 ? ly + 10 : ly - ((shown.length - 1) * step) / 2 + 4;
      const text = shown.map((l, i) => `<tspan x="${lx.toFixed(1)}" y="${(top + i * step).toFixed(1)}">${esc(l)}</tspan>`).join('');
      return `<line class="app-radar__spoke" x1="${c}" y1="${c}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}"/><text class="app-radar__label" text-anchor="${anchor}">${text}</text>`;
    })
    .join('');
  const shapes = polygons
    .filter((p) => p.values.some((v) => v !== null))
    .map((p) => {
      const pts = p.values.map((v, k) => point(k, v ?? lo).map((x) => x.toFixed(1)).join(',')).join(' ');
      return `<polygon class="app-radar__shape ${p.cls}" points="${pts}"><title>${esc(p.label)}</title></polygon>`;
    })
    .join('');
  const legend = polygons
    .filter((p) => p.values.some((v) => v !== null))
    .map((p) => `<li><span class="app-radar__key ${p.cls}" aria-hidden="true"></span>${esc(p.label)}</li>`)
    .join('');
  return `<figure class="app-radar" id="${id}"><svg viewBox="-150 -50 ${size + 300} ${size + 100}" role="img" aria-labelledby="${id}-title"><title id="${id}-title">${esc(title)}</title>${rings}${spokes}${shapes}</svg><figcaption><ul class="app-radar__legend">${legend}</ul></figcaption></figure>`;
}

export async function readinessScreen(main: HTMLElement, params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const code = query.get('questionnaire') || 'HF-READINESS';
  const org = query.get('organisation') ?? '';
  const roundParam = query.get('round') ?? '';
  const [list, q, orgs] = await Promise.all([
    get<{ questionnaires: Questionnaire[] }>('/api/questionnaires'),
    get<Questionnaire>(`/api/questionnaires/${enc(code)}`),
    get<{ organisations: { code: string; name: string; kind: string }[] }>('/api/organisations'),
  ]);
  const cmp = await get<Comparison>(`/api/assessments?questionnaire=${enc(code)}&round=${enc(roundParam)}`);
  const mine = org ? cmp.organisations.find((o) => o.organisation === org) : undefined;
  const spread = new Map(cmp.spread.map((s) => [s.component, s]));
  const [lo, hi] = cmp.components.length ? (cmp.scale[cmp.components[0]!] ?? [1, 5]) : [1, 5];
  // The organisation's previous round, for the radar.
  let previous: OrgResult | undefined;
  if (mine?.previous_round) {
    const p = await get<Comparison>(`/api/assessments?questionnaire=${enc(code)}&round=${enc(mine.previous_round)}&organisation=${enc(org)}`);
    previous = p.organisations.find((o) => o.organisation === org);
  }
  const orgName = (c: string) => orgs.organisations.find((o) => o.code === c)?.name ?? c;
  const polygons: Polygon[] = [
    { label: `System median, ${cmp.round}`, values: cmp.components.map((c) => spread.get(c)?.median ?? null), cls: 'app-radar__shape--system' },
  ];
  if (previous) polygons.push({ label: `${orgName(org)}, ${previous.round}`, values: cmp.components.map((c) => previous!.scores[c] ?? null), cls: 'app-radar__shape--previous' });
  if (mine) polygons.push({ label: `${orgName(org)}, ${mine.round}`, values: cmp.components.map((c) => mine.scores[c] ?? null), cls: 'app-radar__shape--org' });
  const orgOptions = orgs.organisations
    .filter((o) => o.kind !== 'place' && o.kind !== 'peer group' && o.kind !== 'collaborative')
    .map((o) => `<option value="${esc(o.code)}"${o.code === org ? ' selected' : ''}>${esc(o.name)}</option>`)
    .join('');
  const qOptions = list.questionnaires
    .filter((x) => x.purpose !== 'evaluation')
    .map((x) => `<option value="${esc(x.code)}"${x.code === code ? ' selected' : ''}>${esc(x.title)}</option>`)
    .join('');
  const signed = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v > 0 ? '+' : ''}${fmt(v, 2)}`);
  const radar =
    cmp.components.length >= 3 && cmp.organisations.length
      ? radarSvg('radar', `${q.title}: ${mine ? orgName(org) : 'the system'} in ${cmp.round}, scores per component from ${lo} to ${hi}`, cmp.components, lo, hi, polygons)
      : '<p id="radar-none">No organisation has answered this questionnaire yet, or it has no components on a scale.</p>';
  const scaleQs = q.questions.filter((x) => x.kind === 'scale');
  const thisYear = new Date().getFullYear();
  const field = (x: Question) => {
    const id = `q-${x.code}`;
    const hint = x.required ? '' : ' <span class="nhsuk-body-s">(optional)</span>';
    if (x.kind === 'scale') {
      const points: number[] = [];
      for (let v = x.scale_min!; v <= x.scale_max! && points.length <= 101; ++v) points.push(v);
      if (points.length > 11) {
        return `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(x.title)}${hint}</label><div class="nhsuk-hint" id="${id}-hint">A whole number from ${x.scale_min} to ${x.scale_max}</div><input class="nhsuk-input nhsuk-input--width-5" id="${id}" name="${esc(x.code)}" inputmode="numeric" aria-describedby="${id}-hint"></div>`;
      }
      return `<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">${esc(x.component ? `${x.component}: ` : '')}${esc(x.title)}${hint}</legend><div class="nhsuk-radios nhsuk-radios--inline">${points
        .map(
          (v, i) => `<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="${id}-${v}" name="${esc(x.code)}" type="radio" value="${v}"><label class="nhsuk-label nhsuk-radios__label" for="${id}-${v}">${v}${x.labels[i] ? ` ${esc(x.labels[i])}` : ''}</label></div>`,
        )
        .join('')}</div></fieldset></div>`;
    }
    if (x.kind === 'choice') {
      return `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(x.title)}${hint}</label><select class="nhsuk-select" id="${id}" name="${esc(x.code)}"><option value="">Choose</option>${x.labels.map((l) => `<option>${esc(l)}</option>`).join('')}</select></div>`;
    }
    return `<div class="nhsuk-form-group"><label class="nhsuk-label" for="${id}">${esc(x.title)}${hint}</label><div class="nhsuk-hint" id="${id}-hint">No patient details: never an NHS number.</div><textarea class="nhsuk-textarea" id="${id}" name="${esc(x.code)}" rows="3" aria-describedby="${id}-hint"></textarea></div>`;
  };
  main.innerHTML = `${breadcrumbs([['/capability', 'Capability']])}
  <h1 class="nhsuk-heading-l">Readiness and self-assessment</h1>
  <p>${esc(q.title)}, version ${q.version}. ${esc(q.source)}</p>
  <form class="app-filter" id="readiness-filter">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="rd-questionnaire">Questionnaire</label><select class="nhsuk-select" id="rd-questionnaire" name="questionnaire">${qOptions}</select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="rd-org">Organisation</label><select class="nhsuk-select" id="rd-org" name="organisation"><option value="">The whole system</option>${orgOptions}</select></div>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="rd-round-show">Round</label><select class="nhsuk-select" id="rd-round-show" name="round">${cmp.rounds.map((r) => `<option${r === cmp.round ? ' selected' : ''}>${esc(r)}</option>`).join('') || '<option value="">none yet</option>'}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button>
  </form>
  <div id="readiness-messages" aria-live="polite"></div>
  <h2 class="nhsuk-heading-m" id="radar-heading">${mine ? esc(orgName(org)) : 'The system'} in round ${esc(cmp.round || '–')}</h2>
  ${org && !mine && cmp.round ? `<p id="radar-missing">${esc(orgName(org))} has not answered in round ${esc(cmp.round)}.</p>` : ''}
  ${radar}
  ${
    cmp.components.length
      ? `<div class="app-scroll" role="region" aria-labelledby="rd-table-caption" tabindex="0"><table class="nhsuk-table" id="rd-table"><caption class="nhsuk-table__caption" id="rd-table-caption">Scores per component (${lo} to ${hi})${mine?.previous_round ? `, change since ${esc(mine.previous_round)}` : ''}, and the system's spread in ${esc(cmp.round || '–')}</caption>
  <thead><tr><th scope="col">Component</th>${mine ? '<th scope="col" class="app-num">Score</th><th scope="col" class="app-num">Change</th>' : ''}<th scope="col" class="app-num">Lowest</th><th scope="col" class="app-num">Median</th><th scope="col" class="app-num">Highest</th><th scope="col" class="app-num">Organisations</th></tr></thead>
  <tbody>${cmp.components
    .map((c) => {
      const s = spread.get(c);
      return `<tr><th scope="row">${esc(c)}</th>${mine ? `<td class="app-num">${fmt(mine.scores[c], 2)}</td><td class="app-num">${signed(mine.change[c])}</td>` : ''}<td class="app-num">${fmt(s?.min, 2)}</td><td class="app-num">${fmt(s?.median, 2)}</td><td class="app-num">${fmt(s?.max, 2)}</td><td class="app-num">${s?.n ?? 0}</td></tr>`;
    })
    .join('')}</tbody></table></div>`
      : ''
  }
  ${
    !org && cmp.organisations.length
      ? `<h2 class="nhsuk-heading-m">Organisations in ${esc(cmp.round)}</h2><div class="app-scroll" role="region" aria-labelledby="rd-orgs-caption" tabindex="0"><table class="nhsuk-table" id="rd-orgs"><caption class="nhsuk-table__caption" id="rd-orgs-caption">Mean score per component; change since each organisation's previous round</caption><thead><tr><th scope="col">Organisation</th>${cmp.components.map((c) => `<th scope="col" class="app-num">${esc(c)}</th>`).join('')}</tr></thead><tbody>${cmp.organisations
          .map(
            (o) => `<tr><th scope="row"><a href="/readiness?questionnaire=${enc(code)}&organisation=${enc(o.organisation)}&round=${enc(cmp.round)}">${esc(o.name)}</a></th>${cmp.components.map((c) => `<td class="app-num">${fmt(o.scores[c], 1)}${o.change[c] !== null && o.change[c] !== undefined ? ` <span class="nhsuk-body-s">(${signed(o.change[c])})</span>` : ''}</td>`).join('')}</tr>`,
          )
          .join('')}</tbody></table></div>`
      : ''
  }
  ${
    can('assessment.submit')
      ? `<form id="assessment-form" novalidate><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Record ${org ? esc(orgName(org)) : 'an organisation'}'s answers</h2></legend>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="rd-form-org">Organisation</label><select class="nhsuk-select" id="rd-form-org" name="__organisation">${orgOptions}</select></div>
      <div class="nhsuk-form-group"><label class="nhsuk-label" for="rd-round">Round</label><div class="nhsuk-hint" id="rd-round-hint">A year, and a suffix when there is more than one round a year: 2024 or 2024-Q1</div><input class="nhsuk-input nhsuk-input--width-10" id="rd-round" name="__round" value="${thisYear}" aria-describedby="rd-round-hint"></div>
      ${q.questions.map(field).join('')}
      <button class="nhsuk-button" type="submit" id="rd-submit">Save the answers</button></fieldset></form>`
      : ''
  }
  <p class="nhsuk-body-s">${scaleQs.length} questions on a scale; the score of a component is the mean of its answers.</p>`;
  main.querySelector<HTMLFormElement>('#readiness-filter')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target as HTMLFormElement);
    const qc = String(fd.get('questionnaire') ?? code);
    const r = qc === code ? String(fd.get('round') ?? '') : '';
    navigate(`/readiness?questionnaire=${enc(qc)}&organisation=${enc(String(fd.get('organisation') ?? ''))}${r ? `&round=${enc(r)}` : ''}`);
  });
  const form = main.querySelector<HTMLFormElement>('#assessment-form');
  if (form && org) form.querySelector<HTMLSelectElement>('#rd-form-org')!.value = org;
  form?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const answers: Record<string, string> = {};
    for (const x of q.questions) {
      const v = fd.get(x.code);
      if (v !== null && String(v).trim() !== '') answers[x.code] = String(v);
    }
    const target = String(fd.get('__organisation') ?? '');
    const round = String(fd.get('__round') ?? '').trim();
    try {
      await post(`/api/organisations/${enc(target)}/assessments`, { questionnaire: code, round, answers });
      navigate(`/readiness?questionnaire=${enc(code)}&organisation=${enc(target)}&round=${enc(round)}&saved=1`);
    } catch (e) {
      const msg = e instanceof ApiError || e instanceof Error ? e.message : String(e);
      const box = main.querySelector<HTMLElement>('#readiness-messages')!;
      box.innerHTML = errorSummary('The answers were not saved', [msg], 'readiness-error');
      box.querySelector<HTMLElement>('.nhsuk-error-summary')?.focus();
    }
  });
  if (query.get('saved')) {
    main.querySelector<HTMLElement>('#readiness-messages')!.innerHTML = `<div class="nhsuk-inset-text" role="status" id="rd-saved"><p>Saved the answers of ${esc(orgName(org))} for round ${esc(roundParam)}.</p></div>`;
  }
  void params;
}
