/**
 * The seed's high-availability example on the real scheduler: the kwok nodes get the
 * `workload: streaming` label the example's nodeSelector asks for (removed afterwards), and the
 * required anti-affinity on the hostname puts each broker on its own node.
 */
import test from 'ava';
import { Builtin, findCondition, type KubeObject } from '../../../runtime/index.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { kubectl, useNamespace } from '../../helpers/kube.js';
import {
  createCluster,
  ensureStandardStorageClass,
  phaseOf,
  reconcileUntil,
  seedCluster,
} from '../../fixtures/streambus/fixtures.js';
import { at } from './build.js';

async function kwokNodes(): Promise<string[]> {
  const nodes = await adminClient().listAll(
    { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
    undefined,
    { labelSelector: 'type=kwok' },
  );
  return nodes.map((n) => n.metadata.name ?? '').filter(Boolean);
}

test('the seed HA example spreads three brokers over three labelled nodes with its tolerations, labels and annotations', async (t) => {
  const { namespace } = isolation('sbc-ha');
  await Promise.all([installCrds(), ensureStandardStorageClass()]);
  await useNamespace(t, namespace);
  const nodes = await kwokNodes();
  t.true(nodes.length >= 3, 'the environment has three kwok nodes');
  await kubectl(['label', 'node', ...nodes, 'workload=streaming', '--overwrite']);
  t.teardown(() => kubectl(['label', 'node', ...nodes, 'workload-']).then(() => undefined));

  const { ref, ctx } = await createCluster(seedCluster('high-availability', namespace));
  await reconcileUntil(
    ref,
    ctx,
    'the HA cluster to run',
    (obj) => phaseOf(obj) === 'Running' && at(obj, 'status', 'readyReplicas') === 3,
  );
  const pods: KubeObject[] = await adminClient().listAll(Builtin.Pod, namespace, {
    labelSelector: 'app.kubernetes.io/name=streambus-broker',
  });
  t.is(pods.length, 3);
  const hosts = new Set(pods.map((p) => at(p, 'spec', 'nodeName')));
  t.is(hosts.size, 3, 'one broker per node');
  for (const pod of pods) {
    t.like(pod.metadata.labels, { environment: 'production', 'app.kubernetes.io/instance': 'ha-cluster' });
    t.like(pod.metadata.annotations, { 'prometheus.io/scrape': 'true' });
    t.deepEqual(at(pod, 'spec', 'nodeSelector'), { workload: 'streaming' });
    const tolerations = at(pod, 'spec', 'tolerations') as unknown[];
    t.true(
      tolerations.some(
        (x) =>
          at(x, 'key') === 'dedicated' && at(x, 'value') === 'streambus' && at(x, 'effect') === 'NoSchedule',
      ),
    );
    t.is(
      at(
        pod,
        'spec',
        'affinity',
        'podAntiAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        0,
        'topologyKey',
      ),
      'kubernetes.io/hostname',
    );
  }
});

test('without a node that matches the HA example nodeSelector, no broker starts and the cluster says Unschedulable with the scheduler words', async (t) => {
  const { namespace } = isolation('sbc-ha-nonode');
  await Promise.all([installCrds(), ensureStandardStorageClass()]);
  await useNamespace(t, namespace);
  const manifest = seedCluster('high-availability', namespace, 'nowhere');
  const spec = manifest.spec as Record<string, unknown>;
  const { ref, ctx } = await createCluster({
    ...manifest,
    spec: { ...spec, nodeSelector: { workload: 'no-such-node' } },
  });
  const { obj } = await reconcileUntil(
    ref,
    ctx,
    'the pods to exist and be reported unschedulable for the nodeSelector',
    // The scheduler's words: its first verdict on a pod may still be about claims that were not
    // bound yet (it is written before they bind and replaced when it retries the pod), so wait
    // for the verdict on the selector.
    (o) =>
      at(o, 'status', 'replicas') === 3 &&
      findCondition(o.status, 'Ready')?.reason === 'Unschedulable' &&
      /didn't match Pod's node affinity\/selector/.test(findCondition(o.status, 'Ready')?.message ?? ''),
  );
  t.is(phaseOf(obj), 'Creating');
  t.is(at(obj, 'status', 'readyReplicas'), 0);
  const message = findCondition(obj.status, 'Ready')?.message ?? '';
  t.regex(message, /^the scheduler cannot place broker pods? nowhere-\d.*: 0\/\d+ nodes are available/);
  t.regex(message, /didn't match Pod's node affinity\/selector/);
  t.regex(message, /spec\.nodeSelector asks for nodes labelled workload=no-such-node/);
  t.like(findCondition(obj.status, 'Degraded'), { status: 'True', reason: 'Unschedulable' });
});
