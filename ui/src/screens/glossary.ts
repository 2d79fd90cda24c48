// Glossary: search and read the agreed meanings of words; define a term (agreers); see a term's
// versions side by side.
import { ApiError, can, get, request, type GlossaryTerm } from '../api';
import { breadcrumbs, enc, errorSummary, esc, tag } from '../dom';
import { navigate } from '../router';

export async function glossaryScreen(main: HTMLElement): Promise<void> {
  const { terms } = await get<{ terms: GlossaryTerm[] }>('/api/glossary');
  const list = [...terms].sort((a, b) => a.term.localeCompare(b.term));
  main.innerHTML = `<h1 class="nhsuk-heading-l">Glossary</h1>
  <p class="nhsuk-body-l">The words we use, and what we agreed they mean.</p>
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="gloss-search">Search the glossary</label><input class="nhsuk-input nhsuk-input--width-20" id="gloss-search" type="search" autocomplete="off"></div>
  <dl class="app-glossary" id="glossary-list">${list
    .map((t) => `<div data-search="${esc(`${t.term} ${t.definition}`.toLowerCase())}"><dt><a href="/glossary/${enc(t.term)}">${esc(t.term)}</a></dt><dd>${esc(t.definition)}</dd></div>`)
    .join('')}</dl>
  ${can('glossary.set') ? defineForm(null) : ''}`;
  const input = main.querySelector<HTMLInputElement>('#gloss-search')!;
  input.addEventListener('input', () => {
    const t = input.value.trim().toLowerCase();
    main.querySelectorAll<HTMLElement>('#glossary-list > div').forEach((d) => (d.hidden = !!t && !d.dataset.search!.includes(t)));
  });
  wireDefine(main);
}

function defineForm(t: { term: string; definition: string } | null): string {
  return `<form class="app-panel" id="define-form" novalidate><h2 class="nhsuk-heading-m">${t ? 'Change the definition' : 'Define a term'}</h2><div id="define-errors"></div>
  ${t ? `<input type="hidden" name="term" value="${esc(t.term)}">` : `<div class="nhsuk-form-group"><label class="nhsuk-label" for="d-term">Term</label><input class="nhsuk-input nhsuk-input--width-20" id="d-term" name="term"></div>`}
  <div class="nhsuk-form-group"><label class="nhsuk-label" for="d-definition">Definition</label><textarea class="nhsuk-textarea" id="d-definition" name="definition" rows="3">${esc(t?.definition ?? '')}</textarea></div>
  <button class="nhsuk-button" type="submit">Save the definition</button></form>`;
}

function wireDefine(main: HTMLElement): void {
  const form = main.querySelector<HTMLFormElement>('#define-form');
  form?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const errs = main.querySelector<HTMLElement>('#define-errors')!;
    const problems = [!fd.term?.trim() && 'Enter the term', !fd.definition?.trim() && 'Enter the definition'].filter(Boolean) as string[];
    if (problems.length) {
      errs.innerHTML = errorSummary('There is a problem', problems, 'define-summary');
      errs.querySelector<HTMLElement>('.nhsuk-error-summary')!.focus();
      return;
    }
    try {
      await request('PUT', `/api/glossary/${enc(fd.term!.trim())}`, { definition: fd.definition });
      navigate(`/glossary/${enc(fd.term!.trim())}`);
    } catch (e) {
      errs.innerHTML = errorSummary('It was not saved', [e instanceof ApiError ? e.message : String(e)], 'define-summary');
    }
  });
}

export async function termScreen(main: HTMLElement, p: Record<string, string>): Promise<void> {
  const t = await get<{ term: string; versions: GlossaryTerm[] }>(`/api/glossary/${enc(p.term!)}`);
  const vs = [...t.versions].reverse();
  const latest = vs[0]!;
  const prev = vs[1];
  main.innerHTML = `${breadcrumbs([['/glossary', 'Glossary']], t.term)}
  <h1 class="nhsuk-heading-l">${esc(t.term)}</h1>
  <p class="nhsuk-body-l">${esc(latest.definition)}</p>
  <h2 class="nhsuk-heading-m">History</h2>
  ${
    prev
      ? `<div class="app-side-by-side" id="term-compare"><div><h3 class="nhsuk-heading-s">Version ${prev.version}</h3><p>${esc(prev.definition)}</p></div><div><h3 class="nhsuk-heading-s">Version ${latest.version} (current)</h3><p><ins>${esc(latest.definition)}</ins></p></div></div>`
      : ''
  }
  <ul class="nhsuk-list" id="term-versions">${vs.map((v) => `<li>${tag(v.status, v.status === 'agreed' ? 'green' : 'grey')} Version ${v.version}${v.created_by ? `, by ${esc(v.created_by)}` : ''}${v.created_at ? ` on ${esc(v.created_at.slice(0, 10))}` : ''}: ${esc(v.definition)}</li>`).join('')}</ul>
  ${can('glossary.set') ? defineForm({ term: t.term, definition: latest.definition }) : ''}`;
  wireDefine(main);
}
