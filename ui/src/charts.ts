// ECharts, imported module by module with the SVG renderer (crisp in print, checkable in the DOM),
// and the Making Data Count chart built from a stored SPC result: points coloured by their type,
// mean solid, process limits dashed, target red, recalculations marked with their reason.
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  AriaComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { Series, SeriesPoint, Funnel } from './api';
import { colours } from './icons';
import { fmt, period } from './dom';

echarts.use([
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  AriaComponent,
  SVGRenderer,
]);

export { echarts };

export const typeColour: Record<SeriesPoint['type'], string> = {
  c: colours.common,
  i: colours.improvement,
  x: colours.concern,
  h: colours.neutral,
  l: colours.neutral,
};
export const typeText: Record<SeriesPoint['type'], string> = {
  c: 'common cause',
  i: 'special cause – improvement',
  x: 'special cause – concern',
  h: 'special cause – neither (high)',
  l: 'special cause – neither (low)',
};

export interface Note {
  period: string;
  text: string;
}

export interface SpcOptions {
  compact?: boolean;
  zoom?: boolean;
  target?: number | null;
  notes?: Note[];
  unitLabel?: string;
}

// Group-wise step lines: one value per point, null outside the group, so each recalculated
// period has its own mean and limits.
// A series stored as a qicharts2 chart (summary.chart p, u…) sends each point's own lines, which
// vary with its denominator; an XmR series has only its groups' lines.
type PointLines = { cl?: number | null; lcl?: number | null; ucl?: number | null };
const pointLine = { mean: 'cl', lpl: 'lcl', upl: 'ucl' } as const;

function stepLine(s: Series, key: 'mean' | 'lpl' | 'upl'): (number | null)[] {
  const out: (number | null)[] = s.points.map(() => null);
  for (const g of s.groups) {
    for (let i = g.begin; i < g.end && i < out.length; i++) out[i] = g[key];
  }
  s.points.forEach((p, i) => {
    const v = (p as PointLines)[pointLine[key]];
    if (v !== undefined) out[i] = v;
  });
  return out;
}

export function spcOption(s: Series, o: SpcOptions = {}): echarts.EChartsCoreOption {
  const x = s.points.map((p) => p.period);
  const target = o.target ?? s.summary.target;
  const notes = [
    ...s.groups.slice(1).map((g) => ({ period: s.points[g.begin]?.period ?? '', text: `Recalculated: ${g.reason ?? 'process changed'}` })),
    ...(o.notes ?? []),
  ].filter((n) => n.period);
  const small = !!o.compact;
  const limitStyle = { color: colours.common, type: 'dashed' as const, width: 1.2 };
  const series: unknown[] = [
    {
      name: 'Value',
      type: 'line',
      data: s.points.map((p) => ({ value: p.value, itemStyle: { color: typeColour[p.type] }, symbolSize: p.type === 'c' ? undefined : small ? 6 : 9 })),
      lineStyle: { color: colours.line, width: 1.5 },
      itemStyle: { color: colours.common },
      symbol: 'circle',
      // Every point keeps its dot and colour at any width: echarts would otherwise hide symbols
      // on a narrow axis, and with them the special-cause colours.
      showSymbol: true,
      showAllSymbol: true,
      symbolSize: small ? 4 : 7,
      connectNulls: false,
      z: 5,
      markLine: notes.length
        ? {
            symbol: 'none',
            // The notes (recalculations, PDSA cycles) are read from their labels; silent, so that
            // however many there are they never take the pointer from the values' tooltip.
            silent: true,
            lineStyle: { color: '#425563', type: 'dotted', width: 1 },
            label: { show: !small, formatter: (p: { name?: string }) => p.name ?? '', position: 'insideEndTop', fontSize: 11, color: '#212b32' },
            data: notes.map((n) => ({ xAxis: n.period, name: n.text })),
          }
        : undefined,
    },
    { name: 'Mean', type: 'line', data: stepLine(s, 'mean'), symbol: 'none', itemStyle: { color: '#212b32' }, lineStyle: { color: '#212b32', width: 1.2 }, silent: true },
    { name: 'Upper process limit', type: 'line', data: stepLine(s, 'upl'), symbol: 'none', itemStyle: { color: colours.common }, lineStyle: limitStyle, silent: true },
    { name: 'Lower process limit', type: 'line', data: stepLine(s, 'lpl'), symbol: 'none', itemStyle: { color: colours.common }, lineStyle: limitStyle, silent: true },
  ];
  if (target !== null && target !== undefined && Number.isFinite(target)) {
    series.push({ name: 'Target', type: 'line', data: x.map(() => target), symbol: 'none', itemStyle: { color: colours.target }, lineStyle: { color: colours.target, width: 1.5 }, silent: true });
  }
  return {
    animation: false,
    aria: { enabled: true },
    grid: small ? { left: 44, right: 8, top: 10, bottom: 24 } : { left: 56, right: 24, top: notes.length ? 72 : 56, bottom: o.zoom ? 72 : 36 },
    legend: small ? undefined : { top: 0, left: 'center', textStyle: { fontSize: 12 } },
    tooltip: small
      ? undefined
      : {
          trigger: 'axis',
          formatter: (ps: { dataIndex: number; seriesName: string; value: number | null }[]) => {
            const i = ps[0]?.dataIndex ?? 0;
            const p = s.points[i];
            if (!p) return '';
            const lines = [`<strong>${period(p.period)}</strong>`, `Value: ${fmt(p.value, 2)}${o.unitLabel ? ` ${o.unitLabel}` : ''}`, `Point: ${typeText[p.type]}`];
            for (const q of ps) if (q.seriesName !== 'Value' && q.value !== null) lines.push(`${q.seriesName}: ${fmt(q.value, 2)}`);
            return lines.join('<br>');
          },
        },
    xAxis: { type: 'category', data: x, axisLabel: { formatter: (v: string) => period(v), fontSize: small ? 9 : 12, hideOverlap: true } },
    yAxis: { type: 'value', scale: true, axisLabel: { fontSize: small ? 9 : 12 } },
    dataZoom: o.zoom ? [{ type: 'inside' }, { type: 'slider', bottom: 6, height: 22 }] : undefined,
    series,
  };
}

