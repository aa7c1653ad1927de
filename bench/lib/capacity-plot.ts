/**
 * @module bench/lib/capacity-plot
 * The capacity curve as a chart: changes per second sustained within the objective per number of
 * worker processes, the linear line from one process, the API server's change ceiling measured
 * in the same run, and the point where the curve falls below 90 % of linear.
 */
import { lineChart, type Chart, type Point } from './svg-plot.js';

/** One point of the curve. */
export interface CurvePoint {
  readonly workers: number;
  readonly perS: number;
}

export interface CapacityPlot {
  readonly curve: readonly CurvePoint[];
  /** Status writes per second of a tight client (the ceiling probe), in the same run. */
  readonly ceilingWritesPerS?: number;
  /** API writes per change (the driver's spec patch and the worker's status patch). */
  readonly writesPerChange: number;
  readonly reconcileMs: number;
  readonly concurrency: number;
  readonly caption?: readonly string[];
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

/** The first point below `share` of linear (from the one-process rate), if any. */
export function bendPoint(curve: readonly CurvePoint[], share = 0.9): CurvePoint | undefined {
  const one = curve.find((p) => p.workers === 1)?.perS;
  if (!one) return undefined;
  return curve.find((p) => p.perS < share * p.workers * one);
}

/** The chart of the capacity curve (see {@link lineChart}). */
export function capacityChart(plot: CapacityPlot): Chart {
  const one = plot.curve.find((p) => p.workers === 1)?.perS ?? 0;
  const measured: Point[] = plot.curve.map((p) => ({ x: p.workers, y: p.perS }));
  const maxWorkers = Math.max(1, ...plot.curve.map((p) => p.workers));
  const linear: Point[] = [
    { x: 0, y: 0 },
    { x: maxWorkers, y: one * maxWorkers },
  ];
  const bend = bendPoint(plot.curve);
  const ceiling =
    plot.ceilingWritesPerS === undefined ? undefined : plot.ceilingWritesPerS / plot.writesPerChange;
  const efficiency = bend && one ? bend.perS / (bend.workers * one) : undefined;
  return {
    title: 'Sluice capacity curve: object changes/s within the objective',
    subtitle:
      `p99 queue wait ≤ 1 s, p99 reconcile ≤ 5 s · reconcile = ${plot.reconcileMs} ms wait + status write ` +
      `· ${plot.concurrency} at once per process`,
    xLabel: 'worker processes',
    yLabel: 'changes per second',
    xTicks: plot.curve.map((p) => p.workers),
    series: [
      { label: 'linear from 1 process', points: linear, color: '#8a8a8a', dashed: true },
      {
        label: 'measured',
        points: measured,
        color: '#1f6feb',
        markers: true,
        labels: plot.curve.map((p) =>
          p.workers === 1 || !one
            ? fmt(p.perS)
            : `${fmt(p.perS)} (${(p.perS / (p.workers * one)).toFixed(2)}×)`,
        ),
      },
    ],
    ...(ceiling === undefined
      ? {}
      : {
          references: [
            {
              label: `API server ceiling: ${Math.round(plot.ceilingWritesPerS ?? 0)} writes/s ÷ ${plot.writesPerChange} per change`,
              y: ceiling,
              color: '#d1242f',
            },
          ],
        }),
    ...(bend && efficiency !== undefined
      ? {
          highlight: {
            point: { x: bend.workers, y: bend.perS },
            note: `bends: ${Math.round(efficiency * 100)} % of linear`,
            color: '#bf5b00',
          },
        }
      : {}),
    ...(plot.caption ? { caption: plot.caption } : {}),
  };
}

/** The SVG of the capacity curve. */
export function capacitySvg(plot: CapacityPlot): string {
  return lineChart(capacityChart(plot));
}
