// The system view: the organisations of one system or place (the first system unless ?place=
// says otherwise; "all" for every organisation held) with signals, heaviest first, 25 at a time
// (GET /api/signals?place=), and the horizon-scanning items with their due dates (GET
// /api/horizon). Restricted signals count only within the person's scope.
import { get, type Organisation } from '../api';
import { navigate } from '../router';
import { enc, esc, period, tag } from '../dom';

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
  action: ['Overdue action', 'yellow'],
  risk: ['System risk', 'purple'],
};

export function signalTag(source: string): string {
  const [text, colour] = sourceTag[source] ?? [source, 'grey'];
  return tag(text, colour);
}

// "all" in ?place= shows every organisation held (nationally); no ?place= the first system.
const kEverywhere = 'all';
const kPage = 25;

export async function systemScreen(main: HTMLElement, _p: Record<string, string>, q: URLSearchParams): Promise<void> {
  const units = await get<{ organisations: Organisation[] }>('/api/organisations').catch(() => ({ organisations: [] as Organisation[] }));
  const systems = units.organisations.filter((o) => o.kind === 'system').sort((a, b) => a.name.localeCompare(b.name));
  const places = units.organisations.filter((o) => o.kind === 'place').sort((a, b) => a.name.localeCompare(b.name));
  const asked = q.get('place') ?? '';
  const place = asked || systems[0]?.code || kEverywhere;
  const [sys, hz] = await Promise.all([
    get<{ as_of: string; organisations: OrgWeight[] }>(`/api/signals${place === kEverywhere ? '' : `?place=${enc(place)}`}`),
    get<{ horizon: HorizonItem[] }>('/api/horizon').catch(() => ({ horizon: [] as HorizonItem[] })),
  ]);
  const option = (code: string, label: string) => `<option value="${esc(code)}"${code === place ? ' selected' : ''}>${esc(label)}</option>`;
  const placeName = place === kEverywhere ? 'every organisation' : (units.organisations.find((o) => o.code === place)?.name ?? place);
  main.innerHTML = `<h1 class="nhsuk-heading-l">System view</h1>
  <p>Organisations with most to look at come first: each signal counts by how much it warrants a conversation — an incident in which a patient died counts most, an audit standard only partly met least. Open an organisation to see all its signals and its time line. Data as of ${esc(period(sys.as_of))}.</p>
  <form class="app-filters" id="system-filters" method="get" action="/system">
    <div class="nhsuk-form-group app-filter"><label class="nhsuk-label" for="f-place">Organisations in</label>
      <select class="nhsuk-select" id="f-place" name="place">${systems.map((o) => option(o.code, o.name)).join('')}${places.map((o) => option(o.code, `${o.name} (place)`)).join('')}${option(kEverywhere, 'Every organisation held')}</select></div>
    <button class="nhsuk-button nhsuk-button--secondary app-filter__button" type="submit">Show</button>
  </form>
  ${
    sys.organisations.length
      ? `<table class="nhsuk-table nhsuk-table--responsive app-system" id="system-table" role="table">
  <caption class="nhsuk-table__caption" id="system-caption">${sys.organisations.length} ${sys.organisations.length === 1 ? 'organisation' : 'organisations'} with signals in ${esc(placeName)}</caption>
  <thead class="nhsuk-table__head" role="rowgroup"><tr class="nhsuk-table__row" role="row"><th class="nhsuk-table__header" scope="col" role="columnheader">Organisation</th><th class="nhsuk-table__header" scope="col" role="columnheader">Signals</th><th class="nhsuk-table__header" scope="col" role="columnheader">First to look at</th></tr></thead>
  <tbody class="nhsuk-table__body"></tbody></table>
  <button class="nhsuk-button nhsuk-button--secondary" id="system-more" type="button" hidden>Show more</button>`
      : `<p id="system-table">No organisation in ${esc(placeName)} has a signal.</p>`
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
  const form = main.querySelector<HTMLFormElement>('#system-filters')!;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(`/system?place=${enc(String(new FormData(form).get('place') ?? kEverywhere))}`);
  });
  const body = main.querySelector('#system-table tbody');
  const more = main.querySelector<HTMLButtonElement>('#system-more');
  if (!body || !more) return;
  let shown = 0;
  const draw = () => {
    const next = sys.organisations.slice(shown, shown + kPage);
    body.insertAdjacentHTML(
      'beforeend',
      next
        .map(
          (o) => `<tr class="nhsuk-table__row" role="row"><td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table__heading" aria-hidden="true">Organisation </span><span><a href="/organisations/${enc(o.organisation)}">${esc(o.name)}</a><br><span class="nhsuk-body-s">${esc(o.organisation)}, ${esc(o.kind)}</span></span></td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table__heading" aria-hidden="true">Signals </span>${o.signals}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table__heading" aria-hidden="true">First to look at </span><span>${signalTag(o.top.source)} ${esc(o.top.reason)}</span></td></tr>`,
        )
        .join(''),
    );
    shown += next.length;
    const left = sys.organisations.length - shown;
    more.hidden = left <= 0;
    more.textContent = `Show ${Math.min(kPage, left)} more of ${left}`;
  };
  more.addEventListener('click', draw);
  draw();
}
