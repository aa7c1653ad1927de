/**
 * StreamBusCluster against the real API server, controller-manager, scheduler and kwok: the seed's
 * minimal cluster reaches Running, scales, rolls a new image, refuses a storage change, is
 * garbage-collected, and honours the security and multi-tenancy examples. No worker runs here: the
 * tests call the worker host's per-object logic repeatedly, as requeues would.
 */
import test, { type ExecutionContext } from 'ava';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import {
  Builtin,
  TerminalError,
  findCondition,
  isRecord,
  type KubeObject,
  type ResourceType,
} from '../../../runtime/index.js';
import { StreamBusClusterKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { eventually, useNamespace } from '../../helpers/kube.js';
import {
  createCluster,
  ensureStandardStorageClass,
  phaseOf,
  readCluster,
  reconcileUntil,
  seedCluster,
  type SeedExample,
} from '../../fixtures/streambus/fixtures.js';
import { at } from './build.js';

const running = (replicas: number) => (obj: KubeObject) =>
  phaseOf(obj) === 'Running' && at(obj, 'status', 'readyReplicas') === replicas;

async function start(t: ExecutionContext, label: string, example: SeedExample, name?: string) {
  const { namespace } = isolation(`sbc-${label}`);
  await Promise.all([installCrds(), ensureStandardStorageClass()]);
  await useNamespace(t, namespace);
  return { namespace, ...(await createCluster(seedCluster(example, namespace, name))) };
}

async function patchSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await adminClient().patch(StreamBusClusterKind, namespace, name, { spec });
}

async function pods(namespace: string, instance: string): Promise<KubeObject[]> {
  return adminClient().listAll(Builtin.Pod, namespace, {
    labelSelector: `app.kubernetes.io/name=streambus-broker,app.kubernetes.io/instance=${instance}`,
  });
}

/** The resourceVersions of the cluster and of every object it creates. */
async function versions(namespace: string, name: string): Promise<Record<string, string | undefined>> {
  const kube = adminClient();
  const read = (type: ResourceType, n: string) =>
    kube.get(type, namespace, n).then((o) => o?.metadata.resourceVersion);
  return {
    cluster: await read(StreamBusClusterKind, name),
    configMap: await read(Builtin.ConfigMap, `${name}-config`),
    headless: await read(Builtin.Service, `${name}-headless`),
    client: await read(Builtin.Service, name),
    pdb: await read(Builtin.PodDisruptionBudget, name),
    sts: await read(Builtin.StatefulSet, name),
  };
}

test('the seed minimal cluster reaches Running with three ready brokers and the per-pod endpoints', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'minimal', 'architecture');
  const { obj, phases } = await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  t.log(`phases: ${phases.join(' → ')}`);
  t.deepEqual(at(obj, 'status', 'endpoints'), [
    `my-cluster-0.my-cluster-headless.${namespace}.svc:9092`,
    `my-cluster-1.my-cluster-headless.${namespace}.svc:9092`,
    `my-cluster-2.my-cluster-headless.${namespace}.svc:9092`,
  ]);
  t.like(obj.status, { replicas: 3, readyReplicas: 3, observedGeneration: obj.metadata.generation });
  t.like(findCondition(obj.status, 'Ready'), { status: 'True', reason: 'ClusterReady' });
  t.like(findCondition(obj.status, 'Progressing'), { status: 'False' });
  t.like(findCondition(obj.status, 'Degraded'), { status: 'False' });
  t.is(phases[phases.length - 1], 'Running');
  t.true(
    ctx.recorded.some((e) => e.reason === 'Running'),
    'an Event marks the phase change',
  );

  const kube = adminClient();
  for (const [type, name] of [
    [Builtin.ConfigMap, 'my-cluster-config'],
    [Builtin.Service, 'my-cluster-headless'],
    [Builtin.Service, 'my-cluster'],
    [Builtin.PodDisruptionBudget, 'my-cluster'],
    [Builtin.StatefulSet, 'my-cluster'],
  ] as [ResourceType, string][]) {
    const child = await kube.get(type, namespace, name);
    t.is(child?.metadata.ownerReferences?.[0]?.uid, obj.metadata.uid, `${type.kind} ${name} is owned`);
  }
  const claims = await kube.listAll(Builtin.PersistentVolumeClaim, namespace);
  t.deepEqual(claims.map((c) => c.metadata.name).sort(), [
    'data-my-cluster-0',
    'data-my-cluster-1',
    'data-my-cluster-2',
    'raft-data-my-cluster-0',
    'raft-data-my-cluster-1',
    'raft-data-my-cluster-2',
  ]);
  t.true(claims.every((c) => at(c, 'spec', 'storageClassName') === 'standard'));
  const brokerPods = await pods(namespace, 'my-cluster');
  t.true(brokerPods.every((p) => at(p, 'spec', 'containers', 0, 'image') === 'streambus/broker:v0.6.0'));

  await eventually('the disruption controller to count three healthy brokers', async () => {
    const pdb = await adminClient().get(Builtin.PodDisruptionBudget, namespace, ref.name);
    return at(pdb, 'status', 'currentHealthy') === 3;
  });
  const before = await versions(namespace, ref.name);
  for (let i = 0; i < 3; i++) {
    const result = await reconcileObject(streamBusClusterFunction, ref, ctx);
    t.deepEqual(
      result,
      { kind: 'reconciled', result: { requeueAfterMs: null } },
      'Running waits for a change',
    );
  }
  t.deepEqual(await versions(namespace, ref.name), before, 'a converged reconcile writes nothing');
});

