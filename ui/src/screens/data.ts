// Data: upload a CSV or Excel file, preview it with every problem in plain words, commit it; and
// the submissions matrix (who owes what, what is late).
import { account, ApiError, can, get, hasSystemScope, post, type ImportReport, type Organisation, type Submission } from '../api';
import { esc, fmt, period, tag } from '../dom';

const banner = `<div class="nhsuk-warning-callout" id="pii-banner"><h2 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>Do not enter patient-identifiable information</span></h2>
<p>Upload counts and rates only: no names, NHS numbers, dates of birth or addresses. Files that contain NHS numbers are refused.</p></div>`;

export async function dataScreen(main: HTMLElement): Promise<void> {
  const [subs, orgs] = await Promise.all([
    get<{ as_of: string; latest_period?: string | null; submissions: Submission[] }>('/api/submissions'),
    get<{ organisations: Organisation[] }>('/api/organisations').catch(() => ({ organisations: [] as Organisation[] })),
  ]);
  const names = new Map(orgs.organisations.map((o) => [o.code, o.name]));
  const rows = [...subs.submissions].sort((a, b) => a.timeliness - b.timeliness || a.completeness - b.completeness || a.unit.localeCompare(b.unit));
  const status = (s: Submission) => {
    const owed = s.expected - s.received;
    if (s.timeliness < 0.95) return tag('Late', 'red');
    if (s.completeness < 0.95) return tag(`${owed} owed`, 'orange');
    return tag('Up to date', 'green');
  };
  const kinds = hasSystemScope()
    ? `<div class="nhsuk-form-group"><label class="nhsuk-label" for="upload-kind">What the file holds</label><select class="nhsuk-select" id="upload-kind" name="kind">
       <option value="observations">Observations (values of measures)</option><option value="organisations">Organisations</option><option value="metrics">Metric definitions</option></select></div>`
    : '';
  main.innerHTML = `<h1 class="nhsuk-heading-l">Data</h1>
  ${
    can('import.upload')
      ? `${banner}
  <h2 class="nhsuk-heading-m">Upload a file</h2>
  <p>A CSV or Excel (.xlsx) file with a header row: <code>metric</code>, <code>unit</code>, <code>period</code> and either <code>value</code> or <code>numerator</code> and <code>denominator</code>. ${account?.organisation ? `You can upload data for ${esc(names.get(account.organisation) ?? account.organisation)} and the units below it.` : ''}</p>
  <div id="upload-errors"></div>
  <form id="upload-form" novalidate>
    ${kinds}
    <div class="nhsuk-form-group" id="upload-file-group"><label class="nhsuk-label" for="upload-file">File</label>
      <div class="nhsuk-hint" id="upload-file-hint">Up to 16 MB. Nothing is saved until you check the preview and commit it.</div><div id="upload-file-error"></div>
      <input class="nhsuk-file-upload__input app-file" type="file" id="upload-file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="upload-file-hint"></div>
    <button class="nhsuk-button" type="submit" id="upload-submit">Upload and preview</button>
  </form>
  <div id="preview" aria-live="polite"></div>`
      : `<p>You can see what has been submitted. Uploading data needs the data submitter role.</p>`
  }
  <h2 class="nhsuk-heading-m" id="submissions-heading">Submissions</h2>
  <p id="submissions-as-of">Who has sent what was expected ${subs.latest_period ? `up to the latest period loaded, ${esc(period(subs.latest_period))} (due by ${esc(subs.as_of)})` : `up to ${esc(subs.as_of)}`}: late and incomplete first.</p>
  <div class="app-scroll" role="region" aria-labelledby="submissions-heading" tabindex="0"><table class="nhsuk-table" id="submissions-table">
  <thead><tr><th scope="col">Organisation</th><th scope="col" class="app-num">Expected</th><th scope="col" class="app-num">Received</th><th scope="col" class="app-num">On time</th><th scope="col" class="app-num">Complete</th><th scope="col">Status</th></tr></thead>
  <tbody>${rows
    .map(
      (s) => `<tr><td><a href="/organisations/${encodeURIComponent(s.unit)}">${esc(names.get(s.unit) ?? s.unit)}</a></td><td class="app-num">${s.expected}</td><td class="app-num">${s.received}</td><td class="app-num">${fmt(s.timeliness * 100, 0)}%</td><td class="app-num">${fmt(s.completeness * 100, 0)}%</td><td>${status(s)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;

  const form = main.querySelector<HTMLFormElement>('#upload-form');
  form?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void upload(main, form);
  });
}

function fieldError(main: HTMLElement, msg: string | null): void {
  const g = main.querySelector('#upload-file-group')!;
  const e = main.querySelector('#upload-file-error')!;
  g.classList.toggle('nhsuk-form-group--error', !!msg);
  e.innerHTML = msg ? `<span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">Error:</span> ${esc(msg)}</span>` : '';
}

