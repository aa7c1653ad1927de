/**
 * tawonctl's surface, `sluice k8s streams ...` and `sluice k8s directive ...`, as child processes
 * against the real API server and NATS (issue 13). No operator runs in tests, so the test plays it:
 * it reconciles the Directive and the Stream as the workers would. Every signal is sent only after
 * the child has printed its readiness line, and every deletion is waited for on the API server.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { connect, type NatsConnection } from 'nats';
import { directiveFunction } from '../../functions/directive/index.js';
import { GLOBAL_HEADER_BYTES, RECORD_HEADER_BYTES, recordMessage } from '../../cli/streams/pcap.js';
import { reconcileObject } from '../../runtime/worker/reconcile-object.js';
import { environment, isRecord, type KubeObject } from '../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../shared/index.js';
import { adminClient, testContext } from '../helpers/context.js';
import { testEnv } from '../helpers/env.js';
import { eventually } from '../helpers/kube.js';
import { applyExample, refIn } from '../fixtures/tawon/fixtures.js';
import { closeHarness, serverStream } from '../functions/tawon-stream/harness.js';
import {
  STORE,
  cliEnv,
  cliNamespace,
  publish,
  reconcileOnce,
  reconcileStream,
  runCli,
  startCli,
  tempDir,
} from './harness.js';

test.after.always(closeHarness);

async function reconcileDirective(ns: string, name: string): Promise<void> {
  const ref = refIn(directiveFunction, ns, name);
  await reconcileObject(directiveFunction, ref, testContext(DirectiveKind, { about: ref }));
}

/** A core NATS connection to the test server, closed when the test ends. */
async function natsClient(t: ExecutionContext): Promise<NatsConnection> {
  const nc = await connect({ servers: testEnv().natsUrl, name: 'k8s-cli-test' });
  t.teardown(() => nc.close());
  return nc;
}

function specOf(obj: KubeObject | undefined): Record<string, unknown> {
  return isRecord(obj?.spec) ? obj.spec : {};
}

/** Waits until the API server no longer has the object. */
function gone(kind: typeof DirectiveKind, ns: string, name: string): Promise<boolean> {
  return eventually(
    `${kind.kind} ${name} to be deleted`,
    async () => !(await adminClient().get(kind, ns, name)),
  );
}

