/**
 * The chart's RBAC on the real API server, call by call: each ServiceAccount (the dispatcher and
 * every worker group) makes real requests with a TokenRequest token, and everything outside its
 * role is refused with 403 — other namespaces' Secrets (rbac.secretNamespaces), Nodes, RBAC
 * objects, other components' kinds. Writes are server-side dry runs, so a wrong grant could not
 * change the shared cluster. The effective rights (`kubectl auth can-i --list`) are logged.
 */
import test from 'ava';
import { Builtin, type KubeClient } from '../../runtime/index.js';
import {
  BrokerClaimType,
  ClusterStreamKind,
  StreamBusClusterKind,
  TanzuStreamKind,
  TawonStreamKind,
} from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { suffix } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';
import { installRelease } from './release.js';
import {
  ClusterRole,
  Node,
  RoleBinding,
  dryCreate,
  dryDelete,
  runProbes,
  type Outcome,
} from './rbac-probes.js';
import { buildHelm } from '../env/build-helm.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

test('each ServiceAccount of the chart is refused everything outside its role, and its effective rights are reported', async (t) => {
  t.timeout(3 * 60_000);
  const id = suffix();
  const name = `sluice-rbac-${id}`;
  const ns = `t-rbac-${id}`;
  const apps = `t-rbac-${id}-apps`;
  const other = `t-rbac-${id}-other`;
  await installCrds();
  for (const n of [ns, apps, other]) await useNamespace(t, n);
  const { release } = await installRelease(t, name, ns, { rbac: { secretNamespaces: [apps] } });
  const node =
    (await adminClient().list(Node, undefined, { limit: 1 })).items?.[0]?.metadata.name ?? 'kwok-node-0';

  const secret = (n: string) => ({ metadata: { name: `probe-${id}`, namespace: n }, stringData: { a: 'b' } });
  const sts = {
    metadata: { name: 'probe', namespace: apps },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      serviceName: 'probe',
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  };
  const claim = {
    metadata: { name: `kafka-probe-${id}` },
    spec: {
      protocol: 'kafka',
      broker: 'kafka:probe',
      object: 'probe',
      holder: { apiVersion: 'v1', kind: 'Probe', name: 'p', uid: id },
    },
  };
  const everyone: [string, Outcome, (c: KubeClient) => Promise<unknown>][] = [
    ['delete a Node', 'refused', (c) => dryDelete(c, Node, undefined, node)],
    [
      'create a ClusterRole',
      'refused',
      (c) => dryCreate(c, ClusterRole, undefined, { metadata: { name: `p-${id}` }, rules: [] }),
    ],
    [
      'bind itself a Role',
      'refused',
      (c) =>
        dryCreate(c, RoleBinding, ns, {
          metadata: { name: `p-${id}`, namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
          subjects: [],
        }),
    ],
    ['check that the release namespace exists', 'allowed', (c) => c.get(Builtin.Namespace, undefined, ns)],
    ['read another Namespace', 'refused', (c) => c.get(Builtin.Namespace, undefined, other)],
    ['read a Secret in another namespace', 'refused', (c) => c.get(Builtin.Secret, other, 'anything')],
    [
      'write a Secret in another namespace',
      'refused',
      (c) => dryCreate(c, Builtin.Secret, other, secret(other)),
    ],
  ];
  const probes: Record<string, [string, Outcome, (c: KubeClient) => Promise<unknown>][]> = {
    [`${name}-dispatcher`]: [
      ...everyone,
      ['list Pods', 'refused', (c) => c.list(Builtin.Pod, apps, { limit: 1 })],
      [
        'list Secrets in every namespace (metadata watches)',
        'allowed',
        (c) => c.list(Builtin.Secret, undefined, { limit: 1, metadataOnly: true }),
      ],
      ['read one Secret', 'refused', (c) => c.get(Builtin.Secret, apps, 'anything')],
      ['write a Secret', 'refused', (c) => dryCreate(c, Builtin.Secret, apps, secret(apps))],
      ['write a StatefulSet', 'refused', (c) => dryCreate(c, Builtin.StatefulSet, apps, sts)],
      [
        'watch BrokerClaims (metadata)',
        'allowed',
        (c) => c.list(BrokerClaimType, undefined, { limit: 1, metadataOnly: true }),
      ],
      ['write a BrokerClaim', 'refused', (c) => dryCreate(c, BrokerClaimType, undefined, claim)],
      ['read its Lease', 'allowed', (c) => c.get(Builtin.Lease, ns, `${name}-dispatcher`)],
      ['read another Lease', 'refused', (c) => c.get(Builtin.Lease, ns, 'someone-else')],
      [
        'create a TokenReview (tokenReview is off)',
        'refused',
        (c) => dryCreate(c, Builtin.TokenReview, undefined, { metadata: {}, spec: { token: 'x' } }),
      ],
    ],
    [`${name}-worker-tanzu`]: [
      ...everyone,
      ['list Pods', 'refused', (c) => c.list(Builtin.Pod, apps, { limit: 1 })],
      [
        'write a Stream binding Secret where allowed',
        'allowed',
        (c) => dryCreate(c, Builtin.Secret, apps, secret(apps)),
      ],
      [
        "read a Stream's broker binding Secret where allowed (ClusterStreams provisioned for Streams)",
        'allowed',
        (c) => c.get(Builtin.Secret, apps, 'anything'),
      ],
      ['delete a Secret there', 'refused', (c) => dryDelete(c, Builtin.Secret, apps, 'anything')],
      [
        'read a binding Secret in the release namespace',
        'allowed',
        (c) => c.get(Builtin.Secret, ns, 'anything'),
      ],
      [
        'write a ClusterStream binding Secret in the release namespace',
        'allowed',
        (c) => dryCreate(c, Builtin.Secret, ns, secret(ns)),
      ],
      ['list Secrets', 'refused', (c) => c.list(Builtin.Secret, apps, { limit: 1 })],
      ['write a StatefulSet', 'refused', (c) => dryCreate(c, Builtin.StatefulSet, apps, sts)],
      ['claim a topic (ClusterStream)', 'allowed', (c) => dryCreate(c, BrokerClaimType, undefined, claim)],
      ['read a claim', 'allowed', (c) => c.get(BrokerClaimType, undefined, claim.metadata.name)],
      ['release a claim', 'allowed', (c) => dryDelete(c, BrokerClaimType, undefined, claim.metadata.name)],
      ['list claims', 'refused', (c) => c.list(BrokerClaimType, undefined, { limit: 1 })],
      [
        "check a claim's Tawon holder still exists",
        'allowed',
        (c) => c.get(TawonStreamKind, apps, 'anything', { metadataOnly: true }),
      ],
    ],
    [`${name}-worker-streambus`]: [
      ...everyone,
      [
        'list the broker pods and claims (the scheduling check)',
        'allowed',
        (c) =>
          c
            .list(Builtin.PersistentVolumeClaim, apps, { limit: 1 })
            .then(() => c.list(Builtin.Pod, apps, { limit: 1 })),
      ],
      ['delete a Pod', 'refused', (c) => dryDelete(c, Builtin.Pod, apps, 'anything')],
      [
        'check the StorageClass of the claims exists',
        'allowed',
        (c) => c.get(Builtin.StorageClass, undefined, 'standard', { metadataOnly: true }),
      ],
      [
        'check a TLS Secret exists where allowed',
        'allowed',
        (c) => c.get(Builtin.Secret, apps, 'anything', { metadataOnly: true }),
      ],
      ['read a Secret in the release namespace', 'refused', (c) => c.get(Builtin.Secret, ns, 'anything')],
      ['write a Secret', 'refused', (c) => dryCreate(c, Builtin.Secret, apps, secret(apps))],
      ['write a StatefulSet', 'allowed', (c) => dryCreate(c, Builtin.StatefulSet, apps, sts)],
      ['write a BrokerClaim', 'refused', (c) => dryCreate(c, BrokerClaimType, undefined, claim)],
    ],
    [`${name}-worker-tawon`]: [
      ...everyone,
      ['list Pods', 'refused', (c) => c.list(Builtin.Pod, apps, { limit: 1 })],
      ['read any Secret', 'refused', (c) => c.get(Builtin.Secret, apps, 'anything')],
      ['read a Secret in the release namespace', 'refused', (c) => c.get(Builtin.Secret, ns, 'anything')],
      ['write a Secret', 'refused', (c) => dryCreate(c, Builtin.Secret, apps, secret(apps))],
      ['write a StatefulSet', 'allowed', (c) => dryCreate(c, Builtin.StatefulSet, apps, sts)],
      [
        'claim a JetStream stream (Tawon Stream)',
        'allowed',
        (c) => dryCreate(c, BrokerClaimType, undefined, claim),
      ],
      [
        "check a claim's ClusterStream holder still exists",
        'allowed',
        (c) => c.get(ClusterStreamKind, undefined, 'anything', { metadataOnly: true }),
      ],
      [
        'write a NetworkPolicy (StreamBusCluster only)',
        'refused',
        (c) =>
          dryCreate(c, Builtin.NetworkPolicy, apps, {
            metadata: { name: 'p', namespace: apps },
            spec: { podSelector: {} },
          }),
      ],
    ],
  };

  await runProbes(t, release, probes, apps);
});

test('with config.watchNamespace, every namespaced right holds in that namespace only, ClusterStreams and BrokerClaims stay cluster-wide', async (t) => {
  t.timeout(3 * 60_000);
  const id = suffix();
  const name = `sluice-rbacw-${id}`;
  const ns = `t-rbacw-${id}`;
  const apps = `t-rbacw-${id}-apps`;
  const other = `t-rbacw-${id}-other`;
  await installCrds();
  for (const n of [ns, apps, other]) await useNamespace(t, n);
  const { release } = await installRelease(t, name, ns, {
    config: { watchNamespace: apps, tokenReview: true },
  });
  const secret = (n: string) => ({ metadata: { name: `probe-${id}`, namespace: n }, stringData: { a: 'b' } });
  const sts = (n: string) => ({
    metadata: { name: 'probe', namespace: n },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      serviceName: 'probe',
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  });
  await runProbes(
    t,
    release,
    {
      [`${name}-dispatcher`]: [
        [
          'watch Secrets in the watched namespace',
          'allowed',
          (c) => c.list(Builtin.Secret, apps, { limit: 1 }),
        ],
        ['list Secrets elsewhere', 'refused', (c) => c.list(Builtin.Secret, other, { limit: 1 })],
        [
          'list Secrets in every namespace',
          'refused',
          (c) => c.list(Builtin.Secret, undefined, { limit: 1 }),
        ],
        [
          'list StreamBusClusters elsewhere',
          'refused',
          (c) => c.list(StreamBusClusterKind, other, { limit: 1 }),
        ],
        [
          'list ClusterStreams (cluster-scoped)',
          'allowed',
          (c) => c.list(ClusterStreamKind, undefined, { limit: 1 }),
        ],
        [
          'create a TokenReview (tokenReview is on)',
          'allowed',
          (c) => dryCreate(c, Builtin.TokenReview, undefined, { metadata: {}, spec: { token: 'x' } }),
        ],
      ],
      [`${name}-worker-tanzu`]: [
        [
          'write a binding Secret in the watched namespace',
          'allowed',
          (c) => dryCreate(c, Builtin.Secret, apps, secret(apps)),
        ],
        ['write a Secret elsewhere', 'refused', (c) => dryCreate(c, Builtin.Secret, other, secret(other))],
        [
          "read a Stream's broker binding Secret in the watched namespace",
          'allowed',
          (c) => c.get(Builtin.Secret, apps, 'anything'),
        ],
        ['read a Secret elsewhere', 'refused', (c) => c.get(Builtin.Secret, other, 'anything')],
        ['read a ClusterStream', 'allowed', (c) => c.get(ClusterStreamKind, undefined, 'anything')],
        ['read a Stream elsewhere', 'refused', (c) => c.get(TanzuStreamKind, other, 'anything')],
      ],
      [`${name}-worker-streambus`]: [
        [
          'write a StatefulSet in the watched namespace',
          'allowed',
          (c) => dryCreate(c, Builtin.StatefulSet, apps, sts(apps)),
        ],
        [
          'write a StatefulSet elsewhere',
          'refused',
          (c) => dryCreate(c, Builtin.StatefulSet, other, sts(other)),
        ],
        [
          'check a TLS Secret in the watched namespace',
          'allowed',
          (c) => c.get(Builtin.Secret, apps, 'x', { metadataOnly: true }),
        ],
        [
          'check a Secret elsewhere',
          'refused',
          (c) => c.get(Builtin.Secret, other, 'x', { metadataOnly: true }),
        ],
      ],
      [`${name}-worker-tawon`]: [
        [
          'list Tawon Streams in the watched namespace',
          'allowed',
          (c) => c.list(TawonStreamKind, apps, { limit: 1 }),
        ],
        ['list Tawon Streams elsewhere', 'refused', (c) => c.list(TawonStreamKind, other, { limit: 1 })],
        [
          "read a ClusterStream (a claim's holder, cluster-scoped)",
          'allowed',
          (c) => c.get(ClusterStreamKind, undefined, 'anything', { metadataOnly: true }),
        ],
        ['patch a ClusterStream', 'refused', (c) => c.patch(ClusterStreamKind, undefined, 'anything', {})],
      ],
    },
    apps,
  );
});