function showProblems(main: HTMLElement, title: string, lines: string[]): void {
  const box = main.querySelector<HTMLElement>('#upload-errors')!;
  box.innerHTML = `<div class="nhsuk-error-summary" aria-labelledby="upload-errors-title" role="alert" tabindex="-1" id="upload-error-summary">
  <h2 class="nhsuk-error-summary__title" id="upload-errors-title">${esc(title)}</h2>
  <div class="nhsuk-error-summary__body"><p>Nothing was imported. Correct the file and upload it again.</p>
  <ul class="nhsuk-list nhsuk-error-summary__list" id="upload-problem-list">${lines.map((l) => `<li><a href="#upload-file">${esc(l)}</a></li>`).join('')}</ul></div></div>`;
  box.querySelector<HTMLElement>('.nhsuk-error-summary')!.focus();
}

// The server lists problems as "file: N problems; …" then "  row R, column C: what to change".
function problemLines(e: ApiError): { title: string; lines: string[] } {
  const details = Array.isArray(e.details) ? (e.details as string[]) : [];
  const lines = details.length ? details : e.message.split('\n');
  const [head, ...rest] = lines.map((l) => l.trim()).filter(Boolean);
  if (!rest.length) return { title: 'The file could not be imported', lines: [head ?? e.message] };
  const m = /(\d+) problems?/.exec(head ?? '');
  const title = m ? `The file has ${m[1]} problem${m[1] === '1' ? '' : 's'}` : (head ?? 'The file has problems');
  return { title, lines: rest.map((l) => l.replace(/^row (\d+), column ([^:]+):/, 'Row $1, column “$2”:')) };
}

async function upload(main: HTMLElement, form: HTMLFormElement): Promise<void> {
  const input = form.querySelector<HTMLInputElement>('#upload-file')!;
  const kind = form.querySelector<HTMLSelectElement>('#upload-kind')?.value ?? 'observations';
  const file = input.files?.[0];
  const preview = main.querySelector<HTMLElement>('#preview')!;
  preview.innerHTML = '';
  main.querySelector('#upload-errors')!.innerHTML = '';
  fieldError(main, null);
  if (!file) {
    showProblems(main, 'There is a problem', ['Select a CSV or Excel file to upload']);
    fieldError(main, 'Select a CSV or Excel file to upload');
    return;
  }
  if (!/\.(csv|xlsx)$/i.test(file.name)) {
    showProblems(main, 'There is a problem', ['The file must be a CSV or an Excel (.xlsx) file']);
    fieldError(main, 'The file must be a CSV or an Excel (.xlsx) file');
    return;
  }
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  try {
    const up = await post<{ id: number }>(`/api/imports?kind=${kind}&file_name=${encodeURIComponent(file.name)}`, new Blob([await file.arrayBuffer()]), type);
    const report = await post<ImportReport>(`/api/imports/${up.id}/preview`);
    renderPreview(main, up.id, report);
  } catch (e) {
    if (e instanceof ApiError) {
      const { title, lines } = problemLines(e);
      showProblems(main, title, lines);
      fieldError(main, title);
    } else {
      showProblems(main, 'The upload did not work', [String(e)]);
    }
  }
}

function renderPreview(main: HTMLElement, id: number, r: ImportReport): void {
  const preview = main.querySelector<HTMLElement>('#preview')!;
  preview.innerHTML = `<div class="app-panel" id="preview-panel"><h2 class="nhsuk-heading-m" tabindex="-1" id="preview-heading">Check the preview of ${esc(r.file)}</h2>
  <p>${r.rows} row${r.rows === 1 ? '' : 's'}: <strong>${r.added} to add</strong>, <strong>${r.changed} to change</strong>, ${r.unchanged} unchanged. Nothing has been saved yet.</p>
  ${
    r.changes.length
      ? `<table class="nhsuk-table"><caption class="nhsuk-table__caption">Values that would change</caption><thead><tr><th scope="col">Row</th><th scope="col">What</th><th scope="col">Now</th><th scope="col">After</th></tr></thead>
  <tbody>${r.changes.slice(0, 200).map((c) => `<tr><td>${c.row}</td><td>${esc(c.key)}</td><td>${esc(c.before)}</td><td>${esc(c.after)}</td></tr>`).join('')}</tbody></table>`
      : ''
  }
  <button class="nhsuk-button" type="button" id="commit">Commit the import</button>
  <button class="nhsuk-button nhsuk-button--secondary" type="button" id="discard">Discard</button></div>`;
  preview.querySelector<HTMLElement>('#preview-heading')!.focus();
  preview.querySelector('#discard')!.addEventListener('click', () => (preview.innerHTML = '<p>The upload was discarded; nothing was imported.</p>'));
  preview.querySelector('#commit')!.addEventListener('click', async () => {
    try {
      const done = await post<ImportReport>(`/api/imports/${id}/commit`);
      preview.innerHTML = `<div class="nhsuk-panel app-done" id="import-done"><h2 class="nhsuk-panel__title" tabindex="-1">Import complete</h2>
      <div class="nhsuk-panel__body">${done.added} added, ${done.changed} changed, ${done.unchanged} unchanged (import batch ${done.batch_id}). Charts recalculated for ${done.series_recomputed} series and ${done.aggregates_recomputed} system totals.</div></div>`;
      preview.querySelector<HTMLElement>('.nhsuk-panel__title')!.focus();
    } catch (e) {
      if (e instanceof ApiError) {
        const { title, lines } = problemLines(e);
        showProblems(main, title, lines);
      }
    }
  });
}