test('k8s streams with no subcommand lists, and k8s streams sub --all reads from the first message', async (t) => {
  const ns = await cliNamespace(t, 'k8sls');
  const name = await applyExample('stream', ns);
  await reconcileStream(ns, name);
  await publish(ns, name, 'first', 'second');
  const env = cliEnv(ns);

  const list = await runCli(t, ['k8s', 'streams', '-n', ns, '-o', 'json'], env);
  t.is(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
  t.like(rows, [{ name: 'mystream', store: STORE, messages: 2 }]);
  const alias = await runCli(t, ['streams', '-n', ns, '-o', 'json'], env);
  t.deepEqual(JSON.parse(alias.stdout), rows, 'sluice streams is the same command');

  const sub = await runCli(t, ['k8s', 'streams', 'sub', name, '-n', ns, '--all', '--count', '2'], env);
  t.is(sub.code, 0, sub.stderr);
  t.regex(sub.stdout, /^#1 \S+ first\n#2 \S+ second\n$/);
});

test('k8s directive sub without --stream-store publishes to plain NATS, prints what arrives, and SIGINT deletes the Directive', async (t) => {
  const ns = await cliNamespace(t, 'k8snats');
  const nc = await natsClient(t);
  const sub = startCli(
    t,
    ['k8s', 'directive', 'sub', '-n', ns, '--name', 'dns-tap', '--task', 'dns'],
    cliEnv(ns),
  );
  const subject = `sluice.directive.${ns}.dns-tap`;
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await sub.waitFor('stderr', /creating Directive dns-tap /);
  const directive = await eventually('the Directive', () => adminClient().get(DirectiveKind, ns, 'dns-tap'));
  t.deepEqual(specOf(directive).tasks, [
    { task: 'dns' },
    { task: 'publish', config: { type: 'nats', subject } },
  ]);
  t.deepEqual(specOf(directive).streams, [], 'no Stream without a store');
  await reconcileDirective(ns, 'dns-tap');
  await sub.waitFor('stderr', new RegExp(`reading subject ${subject.replace(/\./g, '\\.')} on nats://`));
  t.is(await adminClient().get(TawonStreamKind, ns, 'dns-tap'), undefined, 'nothing else was created');

  nc.publish(subject, new TextEncoder().encode('query coredns'));
  nc.publish(subject, new TextEncoder().encode('answer 10.0.0.1'));
  await sub.waitFor('stdout', /#2 \S+ answer 10\.0\.0\.1/);
  t.regex(sub.stdout(), /#1 \S+ query coredns\n/);

  sub.child.kill('SIGINT');
  t.true(await gone(DirectiveKind, ns, 'dns-tap'));
  t.is((await sub.exited).code, 0, sub.stderr());
  t.regex(sub.stderr(), /SIGINT: deleting Directive dns-tap\n/);
  t.regex(sub.stderr(), /deleted Directive dns-tap/);
});

test('k8s directive (run) takes --subject and --nats-url without SLUICE_NATS_URL, and SIGTERM deletes the Directive', async (t) => {
  const ns = await cliNamespace(t, 'k8sflags');
  const nc = await natsClient(t);
  const env = cliEnv(ns, { SLUICE_NATS_URL: undefined });
  const run = startCli(
    t,
    [
      'k8s',
      'directive',
      '-n',
      ns,
      '--name',
      'flags',
      '--subject',
      'capture.here',
      '--nats-url',
      testEnv().natsUrl,
      '-o',
      'json',
    ],
    env,
  );
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await run.waitFor('stderr', /creating Directive flags /);
  await eventually('the Directive', () => adminClient().get(DirectiveKind, ns, 'flags'));
  await reconcileDirective(ns, 'flags');
  await run.waitFor('stderr', /reading subject capture\.here on nats:\/\//);
  t.like(JSON.parse(run.stdout().split('\n]\n')[0] + '\n]'), [
    { directive: 'flags', subject: 'capture.here' },
  ]);
  nc.publish('capture.here', new TextEncoder().encode('hello'));
  await run.waitFor('stdout', /"data":"hello"/);
  run.child.kill('SIGTERM');
  t.true(await gone(DirectiveKind, ns, 'flags'));
  t.is((await run.exited).code, 0, run.stderr());
});

test('k8s directive without a store or a NATS server fails before creating anything, and limits need a store', async (t) => {
  const ns = await cliNamespace(t, 'k8snourl');
  const none = await runCli(
    t,
    ['k8s', 'directive', 'sub', '-n', ns, '--name', 'x'],
    cliEnv(ns, { SLUICE_NATS_URL: undefined }),
  );
  t.is(none.code, 1);
  t.regex(none.stderr, /give --nats-url nats:\/\/HOST:4222 or set SLUICE_NATS_URL/);
  const limits = await runCli(
    t,
    ['k8s', 'directive', 'sub', '-n', ns, '--name', 'x', '--maxage', '1h'],
    cliEnv(ns),
  );
  t.is(limits.code, 1);
  t.regex(limits.stderr, /give --stream-store STORE with them/);
  t.deepEqual(await adminClient().listAll(DirectiveKind, ns), []);
});

test('k8s directive dump --stream-store writes the Stream as pcap, and SIGINT deletes the Directive and the Stream it made', async (t) => {
  const ns = await cliNamespace(t, 'k8sdump');
  const file = path.join(tempDir(t), 'capture.pcap');
  const kube = adminClient();
  const dump = startCli(
    t,
    ['k8s', 'directive', 'dump', '-n', ns, '--stream-store', STORE, '--name', 'tap', '-o', file],
    cliEnv(ns),
  );
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await dump.waitFor('stderr', /creating Directive tap /);
  const directive = await eventually('the Directive', () => kube.get(DirectiveKind, ns, 'tap'));
  t.deepEqual(specOf(directive).streams, [{ name: 'tap', store: STORE, retentionPolicy: 'Delete' }]);
  await reconcileDirective(ns, 'tap');
  await reconcileStream(ns, 'tap');
  await reconcileDirective(ns, 'tap');
  await dump.waitFor('stderr', /reading Stream tap; Ctrl-C to delete it and exit/);

  const packets = [0, 1].map((i) => ({
    tsSec: 1_700_000_000 + i,
    tsUsec: i,
    data: Uint8Array.from({ length: 60 }, (_, j) => (i + j) & 0xff),
  }));
  await publish(ns, 'tap', ...packets.map(recordMessage));
  const expected = GLOBAL_HEADER_BYTES + packets.length * (RECORD_HEADER_BYTES + 60);
  await eventually('both packets in the file', () =>
    Promise.resolve(readFileSync(file, { flag: 'a+' }).length === expected),
  );

  dump.child.kill('SIGINT');
  await eventually(
    'the CLI to delete the Stream',
    async () => (await kube.get(TawonStreamKind, ns, 'tap'))?.metadata.deletionTimestamp !== undefined,
  );
  await reconcileOnce(ns, 'tap');
  t.true(await gone(DirectiveKind, ns, 'tap'));
  t.true(await gone(TawonStreamKind, ns, 'tap'));
  t.is((await dump.exited).code, 0, dump.stderr());
  t.is(await serverStream(`${ns}_tap`), undefined, 'and its JetStream stream');
  t.regex(dump.stderr(), /wrote 2 messages to .*capture\.pcap \(pcap, 2 packets/);
  const bytes = readFileSync(file);
  t.is(bytes.toString('hex', 0, 4), 'd4c3b2a1');
  t.is(bytes.length, expected);
});

test('k8s directive wireshark pipes what the Directive publishes on plain NATS into wireshark -k -i -', async (t) => {
  const ns = await cliNamespace(t, 'k8sshark');
  const nc = await natsClient(t);
  const bin = tempDir(t);
  writeFileSync(
    path.join(bin, 'wireshark'),
    '#!/bin/sh\ndir=$(dirname "$0")\necho "$@" > "$dir/args"\ncat > "$dir/capture.pcap"\n',
  );
  chmodSync(path.join(bin, 'wireshark'), 0o755);
  const env = cliEnv(ns, { PATH: `${bin}${path.delimiter}${environment().PATH ?? ''}` });
  const shark = startCli(t, ['k8s', 'directive', 'wireshark', '-n', ns, '--name', 'shark'], env);
  // The CLI says when it creates the Directive; its start can be slow on a loaded machine.
  await shark.waitFor('stderr', /creating Directive shark /);
  await eventually('the Directive', () => adminClient().get(DirectiveKind, ns, 'shark'));
  await reconcileDirective(ns, 'shark');
  await shark.waitFor('stderr', /reading subject sluice\.directive\.\S+\.shark on nats:\/\//);
  const packet = { tsSec: 1_700_000_000, tsUsec: 5, data: Uint8Array.from({ length: 60 }, (_, j) => j) };
  nc.publish(`sluice.directive.${ns}.shark`, recordMessage(packet));
  const capture = path.join(bin, 'capture.pcap');
  const expected = GLOBAL_HEADER_BYTES + RECORD_HEADER_BYTES + 60;
  await eventually('the packet in the fake wireshark', () =>
    Promise.resolve(existsSync(capture) && readFileSync(capture).length === expected),
  );
  shark.child.kill('SIGINT');
  t.true(await gone(DirectiveKind, ns, 'shark'));
  t.is((await shark.exited).code, 0, shark.stderr());
  t.is(readFileSync(path.join(bin, 'args'), 'utf8').trim(), '-k -i -');
  t.is(
    readFileSync(capture)
      .subarray(GLOBAL_HEADER_BYTES + RECORD_HEADER_BYTES)
      .toString('hex'),
    Buffer.from(packet.data).toString('hex'),
  );
});