// An outlier's colour: improvement (blue) on the better side, concern (orange) on the worse, purple
// when neither side is better. A favourable outlier is never drawn in the concern colour.
export function outlierColour(outlier: string, direction: string): string {
  if (outlier === 'none') return colours.common;
  const side = outlier.includes('high') ? 1 : outlier.includes('low') ? -1 : 0;
  const better = direction === 'increase' ? 1 : direction === 'decrease' ? -1 : 0;
  if (side === 0 || better === 0) return colours.neutral;
  return side * better > 0 ? colours.improvement : colours.concern;
}

// "Higher than expected – favourable", in words, for an outlier given which way is better.
export function outlierText(outlier: string, direction: string): string {
  if (outlier === 'none') return 'within the limits';
  const high = outlier.includes('high');
  const better = direction === 'increase' ? 1 : direction === 'decrease' ? -1 : 0;
  const word = better === 0 ? '' : (high ? 1 : -1) * better > 0 ? ' – favourable' : ' – unfavourable';
  return `${high ? 'higher' : 'lower'} than expected${word}`;
}

export function funnelOption(f: Funnel, names: Map<string, string>, direction = 'neutral'): echarts.EChartsCoreOption {
  const units = [...f.units].sort((a, b) => a.denominator - b.denominator);
  const lo = units[0]?.denominator ?? 0, hi = units[units.length - 1]?.denominator ?? 1;
  const pad = Math.max((hi - lo) * 0.08, hi * 0.02);
  const line = (k: 'lcl95' | 'ucl95' | 'lcl998' | 'ucl998') => units.map((u) => [u.denominator, u[k]]);
  const dash95 = { color: colours.common, type: 'dashed' as const, width: 1 };
  const dash998 = { color: '#425563', type: 'dashed' as const, width: 1.4 };
  return {
    animation: false,
    aria: { enabled: true },
    grid: { left: 56, right: 24, top: 20, bottom: 64 },
    legend: { bottom: 0 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: [number, number, string, string] }) =>
        p.seriesName === 'Organisations'
          ? `<strong>${names.get(p.data[2]) ?? p.data[2]}</strong><br>Value: ${fmt(p.data[1], 2)}<br>Size: ${fmt(p.data[0], 0)}<br>${p.data[3] === 'none' ? 'Within the limits' : `Outlier: ${outlierText(p.data[3], direction)}`}`
          : '',
    },
    xAxis: { type: 'value', name: 'Denominator (size)', nameLocation: 'middle', nameGap: 28, min: Math.max(0, Math.floor(lo - pad)), max: Math.ceil(hi + pad) },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: 'Organisations',
        type: 'scatter',
        itemStyle: { color: colours.common },
        symbolSize: 9,
        data: units.map((u) => ({ value: [u.denominator, u.value, u.unit, u.outlier], itemStyle: { color: outlierColour(u.outlier, direction) } })),
        z: 5,
      },
      { name: 'System average', type: 'line', data: units.map((u) => [u.denominator, f.target]), symbol: 'none', itemStyle: { color: '#212b32' }, lineStyle: { color: '#212b32', width: 1.2 }, silent: true },
      { name: '95% limits', type: 'line', data: line('ucl95'), symbol: 'none', itemStyle: { color: colours.common }, lineStyle: dash95, silent: true },
      { name: '95% limits', type: 'line', data: line('lcl95'), symbol: 'none', itemStyle: { color: colours.common }, lineStyle: dash95, silent: true },
      { name: '99.8% limits', type: 'line', data: line('ucl998'), symbol: 'none', itemStyle: { color: '#425563' }, lineStyle: dash998, silent: true },
      { name: '99.8% limits', type: 'line', data: line('lcl998'), symbol: 'none', itemStyle: { color: '#425563' }, lineStyle: dash998, silent: true },
    ],
  };
}

export function mount(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(el, undefined, { renderer: 'svg' });
  chart.setOption(option);
  const ro = new ResizeObserver(() => chart.resize());
  ro.observe(el);
  return chart;
}
