// Making Data Count icons as small inline SVGs, drawn as the server's charts draw them
// (src/chart/internal/chart_kit.cc, layout.cc): a circle with a little run of dots, H or L for a
// special cause, P or F for assurance. Each carries its reading in words (role="img" + title).
import type { Assurance, Variation } from './api';

export const colours = {
  common: '#7B7D7D',
  concern: '#ED8B00',
  improvement: '#289DE0',
  neutral: '#6C2D91',
  target: '#DA291C',
  line: '#AEB7BD',
};

export function variationColour(v: Variation): string {
  if (v.startsWith('concern')) return colours.concern;
  if (v.startsWith('improvement')) return colours.improvement;
  if (v.startsWith('neutral')) return colours.neutral;
  return colours.common;
}

export function variationText(v: Variation): string {
  switch (v) {
    case 'common_cause':
      return 'Common cause variation – no significant change';
    case 'improvement_high':
      return 'Special cause variation – improvement (high)';
    case 'improvement_low':
      return 'Special cause variation – improvement (low)';
    case 'concern_high':
      return 'Special cause variation – concern (high)';
    case 'concern_low':
      return 'Special cause variation – concern (low)';
    case 'neutral_high':
      return 'Special cause variation – neither improvement nor concern (high)';
    case 'neutral_low':
      return 'Special cause variation – neither improvement nor concern (low)';
    default:
      return 'Not enough data to judge variation';
  }
}

export function assuranceText(a: Assurance): string {
  switch (a) {
    case 'consistent_pass':
      return 'Consistently passing the target';
    case 'consistent_fail':
      return 'Consistently failing the target';
    case 'inconsistent':
      return 'Hit and miss – will pass or fail the target by chance';
    default:
      return 'No target set';
  }
}

// Plain English for a board: what to do about it.
export function variationAdvice(v: Variation): string {
  if (v.startsWith('concern')) return 'Something has changed for the worse: look into it.';
  if (v.startsWith('improvement')) return 'Something has changed for the better: learn from it.';
  if (v.startsWith('neutral')) return 'Something has changed; there is no better or worse direction.';
  if (v === 'common_cause') return 'The process is stable: a change needs a change to the system.';
  return '';
}

let uid = 0;
function svg(body: string, label: string, size: number): string {
  const id = `mdc-${++uid}`;
  return `<svg class="mdc-icon" width="${size}" height="${size}" viewBox="0 0 56 56" role="img" aria-labelledby="${id}" focusable="false"><title id="${id}">${label}</title>${body}</svg>`;
}

export function variationIcon(v: Variation, size = 32): string {
  const label = `Variation: ${variationText(v)}`;
  if (!v) return svg(`<circle cx="28" cy="28" r="24" fill="#fff" stroke="#d8dde0" stroke-width="2.6" stroke-dasharray="4 3"/>`, label, size);
  const c = variationColour(v);
  const xs = [-14, -9.3, -4.7, 0, 4.7, 9.3, 14];
  const flat = [1, -4, 3, -2, 3, -4, 1];
  const high = [9, 6, 10, 7, 2, -4, -10];
  const isHigh = v.endsWith('_high');
  const ys = v === 'common_cause' ? flat : high.map((y) => (isHigh ? y : -y));
  const pts = xs.map((x, i) => [28 + x, 28 + (ys[i] ?? 0)] as const);
  let body = `<circle cx="28" cy="28" r="24" fill="#fff" stroke="${c}" stroke-width="2.6"/>`;
  body += `<polyline points="${pts.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${colours.line}" stroke-width="1.1"/>`;
  pts.forEach(([x, y], i) => {
    const special = v !== 'common_cause' && i >= 4;
    body += `<circle cx="${x}" cy="${y}" r="2.4" fill="${special ? c : colours.common}"/>`;
  });
  if (v !== 'common_cause') {
    body += `<text x="22" y="${isHigh ? 24 : 41.5}" font-size="13" font-weight="bold" font-family="Arial, sans-serif" text-anchor="middle" fill="${c}">${isHigh ? 'H' : 'L'}</text>`;
  }
  return svg(body, label, size);
}

export function assuranceIcon(a: Assurance, size = 32): string {
  const label = `Assurance: ${assuranceText(a)}`;
  // No target, no assurance icon (as on Making Data Count charts); the words stay for readers.
  if (!a) return `<span class="app-no-target" style="--s:${size}px"><span class="nhsuk-u-visually-hidden">${label}</span></span>`;
  const c = a === 'consistent_pass' ? colours.improvement : a === 'consistent_fail' ? colours.concern : colours.common;
  const letter = a === 'consistent_pass' ? 'P' : a === 'consistent_fail' ? 'F' : '?';
  const body = `<circle cx="28" cy="28" r="24" fill="#fff" stroke="${c}" stroke-width="2.6"/>
<text x="28" y="33" font-size="21" font-weight="bold" font-family="Arial, sans-serif" text-anchor="middle" fill="${c}">${letter}</text>
<line x1="16" y1="40" x2="40" y2="40" stroke="${colours.target}" stroke-width="1.6" stroke-dasharray="3 2"/>`;
  return svg(body, label, size);
}

// How much attention a series asks for: concerns first, then failing, then hit and miss.
export function severity(v: Variation, a: Assurance): number {
  let s = 0;
  if (v.startsWith('concern')) s += 4;
  if (a === 'consistent_fail') s += 2;
  if (a === 'inconsistent') s += 1;
  if (v.startsWith('improvement')) s -= 0.5;
  return s;
}
