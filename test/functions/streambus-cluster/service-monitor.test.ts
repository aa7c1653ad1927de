/**
 * The ServiceMonitor of a StreamBusCluster, without and with the Prometheus Operator's CRD. The
 * tests install a minimal ServiceMonitor CRD themselves and remove it afterwards (only when they
 * installed it), so they run serially. Should another process have installed the CRD already, the
 * "absent" test cannot run and says so.
 */
import test from 'ava';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import { Builtin, findCondition, type KubeObject } from '../../../runtime/index.js';
import { StreamBusClusterKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { useNamespace } from '../../helpers/kube.js';
import {
  createCluster,
  ensureStandardStorageClass,
  installServiceMonitorCrd,
  phaseOf,
  reconcileUntil,
  removeServiceMonitorCrd,
  seedCluster,
  serviceMonitorCrdExists,
} from '../../fixtures/streambus/fixtures.js';
import { at } from './build.js';

let installedByUs = false;

test.before(async () => {
  await Promise.all([installCrds(), ensureStandardStorageClass()]);
});

test.after.always(async () => {
  if (installedByUs) await removeServiceMonitorCrd();
});

async function ensureCrd(): Promise<void> {
  if (await serviceMonitorCrdExists()) return;
  await installServiceMonitorCrd();
  installedByUs = true;
}

const runningWith3 = (obj: KubeObject): boolean =>
  phaseOf(obj) === 'Running' && at(obj, 'status', 'readyReplicas') === 3;

test.serial(
  'without the ServiceMonitor CRD the cluster reports ServiceMonitorCRDMissing, then creates the ServiceMonitor once the CRD appears',
  async (t) => {
    if (await serviceMonitorCrdExists()) {
      t.log('the ServiceMonitor CRD was installed by someone else; the absent case cannot be observed now');
      t.pass();
      return;
    }
    const { namespace } = isolation('sbc-sm-absent');
    await useNamespace(t, namespace);
    const { ref, ctx } = await createCluster(seedCluster('servicemonitor', namespace));
    const { obj } = await reconcileUntil(ref, ctx, 'the brokers to run', runningWith3);
    t.like(findCondition(obj.status, 'Ready'), { status: 'False', reason: 'ServiceMonitorCRDMissing' });
    t.like(findCondition(obj.status, 'Degraded'), { status: 'True', reason: 'ServiceMonitorCRDMissing' });
    t.regex(findCondition(obj.status, 'Ready')?.message ?? '', /monitoring\.coreos\.com\/v1/);
    const outcome = await reconcileObject(streamBusClusterFunction, ref, ctx);
    t.deepEqual(
      outcome,
      { kind: 'reconciled', result: { requeueAfterMs: 30_000 } },
      'it retries until the CRD appears',
    );
    t.is(
      ctx.recorded.filter((e) => e.reason === 'ServiceMonitorCRDMissing').length,
      1,
      'one Warning, not one per retry',
    );
    t.truthy(
      await adminClient().get(Builtin.StatefulSet, namespace, 'monitored-cluster'),
      'the brokers still run',
    );

    await ensureCrd();
    const { obj: after } = await reconcileUntil(
      ref,
      ctx,
      'Ready once the CRD exists',
      (o) => findCondition(o.status, 'Ready')?.status === 'True',
    );
    t.is(phaseOf(after), 'Running');
    const sm = await adminClient().get(Builtin.ServiceMonitor, namespace, 'monitored-cluster');
    t.is(sm?.metadata.ownerReferences?.[0]?.uid, after.metadata.uid);
  },
);

test.serial(
  'with the ServiceMonitor CRD, the seed observability example gets a ServiceMonitor that goes when switched off',
  async (t) => {
    await ensureCrd();
    const { namespace } = isolation('sbc-sm-present');
    await useNamespace(t, namespace);
    const { ref, ctx } = await createCluster(seedCluster('observability', namespace));
    const { obj } = await reconcileUntil(ref, ctx, 'the cluster to run', runningWith3);
    t.like(findCondition(obj.status, 'Ready'), { status: 'True' });
    const sm = await adminClient().get(Builtin.ServiceMonitor, namespace, 'observed-cluster');
    t.deepEqual(at(sm, 'spec', 'endpoints'), [
      { port: 'http', path: '/metrics', scheme: 'http', interval: '30s' },
    ]);
    t.like(at(sm, 'spec', 'selector', 'matchLabels'), { 'app.kubernetes.io/component': 'client' });

    await adminClient().patch(StreamBusClusterKind, namespace, 'observed-cluster', {
      spec: { observability: { metrics: { serviceMonitor: false } } },
    });
    await reconcileUntil(ref, ctx, 'the cluster to settle', runningWith3);
    t.is(await adminClient().get(Builtin.ServiceMonitor, namespace, 'observed-cluster'), undefined);
  },
);
