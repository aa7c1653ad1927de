/**
 * Fuzzed specs for every kind of crds/: each is either refused by the API server's schema, or
 * reconciled, or ends with `Ready=False` and the reason of the TerminalError or RetryableError the
 * reconcile threw. Never a crash (an error the worker can only retry forever, without a word to
 * the owner), and a control object beside them is left untouched. A terminal refusal is then run
 * through a real worker: its job fails once and is not retried.
 */
import test from 'ava';
import {
  clusterStreamFuzz,
  directiveFuzz,
  streamBusClusterFuzz,
  streamStoreFuzz,
  tanzuStreamFuzz,
  tawonStreamFuzz,
  type FuzzKind,
} from './kinds.js';
import { fuzzEnv, fuzzKind, summary } from './driver.js';
import { terminalJobsNotRetried } from './worker-check.js';

const RUNS = Number(process.argv.find((a) => a.startsWith('--fuzz-runs='))?.slice(12) ?? 40);

const kinds: readonly FuzzKind[] = [
  clusterStreamFuzz,
  tanzuStreamFuzz,
  streamBusClusterFuzz,
  streamStoreFuzz,
  tawonStreamFuzz,
  directiveFuzz,
];

for (const kind of kinds) {
  test(`fuzzed ${kind.fn.kind.kind}.${kind.fn.kind.group} specs are refused by the schema or get a condition with a clear reason`, async (t) => {
    t.timeout(170_000);
    const env = await fuzzEnv(t, kind);
    const report = await fuzzKind(t, kind, env, RUNS);
    t.log(summary(report));
    for (const c of report.crashes.slice(0, 5))
      t.log(`crash: ${c.error}\n  after: ${c.mutations}\n  spec: ${c.spec}`);
    t.deepEqual(
      report.crashes.map((c) => c.error),
      [],
    );
    t.true(report.refused + report.reconciled + report.terminal.length > 0);
    const jobs = await terminalJobsNotRetried(t, kind, env, report.terminal.slice(0, 5));
    t.log(
      `terminal jobs run by a worker: ${jobs.map((j) => `${j.state}/${j.attempts}`).join(' ') || 'none'}`,
    );
    for (const j of jobs)
      t.is(j.attempts, 1, `${j.name} ran ${j.attempts} times (${j.state}: ${j.failedReason ?? ''})`);
  });
}
