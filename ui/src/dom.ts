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
