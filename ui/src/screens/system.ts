// The system view: every organisation with signals, heaviest first (GET /api/signals), and the
// horizon-scanning items with their due dates (GET /api/horizon). Restricted signals count only
// within the person's scope.
import { get } from '../api';
import { enc, esc, tag } from '../dom';

interface SignalRow {
  rank: number;
  source: string;
  reason: string;
  href: string;
  date: string;
}
interface OrgWeight {
  organisation: string;
  name: string;
  kind: string;
  weight: number;
  signals: number;
  top: SignalRow;
}
interface HorizonItem {
  reference: string;
  title: string;
  type: string;
  published: string;
  due: string;
  organisations: string;
  responded: string;
  link: string;
}

export const sourceTag: Record<string, [string, string]> = {
  spc: ['Concern', 'orange'],
  assurance: ['Assurance', 'red'],
  funnel: ['Funnel outlier', 'orange'],
  benchmark: ['Benchmark', 'yellow'],
  incident: ['Incident', 'red'],
  complaint: ['Complaint', 'purple'],
  audit: ['Audit', 'blue'],
  rating: ['CQC rating', 'pink'],
  note: ['Soft intelligence', 'aqua-green'],
  horizon: ['Horizon', 'grey'],
};

export function signalTag(source: string): string {
  const [text, colour] = sourceTag[source] ?? [source, 'grey'];
  return tag(text, colour);
}

export async function systemScreen(main: HTMLElement): Promise<void> {
  const [sys, hz] = await Promise.all([
    get<{ as_of: string; organisations: OrgWeight[] }>('/api/signals'),
    get<{ horizon: HorizonItem[] }>('/api/horizon').catch(() => ({ horizon: [] as HorizonItem[] })),
  ]);
  main.innerHTML = `<h1 class="nhsuk-heading-l">System view</h1>
  <p>Organisations by the weight of their signals, as of ${esc(sys.as_of)}: each signal counts by how much it warrants a conversation (see the ranking in the documentation). Open an organisation to see all its signals and its time line.</p>
  ${
    sys.organisations.length
      ? `<div class="app-scroll" role="region" aria-labelledby="system-caption" tabindex="0"><table class="nhsuk-table" id="system-table">
  <caption class="nhsuk-table__caption" id="system-caption">Organisations with signals</caption>
  <thead><tr><th scope="col">Organisation</th><th scope="col" class="app-num">Weight</th><th scope="col" class="app-num">Signals</th><th scope="col">First to look at</th></tr></thead>
  <tbody>${sys.organisations
    .map(
      (o) => `<tr><td><a href="/organisations/${enc(o.organisation)}">${esc(o.name)}</a><br><span class="nhsuk-body-s">${esc(o.organisation)}, ${esc(o.kind)}</span></td>
      <td class="app-num">${o.weight}</td><td class="app-num">${o.signals}</td><td>${signalTag(o.top.source)} ${esc(o.top.reason)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`
      : '<p id="system-table">No organisation has a signal.</p>'
  }
  <h2 class="nhsuk-heading-m" id="horizon">Horizon scanning</h2>
  ${
    hz.horizon.length
      ? `<ul class="nhsuk-list nhsuk-list--border" id="horizon-list">${hz.horizon
          .map((h) => {
            const overdue = h.due && !h.responded && h.due < sys.as_of;
            const title = h.link ? `<a href="${esc(h.link)}">${esc(h.title)}</a>` : esc(h.title);
            return `<li>${overdue ? tag('Overdue', 'red') + ' ' : ''}<strong>${title}</strong> <span class="nhsuk-body-s">(${esc(h.type.replace(/_/g, ' '))}, ${esc(h.published)})</span><br>
            <span class="nhsuk-body-s">${h.organisations ? `For ${esc(h.organisations.replace(/;/g, ', '))}. ` : 'For every organisation. '}${h.due ? `Response due ${esc(h.due)}` : 'No response due'}${h.responded ? `; responded ${esc(h.responded)}` : h.due ? '; no response recorded' : ''}.</span></li>`;
          })
          .join('')}</ul>`
      : '<p>No horizon-scanning items.</p>'
  }`;
}
