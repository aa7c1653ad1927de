/**
 * Leader election between dispatcher processes: one leads; when it is killed (no chance to release
 * the Lease), a standby takes over within 20 s and every object is reconciled.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { environment } from '../../runtime/index.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';

test.before(async () => {
  await installTestCrds();
});

test('a standby dispatcher takes over within 20 s of the leader being killed, and nothing is left unreconciled', async (t) => {
  t.timeout(120_000);
  const iso = isolation('leader');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker({ concurrency: 10 });
  const env = testEnv();
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'widget-dispatcher.js');
  const leading = new Map<ChildProcess, boolean>();
  const start = (identity: string): ChildProcess => {
    const opts = {
      redisUrl: env.redisUrl,
      prefix: rig.prefix,
      kubeconfig: env.kubeconfig,
      namespace: iso.namespace,
      leaseName: 'widgets',
      identity,
    };
    const child = spawn(process.execPath, [script, JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...environment() },
    });
    leading.set(child, false);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('leading')) leading.set(child, true);
    });
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return child;
  };
  const startedAt = Date.now();
  const a = start('dispatcher-a');
  const b = start('dispatcher-b');
  const first = await createWidgets(iso.namespace, 5, 'before');
  const leader = await eventually(
    'one dispatcher to lead',
    () => Promise.resolve([...leading.entries()].find(([, l]) => l)?.[0]),
    30_000,
  );
  t.log(`a dispatcher led ${((Date.now() - startedAt) / 1000).toFixed(1)} s after both were spawned`);
  await eventually(
    'the first objects to be reconciled',
    async () => (await Promise.all(first.map((r) => rig.probe.runs(keyOf(r))))).every((n) => n >= 1),
    30_000,
  );
  const standby = leader === a ? b : a;
  t.false(leading.get(standby), 'only one dispatcher leads at a time');
  leader.kill('SIGKILL');
  const killedAt = Date.now();
  const after = await createWidgets(iso.namespace, 5, 'after');
  await eventually('the standby to lead', () => Promise.resolve(leading.get(standby)), 30_000);
  const takeover = (Date.now() - killedAt) / 1000;
  t.log(`standby led ${takeover.toFixed(1)} s after the leader was killed`);
  t.true(takeover < 20);
  await eventually(
    'the objects created after the kill to be reconciled',
    async () => (await Promise.all(after.map((r) => rig.probe.runs(keyOf(r))))).every((n) => n >= 1),
    30_000,
  );
});
