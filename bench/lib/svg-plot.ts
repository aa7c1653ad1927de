/**
 * @module bench/lib/svg-plot
 * A small line-chart writer for benchmark results (no plotting library): numeric axes with round
 * ticks, any number of series (solid or dashed, with or without point markers and value labels),
 * horizontal reference lines, one highlighted point with a note, a legend and a caption. Pure:
 * returns the SVG text. Values are laid out on a fixed 900 × 560 canvas.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly label: string;
  readonly points: readonly Point[];
  readonly color: string;
  /** Dashed line (a model, not a measurement). @defaultValue false */
  readonly dashed?: boolean;
  /** Draw a dot and the value at every point. @defaultValue false */
  readonly markers?: boolean;
  /** With markers: the text at each point instead of its value. */
  readonly labels?: readonly string[];
}

/** A horizontal line across the plot at `y` (a ceiling). */
export interface Reference {
  readonly label: string;
  readonly y: number;
  readonly color: string;
}

export interface Chart {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly references?: readonly Reference[];
  /** A point ringed and annotated (where the curve bends). */
  readonly highlight?: { readonly point: Point; readonly note: string; readonly color: string };
  /** Lines of small print under the plot. */
  readonly caption?: readonly string[];
  /** The x values to tick (e.g. the process counts); else round steps. */
  readonly xTicks?: readonly number[];
}

/** A white outline under text drawn over lines, so it stays readable. */
const HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"';

const W = 900;
const H = 560;
const M = { left: 80, right: 60, top: 80, bottom: 140 };

/** Round tick values from 0 to at least `max`: 1, 2 or 5 times a power of ten apart, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Escapes text for an SVG text node or attribute. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

/** The SVG of `chart`. */
export function lineChart(chart: Chart): string {
  const all = [
    ...chart.series.flatMap((s) => s.points),
    ...(chart.references ?? []).map((r) => ({ x: 0, y: r.y })),
  ];
  const xMax = Math.max(1, ...all.map((p) => p.x), ...(chart.xTicks ?? []));
  const yTicks = niceTicks(Math.max(1, ...all.map((p) => p.y)) * 1.08);
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const xTicks = chart.xTicks ?? niceTicks(xMax);
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = H - M.bottom;
  const y1 = M.top;
  const px = (x: number): number => x0 + (x / xMax) * (x1 - x0);
  const py = (y: number): number => y0 - (y / yMax) * (y0 - y1);
  const n = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${x0}" y="32" font-size="20" font-weight="bold" fill="#222">${esc(chart.title)}</text>`,
  ];
  if (chart.subtitle)
    out.push(`<text x="${x0}" y="56" font-size="13" fill="#555">${esc(chart.subtitle)}</text>`);
  for (const t of yTicks) {
    out.push(
      `<line x1="${x0}" y1="${n(py(t))}" x2="${x1}" y2="${n(py(t))}" stroke="#e4e4e4" stroke-width="1"/>`,
      `<text x="${x0 - 8}" y="${n(py(t) + 4)}" font-size="12" text-anchor="end" fill="#444">${fmt(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${n(px(t))}" y1="${y0}" x2="${n(px(t))}" y2="${y0 + 5}" stroke="#444"/>`,
      `<text x="${n(px(t))}" y="${y0 + 20}" font-size="12" text-anchor="middle" fill="#444">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#444" stroke-width="1.2"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#444" stroke-width="1.2"/>`,
    `<text x="${n((x0 + x1) / 2)}" y="${y0 + 42}" font-size="14" text-anchor="middle" fill="#222">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(22 ${n((y0 + y1) / 2)}) rotate(-90)" font-size="14" text-anchor="middle" fill="#222">${esc(chart.yLabel)}</text>`,
  );
  for (const r of chart.references ?? []) {
    out.push(
      `<line x1="${x0}" y1="${n(py(r.y))}" x2="${x1}" y2="${n(py(r.y))}" stroke="${r.color}" stroke-width="1.5" stroke-dasharray="2 4"/>`,
      `<text x="${x0 + 6}" y="${n(py(r.y) - 6)}" font-size="12" fill="${r.color}">${esc(r.label)}</text>`,
    );
  }
  for (const s of chart.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(px(p.x))} ${n(py(p.y))}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.6 : 2.6}"${dash}/>`,
    );
    if (s.markers)
      s.points.forEach((p, i) => {
        // Values below and to the right of their dot, to the left near the right edge.
        const right = px(p.x) > x1 - 40;
        out.push(
          `<circle cx="${n(px(p.x))}" cy="${n(py(p.y))}" r="4.5" fill="${s.color}"/>`,
          `<text x="${n(px(p.x) + (right ? -8 : 8))}" y="${n(py(p.y) + 18)}" font-size="12.5" font-weight="bold" text-anchor="${right ? 'end' : 'start'}" fill="${s.color}"${HALO}>${esc(s.labels?.[i] ?? fmt(p.y))}</text>`,
        );
      });
  }
  if (chart.highlight) {
    const { point, note, color } = chart.highlight;
    const hx = px(point.x);
    const hy = py(point.y);
    const left = hx > (x0 + x1) / 2;
    out.push(
      `<circle cx="${n(hx)}" cy="${n(hy)}" r="10" fill="none" stroke="${color}" stroke-width="2.2"/>`,
      `<text x="${n(left ? hx - 12 : hx + 12)}" y="${n(hy - 22)}" font-size="12.5" font-weight="bold" text-anchor="${left ? 'end' : 'start'}" fill="${color}"${HALO}>${esc(note)}</text>`,
    );
  }
  // Legend: one row under the axis label.
  let lx = x0;
  const ly = y0 + 66;
  const entries = [
    ...chart.series.map((s) => ({ label: s.label, color: s.color, dash: s.dashed ? '7 5' : '' })),
    ...(chart.references ?? []).map((r) => ({ label: r.label, color: r.color, dash: '2 4' })),
  ];
  for (const e of entries) {
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${e.color}" stroke-width="2.4"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`,
      `<text x="${lx + 32}" y="${ly + 4}" font-size="12.5" fill="#222">${esc(e.label)}</text>`,
    );
    lx += 52 + e.label.length * 7;
  }
  (chart.caption ?? []).forEach((line, i) =>
    out.push(`<text x="${x0}" y="${ly + 24 + i * 15}" font-size="11" fill="#666">${esc(line)}</text>`),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