test('scaling from three to five brokers goes through Updating and reaches Running with five endpoints', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'scale', 'architecture', 'scaled');
  await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  await patchSpec(namespace, 'scaled', { replicas: 5 });
  const { obj, phases } = await reconcileUntil(ref, ctx, 'five brokers to run', running(5));
  t.log(`phases: ${phases.join(' → ')}`);
  t.true(phases.includes('Updating'), `phases: ${phases.join(' → ')}`);
  t.is((at(obj, 'status', 'endpoints') as unknown[]).length, 5);
  t.is(at(await adminClient().get(Builtin.StatefulSet, namespace, 'scaled'), 'spec', 'replicas'), 5);
  const config = await adminClient().get(Builtin.ConfigMap, namespace, 'scaled-config');
  t.true(
    String(at(config, 'data', 'broker.yaml')).includes(
      `"5:scaled-4.scaled-headless.${namespace}.svc.cluster.local:7000"`,
    ),
  );
});

test('an image change rolls the brokers through Updating back to Running on the new image', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'image', 'architecture', 'rolled');
  await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  await patchSpec(namespace, 'rolled', seedCluster('upgrade', namespace).spec as Record<string, unknown>);
  const { phases } = await reconcileUntil(ref, ctx, 'the new image to run', running(3), 150_000);
  t.log(`phases: ${phases.join(' → ')}`);
  t.true(phases.includes('Updating'), `phases: ${phases.join(' → ')}`);
  const sts = await adminClient().get(Builtin.StatefulSet, namespace, 'rolled');
  t.is(at(sts, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'streambus/broker:v0.7.0');
  t.is(at(sts, 'status', 'currentRevision'), at(sts, 'status', 'updateRevision'));
  const brokerPods = await pods(namespace, 'rolled');
  t.is(brokerPods.length, 3);
  t.true(brokerPods.every((p) => at(p, 'spec', 'containers', 0, 'image') === 'streambus/broker:v0.7.0'));
});

test('a storage size change gives phase Failed with a clear condition and leaves the StatefulSet alone', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'storage', 'architecture', 'fixed');
  await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  const stsBefore = await adminClient().get(Builtin.StatefulSet, namespace, 'fixed');
  await patchSpec(namespace, 'fixed', { storage: { size: '20Gi' } });
  const err = await t.throwsAsync(reconcileObject(streamBusClusterFunction, ref, ctx));
  t.true(err instanceof TerminalError);
  const failed = await readCluster(ref);
  t.is(phaseOf(failed), 'Failed');
  const ready = findCondition(failed.status, 'Ready');
  t.like(ready, {
    status: 'False',
    reason: 'StorageImmutable',
    observedGeneration: failed.metadata.generation,
  });
  t.regex(ready?.message ?? '', /claim template data: size 10Gi → 20Gi/);
  t.like(findCondition(failed.status, 'Degraded'), { status: 'True', reason: 'StorageImmutable' });
  const stsAfter = await adminClient().get(Builtin.StatefulSet, namespace, 'fixed');
  t.is(
    stsAfter?.metadata.resourceVersion,
    stsBefore?.metadata.resourceVersion,
    'the StatefulSet was not touched',
  );
  t.true(ctx.recorded.some((e) => e.type === 'Warning' && e.reason === 'Failed'));

  await patchSpec(namespace, 'fixed', { storage: { size: '10Gi' } });
  await reconcileUntil(ref, ctx, 'the reverted cluster to run again', running(3));
  t.pass();
});

