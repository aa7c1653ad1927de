/**
 * `sluice directive run` as a child process against the real API server and NATS. No operator
 * runs in tests, so the test plays it: it reconciles the Directive (which creates the Stream) and
 * the Stream (which creates the JetStream stream) once each, as the workers would, and finalizes
 * the Stream once the CLI has deleted it.
 */
import test from 'ava';
import { reconcileObject } from '../../runtime/worker/reconcile-object.js';
import { directiveFunction } from '../../functions/directive/index.js';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../shared/index.js';
import { adminClient, testContext } from '../helpers/context.js';
import { eventually } from '../helpers/kube.js';
import { refIn } from '../fixtures/tawon/fixtures.js';
import { closeHarness, serverStream } from '../functions/tawon-stream/harness.js';
import {
  STORE,
  cliEnv,
  cliNamespace,
  publish,
  readyStream,
  reconcileOnce,
  reconcileStream,
  runCli,
  startCli,
} from './harness.js';

test.after.always(closeHarness);

async function reconcileDirective(ns: string, name: string): Promise<void> {
  const ref = refIn(directiveFunction, ns, name);
  await reconcileObject(directiveFunction, ref, testContext(DirectiveKind, { about: ref }));
}

function specOf(obj: KubeObject | undefined): Record<string, unknown> {
  return isRecord(obj?.spec) ? obj.spec : {};
}

test('directive run creates the Directive and its Stream, reads it, and deletes both on SIGINT', async (t) => {
  const ns = await cliNamespace(t, 'run');
  const kube = adminClient();
  const run = startCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'tmp-capture'].concat([
      '--task',
      'capture|filter:port 53',
      '--task',
      'dns',
      '--maxage',
      '1h',
    ]),
    cliEnv(ns),
  );
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await run.waitFor('stderr', /creating Directive tmp-capture /);
  const directive = await eventually('the Directive', () => kube.get(DirectiveKind, ns, 'tmp-capture'));
  t.deepEqual(specOf(directive).tasks, [
    { task: 'capture', config: { filter: 'port 53' } },
    { task: 'dns' },
    { task: 'publish', config: { type: 'stream', name: 'tmp-capture' } },
  ]);
  t.deepEqual(specOf(directive).streams, [
    { name: 'tmp-capture', store: STORE, maxage: '1h', retentionPolicy: 'Delete' },
  ]);
  await run.waitFor('stderr', /Directive tmp-capture/);

  await reconcileDirective(ns, 'tmp-capture');
  const stream = await kube.get(TawonStreamKind, ns, 'tmp-capture');
  t.truthy(stream, 'the Directive created its Stream');
  t.is(stream?.metadata.ownerReferences?.[0]?.uid, directive.metadata.uid);
  await reconcileStream(ns, 'tmp-capture');
  await reconcileDirective(ns, 'tmp-capture');
  await run.waitFor('stdout', new RegExp(`tawon\\.${ns}\\.tmp-capture`));
  t.regex(run.stderr(), /are ready/);

  await run.waitFor('stderr', /reading Stream tmp-capture/);
  await publish(ns, 'tmp-capture', 'captured-1');
  await run.waitFor('stdout', /#1 \S+ captured-1/);

  run.child.kill('SIGINT');
  const stopped = await eventually(
    'the Stream to be deleted by the CLI',
    async () =>
      (await kube.get(TawonStreamKind, ns, 'tmp-capture'))?.metadata.deletionTimestamp !== undefined,
  );
  t.true(stopped);
  await reconcileOnce(ns, 'tmp-capture');
  const { code } = await run.exited;
  t.is(code, 0, run.stderr());
  t.is(await kube.get(DirectiveKind, ns, 'tmp-capture'), undefined, 'the Directive is gone');
  t.is(await kube.get(TawonStreamKind, ns, 'tmp-capture'), undefined, 'the Stream is gone');
  t.is(await serverStream(`${ns}_tmp-capture`), undefined, 'and its JetStream stream');
  t.regex(run.stderr(), /SIGINT: deleting Directive tmp-capture/);
});

test('directive run leaves a Stream that existed before alone', async (t) => {
  const ns = await cliNamespace(t, 'runkeep');
  const kube = adminClient();
  await readyStream(ns, 'kept');
  const run = startCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'kept', '--no-read'],
    cliEnv(ns),
  );
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await run.waitFor('stderr', /creating Directive kept /);
  await eventually('the Directive', () => kube.get(DirectiveKind, ns, 'kept'));
  await reconcileDirective(ns, 'kept');
  await run.waitFor('stderr', /holding the Directive/);
  run.child.kill('SIGTERM');
  t.is((await run.exited).code, 0, run.stderr());
  t.is(await kube.get(DirectiveKind, ns, 'kept'), undefined, run.stderr());
  const stream = await kube.get(TawonStreamKind, ns, 'kept');
  t.truthy(stream, 'the Stream is still there');
  t.is(stream?.metadata.deletionTimestamp, undefined);
});

test('Ctrl-C while waiting for readiness deletes the Directive it created', async (t) => {
  const ns = await cliNamespace(t, 'runwait');
  const kube = adminClient();
  const run = startCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'early'],
    cliEnv(ns),
  );
  await run.waitFor('stderr', /Directive early: waiting for the operator/);
  run.child.kill('SIGINT');
  t.is((await run.exited).code, 0, run.stderr());
  t.is(await kube.get(DirectiveKind, ns, 'early'), undefined);
  t.regex(run.stderr(), /deleted Directive early and its Stream/);
});

test('directive run gives up after --timeout, asks whether the operator runs, and cleans up', async (t) => {
  const ns = await cliNamespace(t, 'runtimeout');
  const out = await runCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'late', '--timeout', '1'],
    cliEnv(ns),
  );
  t.is(out.code, 1);
  t.regex(out.stderr, /not ready after 1s: .*is the Sluice operator running/);
  t.deepEqual(await adminClient().listAll(DirectiveKind, ns), []);
});

test('directive run refuses a name already taken and never deletes that Directive', async (t) => {
  const ns = await cliNamespace(t, 'runtaken');
  const kube = adminClient();
  await kube.create(DirectiveKind, { metadata: { name: 'taken', namespace: ns }, spec: { tasks: [] } });
  const out = await runCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'taken'],
    cliEnv(ns),
  );
  t.is(out.code, 1);
  t.regex(out.stderr, /Directive taken already exists in namespace/);
  t.truthy(await kube.get(DirectiveKind, ns, 'taken'));
});

test('directive run with a missing store or a bad task fails before creating anything', async (t) => {
  const ns = await cliNamespace(t, 'runbad');
  const missing = await runCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', 'nostore', '--name', 'x'],
    cliEnv(ns),
  );
  t.is(missing.code, 1);
  t.regex(missing.stderr, /StreamStore nostore not found in namespace/);
  const bad = await runCli(
    t,
    ['directive', 'run', '-n', ns, '--stream-store', STORE, '--name', 'x', '--task', 'capture|filter'],
    cliEnv(ns),
  );
  t.not(bad.code, 0);
  t.regex(bad.stderr, /is not key:value/);
  t.deepEqual(await adminClient().listAll(DirectiveKind, ns), []);
});
