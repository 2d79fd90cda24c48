// The evidence beside a metric's charts: the incidents, complaints and clinical audits that bear
// on it (GET /api/metrics/{code}/evidence). Restricted strands come back only within the
// person's scope, so the section says what it shows rather than implying there is nothing.
import { get } from '../api';
import { enc, esc } from '../dom';

interface EvidenceRecord {
  id: number;
  organisation: string;
  organisation_name: string;
  [field: string]: unknown;
}
interface Evidence {
  metric: string;
  incidents: EvidenceRecord[];
  complaints: EvidenceRecord[];
  audits: EvidenceRecord[];
}

const harmText: Record<string, string> = { none: 'No harm', low: 'Low', moderate: 'Moderate', severe: 'Severe', fatal: 'Fatal' };
// PSIRF learning responses (docs/intelligence.md) in words.
const responseText: Record<string, string> = {
  psii: 'Investigation (PSII)', aar: 'After action review', mdt: 'Team review (MDT)', swarm: 'Swarm huddle', thematic: 'Thematic review', other: 'Other',
};
const kShown = 50;
const words = (s: unknown) => String(s ?? '').replace(/_/g, ' ');
const org = (r: EvidenceRecord) => `<a href="/organisations/${enc(r.organisation)}">${esc(r.organisation_name || r.organisation)}</a>`;

function table(id: string, caption: string, head: string[], rows: string[][], total = rows.length): string {
  if (!rows.length) return `<p id="${id}">No ${esc(caption.toLowerCase())} recorded against this metric${id === 'evidence-audits' ? '' : ' in your scope'}.</p>`;
  // The title sits above the scrolling region so that it wraps at the screen's width on a phone.
  return `<h3 class="nhsuk-heading-s" id="${id}-caption">${esc(caption)} (${total > rows.length ? `the latest ${rows.length} of ${total}${total >= 200 ? ' or more' : ''}` : rows.length})</h3>
  <div class="app-scroll" role="region" aria-labelledby="${id}-caption" tabindex="0"><table class="nhsuk-table app-evidence" id="${id}" aria-labelledby="${id}-caption">
  <thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
  <tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

// Appends the evidence section to `main` (call after the metric page has drawn itself).
export async function renderEvidence(main: HTMLElement, code: string): Promise<void> {
  const section = document.createElement('section');
  section.id = 'evidence';
  section.setAttribute('aria-labelledby', 'evidence-heading');
  section.innerHTML = '<h2 class="nhsuk-heading-m" id="evidence-heading">Incidents, complaints and audits</h2><p role="status">Loading evidence…</p>';
  main.append(section);
  const e = await get<Evidence>(`/api/metrics/${enc(code)}/evidence`).catch(() => null);
  if (!e) {
    section.querySelector('[role=status]')!.textContent = 'The evidence could not be loaded.';
    return;
  }
  section.innerHTML = `<h2 class="nhsuk-heading-m" id="evidence-heading">Incidents, complaints and audits</h2>
  <p>What has been recorded against this measure, beside its charts: the newest first. Incidents and complaints are shown only for the organisations in your scope.</p>
  ${table('evidence-incidents', 'Patient safety incidents', ['Occurred', 'Organisation', 'Category', 'Harm', 'Learning response'],
    e.incidents.slice(0, kShown).map((r) => [esc(r.occurred), org(r), esc(r.category), esc(harmText[String(r.harm)] ?? r.harm), esc(responseText[String(r.response)] ?? (words(r.response) || '–'))]), e.incidents.length)}
  ${table('evidence-complaints', 'Complaints', ['Received', 'Organisation', 'Subject', 'Outcome'],
    e.complaints.slice(0, kShown).map((r) => [esc(r.received), org(r), esc(r.subject), esc(words(r.outcome) || 'open')]), e.complaints.length)}
  ${table('evidence-audits', 'Clinical audits', ['Date', 'Organisation', 'Audit and standard', 'Result'],
    e.audits.map((r) => [esc(r.date), org(r), `${esc(r.audit)}<br><span class="nhsuk-body-s">${esc(r.standard)}</span>`, `${esc(words(r.met))}${r.result ? ` (${esc(r.result)})` : ''}`]))}`;
}
