/**
 * @module bench/scenarios/ceiling
 * Scenario `ceiling`: the API server's own limit, measured as the most status writes per second a
 * tight client reaches on this machine: N lanes, each merge-patching the status subresource of
 * its own test Widgets in a loop (a new value every time, so every request is a real write), over
 * one keep-alive connection pool. Lane counts are swept and the best rate is the ceiling.
 *
 * The converge rates of `jetstream-1000` and `kafka-10k` are read from their latest results and
 * reported against this ceiling; each of those scenarios also probes the ceiling in its own run,
 * so its fraction compares figures from one run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../runtime/index.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';
import { installTestCrds } from '../../test/runtime/harness.js';
import { createMany, createNamespace, deleteNamespace, kube } from '../lib/kube.js';
import { storedFigure, type Figures, type Target } from '../lib/results.js';
import { round } from '../lib/stats.js';
import type { Scenario } from './index.js';

/** Objects written by the probe, and lanes tried. */
const OBJECTS = 256;

/** Writes per second with `lanes` concurrent writers for `seconds`, on the Widgets of `namespace`. */
export async function statusWriteRate(namespace: string, lanes: number, seconds: number): Promise<number> {
  const names = Array.from({ length: OBJECTS }, (_, i) => `c-${i}`);
  let writes = 0;
  let errors = 0;
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let n = 0;
      while (Date.now() < end) {
        const name = names[(lane + n * lanes) % names.length] ?? 'c-0';
        n++;
        try {
          await kube().patch(
            WidgetKind,
            namespace,
            name,
            { status: { size: t0 + n * lanes + lane } },
            'status',
          );
          writes++;
        } catch {
          errors++;
          await sleep(10);
        }
      }
    }),
  );
  if (errors > writes / 10) throw new Error(`ceiling probe: ${errors} errors for ${writes} writes`);
  return writes / ((Date.now() - t0) / 1000);
}

/** A namespace with the probe's Widgets; `cleanup` deletes it. */
export async function ceilingProbe(): Promise<{ namespace: string; cleanup: () => Promise<void> }> {
  await installTestCrds();
  const namespace = await createNamespace('ceiling');
  const widgets: KubeObject[] = Array.from({ length: OBJECTS }, (_, i) => ({
    metadata: { name: `c-${i}`, namespace },
    spec: { size: i },
  }));
  await createMany(WidgetKind, widgets, 16);
  return { namespace, cleanup: () => deleteNamespace(namespace) };
}

export const CEILING_ORDER = [
  'ceiling_writes_per_s',
  'jetstream_converge_per_s',
  'kafka_converge_per_s',
] as const;

function fraction(perS: number | undefined, ceiling: number | undefined): string {
  return perS === undefined || !ceiling ? 'not measured' : `${round(perS / ceiling)}× (${round(perS)}/s)`;
}

const TARGETS: readonly Target[] = [
  {
    name: 'jetstream-1000 converge rate ≥ 0.7× the ceiling',
    check: (m) => (m.jetstream_converge_per_s ?? 0) >= 0.7 * (m.ceiling_writes_per_s ?? Infinity),
    show: (m) => fraction(m.jetstream_converge_per_s, m.ceiling_writes_per_s),
  },
  {
    name: 'kafka-10k converge rate ≥ 0.7× the ceiling',
    check: (m) => (m.kafka_converge_per_s ?? 0) >= 0.7 * (m.ceiling_writes_per_s ?? Infinity),
    show: (m) => fraction(m.kafka_converge_per_s, m.ceiling_writes_per_s),
  },
];

export const ceilingScenario: Scenario = {
  order: CEILING_ORDER,
  defaultRuns: 5,
  async prepare(opts, say) {
    const seconds = opts.small ? 3 : 8;
    const lanes = opts.small ? [8, 32] : [4, 16, 32, 64];
    const probe = await ceilingProbe();
    const sweep: Record<string, number[]> = {};
    return {
      async run(): Promise<Figures> {
        let best = 0;
        for (const l of lanes) {
          const rate = await statusWriteRate(probe.namespace, l, seconds);
          (sweep[`${l}_lanes`] ??= []).push(round(rate));
          say(`  ${l} lanes: ${Math.round(rate)} status writes/s`);
          best = Math.max(best, rate);
        }
        const f: Record<string, number> = { ceiling_writes_per_s: best };
        const js = storedFigure('jetstream-1000', 'converge_per_s');
        const kafka = storedFigure('kafka-10k', 'converge_per_s');
        if (js !== undefined) f.jetstream_converge_per_s = js;
        if (kafka !== undefined) f.kafka_converge_per_s = kafka;
        return f;
      },
      cleanup: probe.cleanup,
      targets: TARGETS,
      notes: [
        `Ceiling: ${OBJECTS} test Widgets; lanes ${lanes.join(', ')} each merge-patching /status in a loop for ${seconds} s over one keep-alive pool (64 sockets); the best lane count is the ceiling.`,
        'Converge rates (objects from apply to Ready per second) come from the latest jetstream-1000 and kafka-10k results; each of those also measured the ceiling in its own run (see their ceiling_fraction).',
      ],
      details: () => ({ sweep, objects: OBJECTS }),
    };
  },
};
