/**
 * The capacity benchmark's pure logic: the search for the highest rate within the objective, the
 * worker records (parsing, same-key overlaps, change → run latencies, per-window counts, kill
 * retries) and the SVG of the curve.
 */
import test from 'ava';
import { bounds, nextRate, type Step } from '../../bench/lib/slo-search.js';
import {
  changeLatencies,
  overlaps,
  parseRecords,
  perWindow,
  recordLine,
  type Interval,
} from '../../bench/lib/capacity-records.js';
import { bendPoint, capacitySvg } from '../../bench/lib/capacity-plot.js';
import { esc, lineChart, niceTicks } from '../../bench/lib/svg-plot.js';
import { retryDelays } from '../../bench/scenarios/capacity-kill.js';

/** Runs the search against a system whose capacity is `capacity`: a step passes at or below it. */
function search(capacity: number, start: number): { steps: Step[]; best: number } {
  const steps: Step[] = [];
  for (let rate = nextRate(steps, { start }); rate !== undefined; rate = nextRate(steps, { start }))
    steps.push({ rate, passed: rate <= capacity });
  return { steps, best: bounds(steps).best };
}

test('the search starts at the given rate and grows by the factor while steps pass', (t) => {
  const steps: Step[] = [];
  t.is(nextRate(steps, { start: 40, growth: 1.5 }), 40);
  steps.push({ rate: 40, passed: true });
  t.is(nextRate(steps, { start: 40, growth: 1.5 }), 60);
});

test('the search ends within the precision below the capacity, on a rate that passed', (t) => {
  for (const capacity of [37, 80, 123, 410]) {
    const { steps, best } = search(capacity, 50);
    t.true(best <= capacity, `best ${best} for capacity ${capacity}`);
    const failed = bounds(steps).failed ?? Infinity;
    t.true(failed > capacity);
    t.true(failed <= best * 1.06 || steps.length === 8, `stopped at ${best}..${failed}`);
    t.true(steps.some((s) => s.passed && s.rate === best));
  }
});

test('when even the first step fails the search comes down by the square of the growth, and gives up below the minimum rate', (t) => {
  const down = nextRate([{ rate: 100, passed: false }], { start: 100, growth: 2 });
  t.is(down, 25);
  t.is(nextRate([{ rate: 3, passed: false }], { start: 3, growth: 2, minRate: 1 }), undefined);
  t.is(search(0, 10).best, 0);
});

test('the search stops after the step budget even if the bounds are still apart', (t) => {
  const steps: Step[] = Array.from({ length: 3 }, (_, i) => ({ rate: 10 * (i + 1), passed: true }));
  t.is(nextRate(steps, { start: 10, maxSteps: 3 }), undefined);
});

test('a failure below a rate that passed ends the search with the rate that passed', (t) => {
  const steps: Step[] = [
    { rate: 50, passed: true },
    { rate: 60, passed: true },
    { rate: 55, passed: false },
  ];
  t.is(nextRate(steps, { start: 50 }), undefined);
  t.is(bounds(steps).best, 60);
});

test('records parse into jobs and runs, pairing each end with its start per key', (t) => {
  const text = [
    recordLine('A', 'k1', 1000, 1010),
    recordLine('S', 'k1', 3, 1012),
    recordLine('A', 'k2', 1001, 1011),
    recordLine('S', 'k2', 1, 1013),
    recordLine('E', 'k1', 3, 1070),
    recordLine('C', 'k1', 1072),
    recordLine('F', 'k2', 1080),
    recordLine('S', 'k3', 2, 1090),
    'S k4 1', // a line cut off by a kill: no time
  ].join('');
  const r = parseRecords(text, 'w0');
  t.deepEqual(r.jobs, [
    { key: 'k1', enqueuedAt: 1000, activeAt: 1010, endedAt: 1072, failed: false },
    { key: 'k2', enqueuedAt: 1001, activeAt: 1011, endedAt: 1080, failed: true },
  ]);
  t.deepEqual(r.intervals, [
    { key: 'k1', generation: 3, start: 1012, end: 1070, source: 'w0' },
    { key: 'k2', generation: 1, start: 1013, end: undefined, source: 'w0' },
    { key: 'k3', generation: 2, start: 1090, end: undefined, source: 'w0' },
  ]);
});

const run = (
  key: string,
  start: number,
  end: number | undefined,
  source = 'w0',
  generation = 1,
): Interval => ({
  key,
  generation,
  start,
  end,
  source,
});

test('two runs of one key from different processes that intersect are an overlap', (t) => {
  const found = overlaps([run('a', 0, 100, 'w0'), run('a', 50, 150, 'w1'), run('b', 60, 70, 'w1')]);
  t.is(found.length, 1);
  t.is(found[0]?.key, 'a');
  t.is(found[0]?.second.source, 'w1');
});

test('runs of one key one after another, or of different keys at once, are not overlaps', (t) => {
  t.deepEqual(
    overlaps([run('a', 0, 100), run('a', 100, 200, 'w1'), run('b', 50, 150), run('a', 250, 300)]),
    [],
  );
});

