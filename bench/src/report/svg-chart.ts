/** Small dependency-free SVG charts for RESULTS.md. */

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Escapes text for SVG/XML. */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** "Nice" tick values covering [0, max] (1, 2, 2.5 or 5 × 10^k steps). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let value = 0; value <= max + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  if (ticks.at(-1)! < max) ticks.push(Number((ticks.at(-1)! + step).toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (Math.abs(value) >= 1e3) return `${Number((value / 1e3).toPrecision(3))}K`;
  return String(Number(value.toPrecision(3)));
}

/** One line of a line chart. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Dashed reference line(s) drawn behind the data, e.g. an ideal. */
  readonly references?: readonly ChartSeries[];
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { left: 70, right: 20, top: 40, bottom: 70 };

/** A line chart with markers, linear axes from 0, a legend under the plot. Returns SVG text. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const everything = [...options.series, ...(options.references ?? [])].flatMap((series) => series.points);
  const xTicks = niceTicks(Math.max(...everything.map((point) => point.x), 0));
  const yTicks = niceTicks(Math.max(...everything.map((point) => point.y), 0));
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const sx = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  for (const tick of yTicks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${sy(tick) + 4}" text-anchor="end" fill="#374151">${formatTick(tick)}</text>`);
  }
  for (const tick of xTicks) {
    out.push(`<line x1="${sx(tick)}" x2="${sx(tick)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#6b7280"/>`);
    out.push(`<text x="${sx(tick)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" fill="#374151">${formatTick(tick)}</text>`);
  }
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#6b7280"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#6b7280"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 36}" text-anchor="middle" fill="#111827">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${escapeXml(options.yLabel)}</text>`);
  const path = (series: ChartSeries) =>
    [...series.points].sort((a, b) => a.x - b.x).map((point, index) => `${index === 0 ? 'M' : 'L'}${sx(point.x).toFixed(1)},${sy(point.y).toFixed(1)}`).join(' ');
  for (const reference of options.references ?? []) {
    out.push(`<path d="${path(reference)}" fill="none" stroke="#9ca3af" stroke-width="1.5" stroke-dasharray="5 4"/>`);
  }
  options.series.forEach((series, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    out.push(`<path d="${path(series)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const point of series.points) out.push(`<circle cx="${sx(point.x).toFixed(1)}" cy="${sy(point.y).toFixed(1)}" r="3.5" fill="${color}"/>`);
  });
  const legend = [
    ...options.series.map((series, index) => ({ name: series.name, color: PALETTE[index % PALETTE.length]!, dashed: false })),
    ...(options.references ?? []).map((series) => ({ name: series.name, color: '#9ca3af', dashed: true })),
  ];
  let x = MARGIN.left;
  const y = height - 14;
  for (const item of legend) {
    out.push(`<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${item.color}" stroke-width="2"${item.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    out.push(`<text x="${x + 22}" y="${y}" fill="#111827">${escapeXml(item.name)}</text>`);
    x += 30 + item.name.length * 6.5;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One group of bars (e.g. one sandbox), one bar per measure. */
export interface BarGroup {
  readonly label: string;
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly groups: readonly BarGroup[];
  /** Horizontal dashed target line(s). */
  readonly targets?: readonly { readonly label: string; readonly value: number }[];
  readonly width?: number;
  readonly height?: number;
  /** Unit appended to bar value labels, e.g. `ms`. */
  readonly unit?: string;
}

/** A grouped bar chart with value labels and optional target lines. Returns SVG text. */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const names = [...new Set(options.groups.flatMap((group) => group.values.map((value) => value.name)))];
  const maxValue = Math.max(...options.groups.flatMap((group) => group.values.map((value) => value.value)), ...(options.targets ?? []).map((target) => target.value), 0);
  const ticks = niceTicks(maxValue);
  const yMax = ticks.at(-1)!;
  const sy = (y: number) => MARGIN.top + plotH - (Math.max(0, y) / yMax) * plotH;
  const groupW = plotW / Math.max(1, options.groups.length);
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, names.length));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  for (const tick of ticks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${sy(tick) + 4}" text-anchor="end" fill="#374151">${formatTick(tick)}</text>`);
  }
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${escapeXml(options.yLabel)}</text>`);
  options.groups.forEach((group, groupIndex) => {
    const left = MARGIN.left + groupIndex * groupW + (groupW - barW * names.length) / 2;
    for (const value of group.values) {
      const index = names.indexOf(value.name);
      const x = left + index * barW;
      const top = sy(value.value);
      out.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${(MARGIN.top + plotH - top).toFixed(1)}" fill="${PALETTE[index % PALETTE.length]}"/>`);
      out.push(`<text x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#111827">${escapeXml(`${Number(value.value.toPrecision(3))}${options.unit ?? ''}`)}</text>`);
    }
    out.push(`<text x="${(MARGIN.left + groupIndex * groupW + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" fill="#111827">${escapeXml(group.label)}</text>`);
  });
  (options.targets ?? []).forEach((target, index) => {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(target.value)}" y2="${sy(target.value)}" stroke="#111827" stroke-dasharray="6 4"/>`);
    // Labels of close targets are staggered along the line so they do not overlap.
    out.push(`<text x="${MARGIN.left + plotW - 4 - index * 160}" y="${sy(target.value) - 5}" text-anchor="end" font-size="11" fill="#111827">${escapeXml(target.label)}</text>`);
  });
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#6b7280"/>`);
  let x = MARGIN.left;
  const y = height - 14;
  names.forEach((name, index) => {
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${PALETTE[index % PALETTE.length]}"/>`);
    out.push(`<text x="${x + 16}" y="${y}" fill="#111827">${escapeXml(name)}</text>`);
    x += 28 + name.length * 6.5;
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
