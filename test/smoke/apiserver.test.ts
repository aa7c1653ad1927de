/**
 * Smoke tests of the test API server: CRDs and watches, StatefulSets with claims (scheduler,
 * controller-manager and kwok together), garbage collection, and RBAC.
 */
import test from 'ava';
import { KubeConfig, CoreV1Api, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { isolation, suffix } from '../helpers/env.js';
import { eventually, kube, statusOf, useNamespace } from '../helpers/kube.js';

test('a CRD is installed and a custom object created in it is seen by a watch', async (t) => {
  const { namespace } = isolation('smoke-crd');
  await useNamespace(t, namespace);
  const group = `smoke${suffix()}.sluice.io`;
  const crdName = `widgets.${group}`;
  await kube().ext.createCustomResourceDefinition({
    body: {
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    },
  });
  t.teardown(() =>
    kube()
      .ext.deleteCustomResourceDefinition({ name: crdName })
      .then(
        () => undefined,
        () => undefined,
      ),
  );
  await eventually('the CRD to be established', async () => {
    const crd = await kube().ext.readCustomResourceDefinition({ name: crdName });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });

  await eventually('the new resource to be served', async () => {
    await kube().custom.listNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets' });
    return true;
  });

  const seen: string[] = [];
  const watch = new Watch(kube().kc);
  const req = await watch.watch(
    `/apis/${group}/v1/namespaces/${namespace}/widgets`,
    {},
    (type: string, obj: { metadata?: { name?: string }; spec?: { size?: number } }) => {
      seen.push(`${type}:${obj.metadata?.name}:${obj.spec?.size}`);
    },
    (err: unknown) => {
      if (err && !(err instanceof Error && err.name === 'AbortError'))
        seen.push(`error:${err instanceof Error ? err.message : JSON.stringify(err)}`);
    },
  );
  t.teardown(() => req.abort());
  await kube().custom.createNamespacedCustomObject({
    group,
    version: 'v1',
    namespace,
    plural: 'widgets',
    body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
  });
  await eventually('the watch to deliver the new object', () => Promise.resolve(seen.includes('ADDED:w1:3')));
  t.deepEqual(seen, ['ADDED:w1:3']);
});

test('a StatefulSet with a volumeClaimTemplate gets a Ready pod and a Bound claim', async (t) => {
  const { namespace } = isolation('smoke-sts');
  await useNamespace(t, namespace);
  await kube().apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name: 'web' },
      spec: {
        serviceName: 'web',
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'example.invalid/none:1',
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
  });
  const pvc = await eventually(
    'the claim to be Bound',
    async () => {
      const c = await kube().core.readNamespacedPersistentVolumeClaim({ namespace, name: 'data-web-0' });
      return c.status?.phase === 'Bound' ? c : undefined;
    },
    60_000,
  );
  t.truthy(pvc.spec?.volumeName, 'a volume was provisioned for the claim');
  const pod = await eventually(
    'the pod to be Ready',
    async () => {
      const p = await kube().core.readNamespacedPod({ namespace, name: 'web-0' });
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    },
    60_000,
  );
  t.is(pod.status?.phase, 'Running');
  t.regex(pod.spec?.nodeName ?? '', /^kwok-node-/);
  const sts = await eventually('the StatefulSet to count the pod ready', async () => {
    const s = await kube().apps.readNamespacedStatefulSet({ namespace, name: 'web' });
    return s.status?.readyReplicas === 1 ? s : undefined;
  });
  t.is(sts.status?.readyReplicas, 1);
});

test('an owned ConfigMap is garbage-collected when its owner is deleted', async (t) => {
  const { namespace } = isolation('smoke-gc');
  await useNamespace(t, namespace);
  const owner = await kube().core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: 'owner' } },
  });
  const child: V1ConfigMap = {
    metadata: {
      name: 'child',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' },
      ],
    },
  };
  await kube().core.createNamespacedConfigMap({ namespace, body: child });
  await kube().core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
  await eventually(
    'the child to be garbage-collected',
    async () => {
      try {
        await kube().core.readNamespacedConfigMap({ namespace, name: 'child' });
        return false;
      } catch (err) {
        return statusOf(err) === 404;
      }
    },
    60_000,
  );
  t.pass();
});

test('RBAC refuses a ServiceAccount without rights', async (t) => {
  const { namespace } = isolation('smoke-rbac');
  await useNamespace(t, namespace);
  await kube().core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'nobody' } } });
  const tr = await kube().core.createNamespacedServiceAccountToken({
    namespace,
    name: 'nobody',
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = tr.status?.token ?? '';
  t.true(token.length > 0);
  const cluster = kube().kc.getCurrentCluster();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster?.server ?? '', caFile: cluster?.caFile, skipTLSVerify: false }],
    users: [{ name: 'nobody', token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'nobody' }],
    currentContext: 'c',
  });
  const err = await t.throwsAsync(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace }));
  t.is(statusOf(err), 403);
});