test('deleting the cluster garbage-collects its children', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'gc', 'architecture', 'doomed');
  await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  await adminClient().delete(StreamBusClusterKind, namespace, 'doomed');
  const kube = adminClient();
  await eventually(
    'the children to be garbage-collected',
    async () => {
      const left = await Promise.all([
        kube.get(Builtin.StatefulSet, namespace, 'doomed'),
        kube.get(Builtin.ConfigMap, namespace, 'doomed-config'),
        kube.get(Builtin.Service, namespace, 'doomed'),
        kube.get(Builtin.Service, namespace, 'doomed-headless'),
        kube.get(Builtin.PodDisruptionBudget, namespace, 'doomed'),
      ]);
      return left.every((o) => o === undefined);
    },
    90_000,
  );
  t.deepEqual(await reconcileObject(streamBusClusterFunction, ref, ctx), { kind: 'gone' });
});

test('the seed security example waits for its Secrets, then mounts them read-only into every broker', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'security', 'security');
  const { obj } = await reconcileUntil(ref, ctx, 'the brokers to run', running(3));
  t.like(findCondition(obj.status, 'Ready'), { status: 'False', reason: 'SecretNotFound' });
  t.regex(findCondition(obj.status, 'Ready')?.message ?? '', /streambus-tls-certs.*streambus-ca-cert/);
  t.like(findCondition(obj.status, 'Degraded'), { status: 'True', reason: 'SecretNotFound' });

  const kube = adminClient();
  const pem = Buffer.from('not a real certificate').toString('base64');
  await kube.create(Builtin.Secret, {
    metadata: { name: 'streambus-tls-certs', namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': pem, 'tls.key': pem },
  });
  await kube.create(Builtin.Secret, {
    metadata: { name: 'streambus-ca-cert', namespace },
    data: { 'ca.crt': pem },
  });
  await reconcileUntil(
    ref,
    ctx,
    'Ready once the Secrets exist',
    (o) => findCondition(o.status, 'Ready')?.status === 'True',
  );
  for (const pod of await pods(namespace, 'secure-cluster')) {
    const volumes = at(pod, 'spec', 'volumes') as unknown[];
    t.true(volumes.some((v) => at(v, 'secret', 'secretName') === 'streambus-tls-certs'));
    t.true(volumes.some((v) => at(v, 'secret', 'secretName') === 'streambus-ca-cert'));
    const mounts = at(pod, 'spec', 'containers', 0, 'volumeMounts') as unknown[];
    t.like(
      mounts.find((m) => at(m, 'name') === 'tls'),
      { mountPath: '/etc/streambus/tls', readOnly: true },
    );
    t.like(
      mounts.find((m) => at(m, 'name') === 'ca'),
      { mountPath: '/etc/streambus/ca', readOnly: true },
    );
  }
  const config = String(
    at(await kube.get(Builtin.ConfigMap, namespace, 'secure-cluster-config'), 'data', 'broker.yaml'),
  );
  t.true(config.includes('client_auth_required: true'));
  t.true(config.includes('default_policy: "deny"'));
});

test('the seed multi-tenancy example gets a NetworkPolicy, which goes when isolation is switched off', async (t) => {
  const { namespace, ref, ctx } = await start(t, 'tenancy', 'multi-tenancy');
  await reconcileUntil(ref, ctx, 'the cluster to run', running(3));
  const kube = adminClient();
  const np = await kube.get(Builtin.NetworkPolicy, namespace, 'multi-tenant-cluster');
  t.is(np?.metadata.ownerReferences?.[0]?.kind, 'StreamBusCluster');
  const config = String(
    at(await kube.get(Builtin.ConfigMap, namespace, 'multi-tenant-cluster-config'), 'data', 'broker.yaml'),
  );
  t.true(config.includes('id: "premium-tenant"'));
  await patchSpec(namespace, 'multi-tenant-cluster', {
    multiTenancy: { isolation: { networkPolicies: false } },
  });
  await reconcileUntil(ref, ctx, 'the cluster to run again', running(3), 150_000);
  t.is(await kube.get(Builtin.NetworkPolicy, namespace, 'multi-tenant-cluster'), undefined);
});

test('an invalid spec gives phase Failed with reason InvalidSpec', async (t) => {
  const { namespace } = isolation('sbc-invalid');
  await installCrds();
  await useNamespace(t, namespace);
  const manifest = seedCluster('security', namespace, 'broken');
  const spec = manifest.spec as Record<string, unknown>;
  const { ref, ctx } = await createCluster({
    ...manifest,
    spec: { ...spec, security: { tls: { enabled: true } } },
  });
  const err = await t.throwsAsync(reconcileObject(streamBusClusterFunction, ref, ctx));
  t.true(err instanceof TerminalError);
  const obj = await readCluster(ref);
  t.is(phaseOf(obj), 'Failed');
  t.like(findCondition(obj.status, 'Ready'), { status: 'False', reason: 'InvalidSpec' });
  t.true(isRecord(obj.status) && obj.status.observedGeneration === obj.metadata.generation);
  t.is(await adminClient().get(Builtin.StatefulSet, namespace, 'broken'), undefined, 'nothing was created');
});
