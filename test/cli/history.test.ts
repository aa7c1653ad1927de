/**
 * `sluice history`, `sluice pause` and `sluice resume` (issue 17), run as the real CLI process
 * against the test API server and Redis, with a real worker for the Tawon Stream kind's queue (a
 * trivial reconciler, so no broker is needed): `sluice enqueue` is recorded as a `cli` reconcile
 * with who asked, the table shows the conditions and queue state above the history, `-o wide` and
 * `-o json` add and structure the details, `--watch` prints again on a change, and pause / resume
 * set and remove the annotation the worker honours.
 */
import os from 'node:os';
import test, { type ExecutionContext } from 'ava';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import {
  PAUSE_ANNOTATION,
  SluiceMetrics,
  awaitChange,
  createLogger,
  declareFunction,
  environment,
  type KubeObject,
  type ObjectReport,
} from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { runCli, startCli } from './harness.js';

test.before(async () => {
  await installCrds();
});

const RESOURCE = 'streams.tawon.mantisnet.com';
/** What the CLI records as who asked. */
const ME = `${os.userInfo().username}@${os.hostname()}`;

/** A Tawon Stream kind function that only succeeds: the queue's history is what is tested. */
const trivial = declareFunction(TawonStreamKind, {
  handlers: () =>
    Promise.resolve({ parse: (o: KubeObject) => o, reconcile: () => Promise.resolve(awaitChange()) }),
});

interface Setup {
  readonly namespace: string;
  readonly name: string;
  readonly env: Record<string, string | undefined>;
  cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

async function setup(t: ExecutionContext): Promise<Setup> {
  const iso = isolation('cli-history');
  await useNamespace(t, iso.namespace);
  const name = 'events';
  await adminClient().create<KubeObject>(TawonStreamKind, {
    metadata: { name, namespace: iso.namespace },
    spec: { store: { name: 'mystreamstore' } },
  });
  const env = testEnv();
  const worker = new KindWorker(
    trivial,
    {
      kube: adminClient(),
      metrics: new SluiceMetrics(),
      log: createLogger({ level: 'silent' }),
      events: { record: () => Promise.resolve(), flush: () => Promise.resolve() },
    },
    { redis: env.redisUrl, prefix: iso.queuePrefix, identity: 'cli-test-worker' },
  );
  worker.start();
  t.teardown(() => worker.close(true));
  const cliEnv = {
    ...environment(),
    KUBECONFIG: env.kubeconfig,
    SLUICE_REDIS_URL: env.redisUrl,
    SLUICE_QUEUE_PREFIX: iso.queuePrefix,
    SLUICE_LOG_LEVEL: 'silent',
  };
  return {
    namespace: iso.namespace,
    name,
    env: cliEnv,
    cli: (...args) => runCli(t, args, cliEnv),
  };
}

async function report(s: Setup): Promise<ObjectReport> {
  const r = await s.cli('history', RESOURCE, s.name, '-n', s.namespace, '-o', 'json');
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ObjectReport;
}

test('sluice enqueue is recorded as a cli reconcile with who asked, and sluice history prints the queue state, conditions and history', async (t) => {
  const s = await setup(t);
  const queued = await s.cli('enqueue', RESOURCE, s.name, '-n', s.namespace);
  t.is(queued.code, 0, queued.stderr);
  await eventually('the cli record', async () => (await report(s)).history.length >= 1);
  const json = await report(s);
  t.like(json, {
    kind: 'Stream',
    namespace: s.namespace,
    name: s.name,
    exists: true,
    queue: { state: 'none' },
  });
  t.like(json.history[0], { reason: 'cli', by: ME, outcome: 'success', worker: 'cli-test-worker' });

  const table = await s.cli('history', RESOURCE, s.name, '-n', s.namespace);
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.split('\n');
  t.regex(lines[0] ?? '', new RegExp(`^Stream ${s.namespace}/${s.name} \\(tawon.mantisnet.com/v1alpha1\\)`));
  t.regex(table.stdout, /^queue: idle \(no job\)$/m);
  t.regex(table.stdout, /^conditions: none$/m);
  t.regex(table.stdout, /^FINISHED\s+WHY\s+OUTCOME\s+WAITED\s+TOOK\s+ERROR$/m);
  t.true(table.stdout.includes(`cli (${ME})`), 'who asked');
  t.false(table.stdout.includes('cli-test-worker'), 'the worker only in wide output');

  const wide = await s.cli('history', RESOURCE, s.name, '-n', s.namespace, '-o', 'wide');
  t.regex(wide.stdout, /WORKER\s+JOB\s+TRACE/);
  t.true(wide.stdout.includes('cli-test-worker'));

  const missing = await s.cli('history', RESOURCE, 'nothing-here', '-n', s.namespace);
  t.not(missing.code, 0);
  t.regex(missing.stderr, /does not exist and has no history/);
});

test('sluice pause stops reconciles (recorded as paused, with a Paused condition) and sluice resume removes the annotation', async (t) => {
  const s = await setup(t);
  const paused = await s.cli('pause', RESOURCE, s.name, '-n', s.namespace);
  t.is(paused.code, 0, paused.stderr);
  t.regex(paused.stdout, /^paused Stream /);
  const obj = await adminClient().get(TawonStreamKind, s.namespace, s.name);
  t.is(obj?.metadata.annotations?.[PAUSE_ANNOTATION], 'true');

  await s.cli('enqueue', RESOURCE, s.name, '-n', s.namespace);
  await eventually('a paused record', async () => (await report(s)).history[0]?.outcome === 'paused');
  const table = await s.cli('history', RESOURCE, s.name, '-n', s.namespace);
  t.regex(table.stdout.split('\n')[0] ?? '', /PAUSED$/);
  t.regex(table.stdout, /^Paused\s+True\s+ReconcilePaused/m);

  const resumed = await s.cli('resume', RESOURCE, s.name, '-n', s.namespace);
  t.is(resumed.code, 0, resumed.stderr);
  const after = await adminClient().get(TawonStreamKind, s.namespace, s.name);
  t.is(after?.metadata.annotations?.[PAUSE_ANNOTATION], undefined);
  await s.cli('enqueue', RESOURCE, s.name, '-n', s.namespace);
  await eventually(
    'a success after resuming',
    async () => (await report(s)).history[0]?.outcome === 'success',
  );
  t.false(
    (await report(s)).conditions.some((c) => c.type === 'Paused'),
    'the Paused condition is gone',
  );
});

test('sluice history --watch prints the report again when a new reconcile is recorded', async (t) => {
  const s = await setup(t);
  await s.cli('enqueue', RESOURCE, s.name, '-n', s.namespace);
  await eventually('the first record', async () => (await report(s)).history.length >= 1);
  const watch = startCli(
    t,
    ['history', RESOURCE, s.name, '-n', s.namespace, '--watch', '--interval', '200'],
    s.env,
  );
  await watch.waitFor('stdout', /FINISHED/);
  await s.cli('enqueue', RESOURCE, s.name, '-n', s.namespace);
  const lastReport = (): string =>
    watch
      .stdout()
      .split(/^Stream /m)
      .pop() ?? '';
  await eventually('a report with both records', () =>
    Promise.resolve((lastReport().match(/cli \(/g) ?? []).length === 2),
  );
  t.true((watch.stdout().match(/^Stream /gm) ?? []).length >= 2, 'printed again, not once');
  watch.child.kill('SIGINT');
  t.is((await watch.exited).code, 0);
});
