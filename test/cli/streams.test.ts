/**
 * `sluice streams ls | sub | rm` run as a child process against the real API server and NATS:
 * the listing with limits and counts, reading new or all messages, Ctrl-C, deletion, and the
 * errors a user meets (unknown Stream, unreachable store, no kubeconfig).
 */
import test from 'ava';
import { isRecord } from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { closeHarness, serverStream, verifierJsm } from '../functions/tawon-stream/harness.js';
import { applyExample } from '../fixtures/tawon/fixtures.js';
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
  tempDir,
} from './harness.js';

test.after.always(closeHarness);

test('ls shows the seed Stream with its store, the limits in force and the live message count', async (t) => {
  const ns = await cliNamespace(t, 'ls');
  const name = await applyExample('stream', ns);
  await reconcileStream(ns, name);
  await publish(ns, name, 'one', 'two', 'three');
  const env = cliEnv(ns);

  const table = await runCli(t, ['streams', 'ls', '-n', ns], env);
  t.is(table.code, 0, table.stderr);
  const [header, row, ...rest] = table.stdout.trim().split('\n');
  t.deepEqual(header?.split(/\s+/), [
    'NAME',
    'STORE',
    'READY',
    'MAXMSGS',
    'MAXAGE',
    'MAXBYTES',
    'MESSAGES',
    'BYTES',
    'COUNTS',
  ]);
  const cells = row?.split(/\s+/) ?? [];
  t.deepEqual(cells.slice(0, 7), ['mystream', STORE, 'True', '100000', '6h', '1G', '3']);
  t.is(cells[8], 'jetstream', 'the count came live from JetStream');
  t.deepEqual(rest, []);

  const json = await runCli(t, ['streams', 'ls', '-n', ns, '-o', 'json'], env);
  t.is(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
  t.is(rows.length, 1);
  t.like(rows[0], {
    namespace: ns,
    name: 'mystream',
    store: STORE,
    ready: 'True',
    maxmsgs: 100000,
    maxage: '6h',
    maxbytes: '1G',
    messages: 3,
    counts: 'jetstream',
    subject: `tawon.${ns}.mystream`,
  });

  const fromStatus = await runCli(t, ['streams', 'ls', '-n', ns, '-o', 'json', '--no-live'], env);
  const statusRows = JSON.parse(fromStatus.stdout) as Record<string, unknown>[];
  t.like(
    statusRows[0],
    { messages: 0, counts: 'status' },
    'the status still holds the count of the last reconcile',
  );
});

test('ls -A lists the Streams of every namespace, with their namespace', async (t) => {
  const ns = await cliNamespace(t, 'lsall');
  await readyStream(ns, 'everywhere');
  const all = await runCli(t, ['streams', 'ls', '-A', '-o', 'json', '--no-live'], cliEnv(ns));
  t.is(all.code, 0, all.stderr);
  const rows = JSON.parse(all.stdout) as Record<string, unknown>[];
  t.true(rows.some((r) => r.namespace === ns && r.name === 'everywhere'));
  const table = await runCli(t, ['streams', 'ls', '-A', '--no-live'], cliEnv(ns));
  t.regex(table.stdout, /^NAMESPACE\s+NAME\s+STORE/);
  t.regex(table.stdout, new RegExp(`${ns}\\s+everywhere\\s+${STORE}\\s+True`));
});

test('ls takes the counts from the status when the store is unreachable, and names the endpoint', async (t) => {
  const ns = await cliNamespace(t, 'lsdown');
  await readyStream(ns, 'quiet');
  await publish(ns, 'quiet', 'x');
  const out = await runCli(
    t,
    ['streams', 'ls', '-n', ns, '-o', 'json'],
    cliEnv(ns, { SLUICE_ENDPOINT_OVERRIDES: '' }),
  );
  t.is(out.code, 0, out.stderr);
  const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
  t.like(rows[0], { name: 'quiet', messages: 0, counts: 'status' });
  t.true(out.stderr.includes(`nats://${STORE}.${ns}.svc:4222`), out.stderr);
  t.true(out.stderr.includes('SLUICE_ENDPOINT_OVERRIDES'), out.stderr);
});

test('sub without --all prints only the messages published after it started, and Ctrl-C ends it cleanly', async (t) => {
  const ns = await cliNamespace(t, 'subnew');
  await readyStream(ns, 'events');
  await publish(ns, 'events', 'before-start');
  const sub = startCli(t, ['streams', 'sub', 'events', '-n', ns], cliEnv(ns));
  await sub.waitFor('stderr', /waiting for new messages/);
  await publish(ns, 'events', 'after-1', 'after-2');
  await sub.waitFor('stdout', /after-2/);
  sub.child.kill('SIGINT');
  const { code } = await sub.exited;
  t.is(code, 0, sub.stderr());
  const lines = sub.stdout().trim().split('\n');
  t.is(lines.length, 2);
  t.regex(lines[0] ?? '', /^#2 \S+ after-1$/);
  t.regex(lines[1] ?? '', /^#3 \S+ after-2$/);
  t.false(sub.stdout().includes('before-start'));
});

test('sub --all prints every message from the first, then new ones, as JSON lines', async (t) => {
  const ns = await cliNamespace(t, 'suball');
  await readyStream(ns, 'history');
  const binary = Uint8Array.from([0, 1, 2, 255]);
  await publish(ns, 'history', 'first', binary);
  const sub = startCli(t, ['streams', 'sub', 'history', '-n', ns, '--all', '-o', 'json'], cliEnv(ns));
  await sub.waitFor('stdout', /"seq":2/);
  await publish(ns, 'history', 'third');
  await sub.waitFor('stdout', /"seq":3/);
  sub.child.kill('SIGTERM');
  t.is((await sub.exited).code, 0, sub.stderr());
  const msgs = sub
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    msgs.map((m) => [m.seq, m.encoding, m.data, m.subject]),
    [
      [1, 'utf8', 'first', `tawon.${ns}.history`],
      [2, 'base64', Buffer.from(binary).toString('base64'), `tawon.${ns}.history`],
      [3, 'utf8', 'third', `tawon.${ns}.history`],
    ],
  );
  t.true(msgs.every((m) => typeof m.time === 'string' && !Number.isNaN(Date.parse(m.time))));
});

test('sub ends with an error saying so when the JetStream stream is deleted under it', async (t) => {
  const ns = await cliNamespace(t, 'subgone');
  await readyStream(ns, 'vanishing');
  const sub = startCli(t, ['streams', 'sub', 'vanishing', '-n', ns], cliEnv(ns));
  await sub.waitFor('stderr', /waiting for new messages/);
  await (await verifierJsm()).streams.delete(`${ns}_vanishing`);
  t.is((await sub.exited).code, 1);
  t.regex(sub.stderr(), new RegExp(`JetStream stream ${ns}_vanishing was deleted while it was being read`));
});

test('rm deletes the Stream object, and the finalizer then deletes the JetStream stream', async (t) => {
  const ns = await cliNamespace(t, 'rm');
  await readyStream(ns, 'doomed');
  const out = await runCli(t, ['streams', 'rm', 'doomed', '-n', ns], cliEnv(ns));
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /stream\.tawon\.mantisnet\.com\/doomed deleted/);
  const obj = await adminClient().get(TawonStreamKind, ns, 'doomed');
  t.truthy(
    obj?.metadata.deletionTimestamp,
    'the Stream is being deleted (its finalizer waits for the operator)',
  );
  await reconcileOnce(ns, 'doomed');
  t.is(await adminClient().get(TawonStreamKind, ns, 'doomed'), undefined);
  t.is(await serverStream(`${ns}_doomed`), undefined);
});

test('an unknown Stream is an error naming the namespace looked in', async (t) => {
  const ns = await cliNamespace(t, 'unknown');
  for (const args of [
    ['sub', 'nope'],
    ['dump', 'nope', '--all', '-o', `${tempDir(t)}/x`],
    ['rm', 'nope'],
  ]) {
    const out = await runCli(t, ['streams', ...args, '-n', ns], cliEnv(ns));
    t.is(out.code, 1, args.join(' '));
    t.regex(out.stderr, new RegExp(`^sluice: Stream nope not found in namespace ${ns}`));
  }
});

test('sub names the unreachable endpoint of the store and the variable that overrides it', async (t) => {
  const ns = await cliNamespace(t, 'down');
  await readyStream(ns, 'far');
  const out = await runCli(
    t,
    ['streams', 'sub', 'far', '-n', ns],
    cliEnv(ns, { SLUICE_ENDPOINT_OVERRIDES: '' }),
  );
  t.is(out.code, 1);
  t.true(
    out.stderr.includes(
      `StreamStore ${STORE} in namespace ${ns} is unreachable at nats://${STORE}.${ns}.svc:4222`,
    ),
  );
  t.true(out.stderr.includes(`SLUICE_ENDPOINT_OVERRIDES=${STORE}.${ns}.svc:4222=`));
});

test('without a kubeconfig the commands say so', async (t) => {
  const home = tempDir(t);
  const out = await runCli(t, ['streams', 'ls'], cliEnv('none', { KUBECONFIG: undefined, HOME: home }));
  t.is(out.code, 1);
  t.regex(out.stderr, /^sluice: no kubeconfig: set KUBECONFIG/);
  const missing = await runCli(t, ['streams', 'ls'], cliEnv('none', { KUBECONFIG: `${home}/absent` }));
  t.is(missing.code, 1);
  t.true(missing.stderr.includes(`KUBECONFIG names ${home}/absent, which does not exist`));
});

test('ls of a namespace without Streams prints an empty table, and [] as JSON', async (t) => {
  const ns = await cliNamespace(t, 'empty');
  const table = await runCli(t, ['streams', 'ls', '-n', ns], cliEnv(ns));
  t.is(table.stdout, '(none)\n');
  const json = await runCli(t, ['streams', 'ls', '-n', ns, '-o', 'json'], cliEnv(ns));
  const parsed: unknown = JSON.parse(json.stdout);
  t.true(Array.isArray(parsed) && parsed.length === 0);
  t.false(isRecord(parsed));
});
