// Small helpers for building screens from HTML strings safely.
export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el as HTMLElement;
}

export function fmt(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  const d = abs >= 1000 ? 0 : abs >= 100 ? Math.min(digits, 1) : digits;
  return v.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: d });
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function period(p: string | null | undefined): string {
  if (!p) return '–';
  const [y, m, d] = p.split('-');
  if (!y || !m) return p;
  return d === '01' ? `${months[Number(m) - 1]} ${y}` : `${Number(d)} ${months[Number(m) - 1]} ${y}`;
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}

export function errorSummary(title: string, items: string[], id = 'error-summary'): string {
  return `<div class="nhsuk-error-summary" aria-labelledby="${id}-title" role="alert" tabindex="-1" id="${id}">
  <h2 class="nhsuk-error-summary__title" id="${id}-title">${esc(title)}</h2>
  <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">
  ${items.map((i) => `<li>${esc(i)}</li>`).join('')}
  </ul></div></div>`;
}

// NHS design system breadcrumbs (v10): the pages above this one, then a back link that the
// stylesheet shows only on small screens. The current page is its <h1>, not a crumb.
export function breadcrumbs(items: [string, string][], _current?: string): string {
  const last = items[items.length - 1] ?? ['/board', 'Board summary'];
  return `<nav class="nhsuk-breadcrumb" aria-label="Breadcrumb"><ol class="nhsuk-breadcrumb__list">
  ${items.map(([href, text]) => `<li class="nhsuk-breadcrumb__list-item"><a class="nhsuk-breadcrumb__link" href="${esc(href)}">${esc(text)}</a></li>`).join('')}
  </ol><a class="nhsuk-back-link" href="${esc(last[0])}"><span class="nhsuk-u-visually-hidden">Back to </span>${esc(last[1])}</a></nav>`;
}

export function tag(text: string, colour: string): string {
  return `<strong class="nhsuk-tag nhsuk-tag--${colour}">${esc(text)}</strong>`;
}

export function download(name: string, data: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(data);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

// How old a period's data are, in words: "latest period Mar 2024, 32 months ago".
export function freshness(p: string | null | undefined, now = new Date()): string {
  if (!p) return 'no data yet';
  const [y, m] = p.split('-').map(Number);
  if (!y || !m) return `latest period ${period(p)}`;
  const months = (now.getUTCFullYear() - y) * 12 + (now.getUTCMonth() + 1 - m);
  const ago = months <= 0 ? 'this month' : months === 1 ? '1 month ago' : `${months} months ago`;
  return `latest period ${period(p)}, ${ago}`;
}

// How fresh the data are: the latest period, or — when the domains' latest periods are a quarter
// or more apart (capability series of this month beside clinical data years old) — each group of
// domains with its own, newest first, so an old domain never hides behind a current one.
export function freshnessByDomain(rows: readonly { domain: string; last_period: string }[], latest: string | null | undefined, now = new Date()): string {
  const byDomain = new Map<string, string>();
  for (const r of rows) if (r.last_period && (byDomain.get(r.domain) ?? '') < r.last_period) byDomain.set(r.domain, r.last_period);
  const month = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7));
  const periods = [...byDomain.values()].sort();
  if (periods.length < 2 || month(periods[periods.length - 1]) - month(periods[0]) < 3) return freshness(latest, now);
  // Newest first; a domain within two months of its group's newest joins that group.
  const groups: { newest: string; domains: string[] }[] = [];
  for (const [d, p] of [...byDomain.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : a[0] < b[0] ? -1 : 1))) {
    const g = groups[groups.length - 1];
    if (g && month(g.newest) - month(p) < 3) g.domains.push(d);
    else groups.push({ newest: p, domains: [d] });
  }
  return groups.map((g) => `${freshness(g.newest, now)} (${g.domains.join(', ')})`).join('; ');
}

// How a system's value is formed from its organisations', as a label.
export function aggregationText(a: string | null | undefined): string {
  if (a === 'sum') return 'Total of the organisations';
  if (a === 'mean') return 'Average of the organisations';
  if (a === 'pooled') return 'All organisations pooled (total numerator over total denominator)';
  return '';
}

// A kind of organisation in plain words: "gp practice" -> "GP practice".
export function kindName(kind: string | null | undefined): string {
  if (!kind) return '';
  const k = kind.replace(/\bgp\b/gi, 'GP');
  return k[0]!.toUpperCase() + k.slice(1);
}

// "Lower is better" and its kin, from an improvement direction.
export function betterText(direction: string | null | undefined): string {
  return ({ increase: 'Higher is better', decrease: 'Lower is better', neutral: 'Neither higher nor lower is better' } as Record<string, string>)[direction ?? ''] ?? '–';
}

// Whole-number positions with ties: values ordered best first share the better position
// ("=2 of 12"), never an average rank such as 5.5.
export function positions(values: (number | null)[], better: 1 | -1): { position: number | null; tied: boolean }[] {
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return { position: null, tied: false };
    let ahead = 0;
    let same = 0;
    for (const w of values) {
      if (w === null || !Number.isFinite(w)) continue;
      if ((w - v) * better > 0) ahead++;
      else if (w === v) same++;
    }
    return { position: ahead + 1, tied: same > 1 };
  });
}
