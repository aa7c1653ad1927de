/**
 * @module test/examples/configmap-mirror
 * The example function outside the built-in six (`examples/configmap-mirror`), run the way its
 * README says, as a module loaded by path: one `sluice dispatcher --no-builtins --functions ...`
 * and two `sluice worker` processes, against the real API server and Redis. Its objects converge
 * over both workers, its typed need comes from the module's own `provide` (MIRROR_LABEL), a
 * ConfigMap change reaches the Secret through the declared watch, and a reconcile triggered over
 * HTTP runs.
 */
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Builtin, findCondition, type KubeObject } from '../../runtime/index.js';
import { repoRoot } from '../env/paths.js';
import { startCli, type CliProcess } from '../cli/harness.js';
import { adminClient } from '../helpers/context.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually, kubectl, useNamespace } from '../helpers/kube.js';
import { environment } from '../../runtime/index.js';
import { ConfigMapMirrorKind } from '../../examples/configmap-mirror/index.js';

const MODULE = path.join(repoRoot, 'dist', 'examples', 'configmap-mirror', 'index.js');
const TOKEN = 'example-token-0123456789';

test.before(async () => {
  await kubectl([
    'apply',
    '--server-side',
    '-f',
    path.join(repoRoot, 'examples', 'configmap-mirror', 'crd.yaml'),
  ]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/configmapmirrors.examples.sluice.io',
  ]);
});

/** The port a process logged with `msg` (`"port":N`). */
async function loggedPort(p: CliProcess, msg: string): Promise<number> {
  await p.waitFor('stdout', new RegExp(`"port":\\d+[^\\n]*"msg":"${msg}"`), 60_000);
  const line = p
    .stdout()
    .split('\n')
    .find((l) => l.includes(`"msg":"${msg}"`));
  return Number(/"port":(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

async function successes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('sluice_reconcile_total{') &&
        l.includes('kind="ConfigMapMirror"') &&
        l.includes('result="success"'),
    );
  return Number(line?.split(' ').pop() ?? 0);
}

function start(t: ExecutionContext, ns: string, prefix: string, args: string[]): CliProcess {
  const env = testEnv();
  return startCli(t, args, {
    ...environment(),
    KUBECONFIG: env.kubeconfig,
    SLUICE_REDIS_URL: env.redisUrl,
    SLUICE_QUEUE_PREFIX: prefix,
    SLUICE_NAMESPACE: ns,
    SLUICE_WATCH_NAMESPACE: ns,
    SLUICE_API_TOKEN: TOKEN,
    SLUICE_LOG_LEVEL: 'info',
    MIRROR_LABEL: 'example=mirrored',
  });
}

test('a function module loaded by path scales out over two workers, takes its needs from its own provide, and is triggered over HTTP', async (t) => {
  t.timeout(180_000);
  const iso = isolation('example-mirror');
  const ns = await useNamespace(t, iso.namespace);
  const kube = adminClient();
  await kube.create(Builtin.ConfigMap, {
    metadata: { name: 'settings', namespace: ns },
    data: { a: '1', b: '2' },
  });

  const dispatcher = start(t, ns, iso.queuePrefix, [
    'dispatcher',
    '--no-builtins',
    '--no-leader-election',
    '--http-port',
    '0',
    '--functions',
    MODULE,
  ]);
  const workerArgs = [
    'worker',
    '--no-builtins',
    '--functions',
    MODULE,
    '--kinds',
    'configmapmirrors.examples.sluice.io',
    '--concurrency',
    '1',
    '--http-port',
    '0',
  ];
  const workers = [start(t, ns, iso.queuePrefix, workerArgs), start(t, ns, iso.queuePrefix, workerArgs)];
  const apiPort = await loggedPort(dispatcher, 'dispatcher started');
  const metricsPorts = await Promise.all(workers.map((w) => loggedPort(w, 'workers started')));

  const names = Array.from({ length: 12 }, (_, i) => `m-${i}`);
  for (const name of names)
    await kube.create(ConfigMapMirrorKind, {
      metadata: { name, namespace: ns },
      spec: { source: 'settings' },
    });
  await eventually(
    'every mirror to be Ready',
    async () => {
      const all = await Promise.all(names.map((n) => kube.get(ConfigMapMirrorKind, ns, n)));
      return all.every((m) => findCondition(m?.status, 'Ready')?.status === 'True');
    },
    90_000,
  );
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(Builtin.Secret, ns, 'm-0');
  t.deepEqual(secret?.data, {
    a: Buffer.from('1').toString('base64'),
    b: Buffer.from('2').toString('base64'),
  });
  t.is(
    secret?.metadata.labels?.example,
    'mirrored',
    "the label comes from the module's own need (MIRROR_LABEL)",
  );
  const perWorker = await Promise.all(metricsPorts.map(successes));
  t.log(`reconciles per worker: ${perWorker.join(', ')}`);
  t.true(
    perWorker.every((n) => n > 0),
    'both worker processes reconciled mirrors',
  );

  // The declared watch: a change of the ConfigMap reaches every Secret.
  await kube.patch(Builtin.ConfigMap, ns, 'settings', { data: { a: '10', b: '2' } });
  await eventually('the change to reach the Secret', async () => {
    const s = (await kube.get(Builtin.Secret, ns, 'm-5')) as { data?: Record<string, string> } | undefined;
    return s?.data?.a === Buffer.from('10').toString('base64');
  });

  // A reconcile asked for over HTTP runs on one of the workers.
  const before = (await Promise.all(metricsPorts.map(successes))).reduce((a, b) => a + b, 0);
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/reconcile`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'examples.sluice.io/v1alpha1',
      kind: 'ConfigMapMirror',
      namespace: ns,
      name: 'm-3',
    }),
  });
  t.is(res.status, 202);
  const accepted: unknown = await res.json();
  t.truthy((accepted as { jobId?: string }).jobId);
  await eventually(
    'the HTTP-triggered reconcile to run',
    async () => (await Promise.all(metricsPorts.map(successes))).reduce((a, b) => a + b, 0) > before,
  );
});