test('a run inside a longer one overlaps it even after a shorter run ended in between', (t) => {
  const found = overlaps([run('a', 0, 1000, 'w0'), run('a', 10, 20, 'w1'), run('a', 500, 600, 'w2')]);
  t.is(found.length, 2);
});

test('a killed run counts as running until its process died', (t) => {
  const killed = run('a', 0, undefined, 'w0');
  const later = run('a', 31_000, 31_050, 'w1');
  const early = run('a', 500, 550, 'w1');
  const openUntil = (r: Interval): number => (r.source === 'w0' ? 1000 : Infinity);
  t.deepEqual(overlaps([killed, later], openUntil), []);
  t.is(overlaps([killed, early], openUntil).length, 1);
  t.is(overlaps([killed, later]).length, 1, 'without the kill time an open run never ends');
});

test('a change is seen by the first run that read its generation or a later one', (t) => {
  const runs = [run('a', 100, 150, 'w0', 1), run('a', 300, 350, 'w0', 3), run('b', 120, 130, 'w1', 1)];
  const { latencies, missed } = changeLatencies(
    [
      { key: 'a', generation: 2, at: 200 },
      { key: 'a', generation: 3, at: 250 },
      { key: 'b', generation: 2, at: 125 },
    ],
    runs,
  );
  t.deepEqual(latencies, [100, 50]);
  t.is(missed, 1);
});

test('per-window counts put each time in its window and drop those outside', (t) => {
  t.deepEqual(perWindow([0, 5, 999, 1000, 2500, 3000, -1], 0, 3000, 1000), [3, 1, 1]);
});

test('a killed run waits from the kill to the next start of its key in another process', (t) => {
  const runs = [run('a', 0, undefined, 'w0'), run('a', 40_000, 40_060, 'w1'), run('b', 10, 20, 'w0')];
  const r = retryDelays(runs, new Map([['w0', 5000]]));
  t.is(r.interrupted, 1);
  t.deepEqual(r.delays, [35_000]);
});

test('ticks are round steps from zero that reach the maximum', (t) => {
  t.deepEqual(niceTicks(370), [0, 100, 200, 300, 400]);
  t.deepEqual(niceTicks(9), [0, 2, 4, 6, 8, 10]);
  t.deepEqual(niceTicks(0), [0, 1]);
});

test('the curve bends at the first process count below 90 % of linear', (t) => {
  const curve = [
    { workers: 1, perS: 50 },
    { workers: 2, perS: 98 },
    { workers: 4, perS: 170 },
    { workers: 8, perS: 200 },
  ];
  t.deepEqual(bendPoint(curve), { workers: 4, perS: 170 });
  t.is(bendPoint(curve.slice(0, 2)), undefined);
});

test('the capacity SVG draws every measured point with its efficiency, the linear line, the ceiling and the bend', (t) => {
  const svg = capacitySvg({
    curve: [
      { workers: 1, perS: 50 },
      { workers: 2, perS: 98 },
      { workers: 4, perS: 150 },
    ],
    ceilingWritesPerS: 600,
    writesPerChange: 2,
    reconcileMs: 50,
    concurrency: 4,
  });
  t.true(svg.startsWith('<svg '));
  t.true(svg.trimEnd().endsWith('</svg>'));
  t.is((svg.match(/<circle [^>]*r="4.5"/g) ?? []).length, 3);
  t.true(svg.includes('98 (0.98×)'));
  t.true(svg.includes('150 (0.75×)'));
  t.true(svg.includes('stroke-dasharray="7 5"'), 'the linear line is dashed');
  t.true(svg.includes('600 writes/s ÷ 2 per change'));
  t.true(svg.includes('bends: 75 % of linear'));
});

test('chart points are placed in proportion to their values', (t) => {
  const svg = lineChart({
    title: 't',
    xLabel: 'x',
    yLabel: 'y',
    xTicks: [0, 10],
    series: [
      {
        label: 's',
        color: '#000',
        points: [
          { x: 0, y: 0 },
          { x: 10, y: 100 },
          { x: 5, y: 50 },
        ],
      },
    ],
  });
  const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const coords = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  t.is(coords.length, 3);
  const [a = [], b = [], c = []] = coords;
  // The middle point lies halfway between the ends on both axes (coordinates are written to 0.1).
  t.true(Math.abs(((a[0] ?? 0) + (b[0] ?? 0)) / 2 - (c[0] ?? -1)) <= 0.1);
  t.true(Math.abs(((a[1] ?? 0) + (b[1] ?? 0)) / 2 - (c[1] ?? -1)) <= 0.1);
  t.true((b[1] ?? 0) < (a[1] ?? 0), 'a larger value is drawn higher');
});

test('text is escaped for SVG', (t) => {
  t.is(esc('a < b & "c" > d'), 'a &lt; b &amp; &quot;c&quot; &gt; d');
});
