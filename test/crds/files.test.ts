/**
 * Fast checks of the CRD files themselves, without a server: one file per kind of the registry
 * plus the BrokerClaim record, labels, printer columns, descriptions everywhere, types everywhere
 * except the justified free-form fields, Kubernetes-shaped conditions, and the defaulting model the
 * server tests use.
 */
import test from 'ava';
import { SLUICE_KINDS } from '../../shared/kinds.js';
import { BrokerClaimType } from '../../shared/ownership/claim-kind.js';
import { loadCrd, loadCrdFiles, nodeAt, rootSchema, versionOf, walk, withDefaults } from './schema.js';

const files = loadCrdFiles();
/** The kinds Sluice writes as records and never reconciles: no status, no conditions. */
const RECORD_KINDS = [BrokerClaimType];
const recordFile = (f: { file: string }): boolean =>
  RECORD_KINDS.some((k) => `${k.plural}.${k.group}.yaml` === f.file);
/** The CRDs of the kinds Sluice reconciles. */
const reconciled = files.filter((f) => !recordFile(f));

/** The only places where a schema may keep unknown fields, and why. */
const FREE_FORM: Readonly<Record<string, readonly string[]>> = {
  // corev1 Affinity is large and recursive; the StatefulSet's own validation checks it. The
  // broker settings pass untyped keys through to broker.yaml (the typed ones stay validated).
  'streambusclusters.streambus.io': ['spec.affinity', 'spec.config'],
  // Condition operators nest (a schema cannot recurse); a task's config depends on the task;
  // an equal operator compares with a value of any scalar type.
  'directives.tawon.mantisnet.com': ['spec.condition', 'spec.condition.equal.value', 'spec.tasks[].config'],
};

test('there is one CRD file per kind of the registry and per record kind, named <plural>.<group>.yaml', (t) => {
  const all = [...SLUICE_KINDS, ...RECORD_KINDS];
  const expected = all.map((k) => `${k.plural}.${k.group}.yaml`).sort();
  t.deepEqual(
    files.map((f) => f.file),
    expected,
  );
  for (const { file, crd } of files) {
    const kind = all.find((k) => `${k.plural}.${k.group}.yaml` === file);
    if (!kind) return t.fail(`${file} is not a kind of the registry`);
    t.is(crd.apiVersion, 'apiextensions.k8s.io/v1', file);
    t.is(crd.metadata.name, file.replace(/\.yaml$/, ''), file);
    t.is(crd.spec.group, kind.group, file);
    t.is(crd.spec.names.kind, kind.kind, file);
    t.is(crd.spec.names.plural, kind.plural, file);
    t.is(crd.spec.scope, kind.namespaced ? 'Namespaced' : 'Cluster', file);
  }
});

test('every CRD serves and stores v1alpha1 only, with the status subresource unless it is a record', (t) => {
  for (const f of files) {
    const { file, crd } = f;
    t.is(crd.spec.versions.length, 1, file);
    const v = versionOf(crd);
    t.like(v, { name: 'v1alpha1', served: true, storage: true }, file);
    t.deepEqual(v.subresources, recordFile(f) ? undefined : { status: {} }, file);
  }
});

test('a BrokerClaim is a cluster-scoped record of protocol, broker, object, holder and adoption, printed in columns', (t) => {
  const crd = loadCrd('brokerclaims.sluice.io');
  t.is(crd.spec.scope, 'Cluster');
  t.deepEqual(nodeAt(crd, 'spec').required, ['protocol', 'broker', 'object', 'holder']);
  t.deepEqual(nodeAt(crd, 'spec.holder').required, ['apiVersion', 'kind', 'name', 'uid']);
  t.deepEqual(nodeAt(crd, 'spec.protocol').enum, ['kafka', 'nats', 'rabbitmq']);
  t.is(nodeAt(crd, 'spec.adopted').default, false);
  t.is(rootSchema(crd).properties?.status, undefined, 'a record has no status');
  t.deepEqual(
    (versionOf(crd).additionalPrinterColumns ?? []).map((c) => c.name),
    ['Protocol', 'Object', 'Holder-Kind', 'Holder', 'Adopted', 'Broker', 'Age'],
  );
});

test('ClusterStreams and Tawon Streams show their claim in the status', (t) => {
  for (const name of ['clusterstreams.streaming.tanzu.vmware.com', 'streams.tawon.mantisnet.com']) {
    const claim = nodeAt(loadCrd(name), 'status.claim');
    t.deepEqual(Object.keys(claim.properties ?? {}).sort(), ['holder', 'name', 'owner'], name);
    t.regex(claim.description ?? '', /^Sluice extension\./, name);
  }
});

test('every CRD is part of sluice, and the two Service Binding provisioned services say so', (t) => {
  const provisioned = files
    .filter((f) => f.crd.metadata.labels?.['servicebinding.io/provisioned-service'] === 'true')
    .map((f) => f.crd.metadata.name);
  t.deepEqual(provisioned, [
    'clusterstreams.streaming.tanzu.vmware.com',
    'streams.streaming.tanzu.vmware.com',
  ]);
  for (const { file, crd } of files) {
    t.is(crd.metadata.labels?.['app.kubernetes.io/part-of'], 'sluice', file);
  }
});

test('every CRD prints the Ready condition (unless it is a record), its reason and the age', (t) => {
  for (const { file, crd } of reconciled) {
    const columns = versionOf(crd).additionalPrinterColumns ?? [];
    const byPath = (p: string) => columns.find((c) => c.jsonPath === p);
    t.truthy(byPath('.status.conditions[?(@.type=="Ready")].status'), `${file}: Ready condition column`);
    t.is(byPath('.status.conditions[?(@.type=="Ready")].reason')?.name, 'Reason', file);
    t.like(columns.at(-1), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }, file);
    t.is(new Set(columns.map((c) => c.name)).size, columns.length, `${file}: column names are unique`);
  }
});

test('the short names are srcs, srs, sbc and streambus, and no kind shares one', (t) => {
  const short = Object.fromEntries(
    files.map((f) => [f.crd.metadata.name, f.crd.spec.names.shortNames ?? []]),
  );
  t.deepEqual(short, {
    'brokerclaims.sluice.io': [],
    'clusterstreams.streaming.tanzu.vmware.com': ['srcs'],
    'directives.tawon.mantisnet.com': [],
    'streambusclusters.streambus.io': ['sbc', 'streambus'],
    'streams.streaming.tanzu.vmware.com': ['srs'],
    'streams.tawon.mantisnet.com': [],
    'streamstores.tawon.mantisnet.com': [],
  });
});

test('every field, object and list has a description', (t) => {
  const missing: string[] = [];
  for (const { crd } of files) {
    walk(rootSchema(crd), (node, at, edge) => {
      if (at === 'metadata') return; // the API server forbids anything but name and generateName here
      if (edge === 'alternative') return;
      const needs = edge === 'property' || edge === 'root' || node.type === 'object' || node.type === 'array';
      if (needs && !node.description?.trim()) missing.push(`${crd.metadata.name}: ${at || '(root)'}`);
    });
  }
  t.deepEqual(missing, []);
});

test('every node is typed, except int-or-string values and the justified free-form fields', (t) => {
  const untyped: string[] = [];
  const freeForm: string[] = [];
  for (const { crd } of files) {
    walk(rootSchema(crd), (node, at, edge) => {
      if (edge === 'alternative') return;
      if (node['x-kubernetes-preserve-unknown-fields']) freeForm.push(`${crd.metadata.name}: ${at}`);
      else if (!node.type && !node['x-kubernetes-int-or-string']) untyped.push(`${crd.metadata.name}: ${at}`);
    });
  }
  t.deepEqual(untyped, []);
  const allowed = Object.entries(FREE_FORM).flatMap(([name, paths]) => paths.map((p) => `${name}: ${p}`));
  t.deepEqual(freeForm.sort(), allowed.sort());
});

test('every status has Kubernetes conditions, listed as a map keyed by type, and an observedGeneration', (t) => {
  for (const { file, crd } of reconciled) {
    const conditions = nodeAt(crd, 'status.conditions');
    t.is(conditions['x-kubernetes-list-type'], 'map', file);
    t.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type'], file);
    const item = nodeAt(crd, 'status.conditions[]');
    t.deepEqual(
      Object.keys(item.properties ?? {}).sort(),
      ['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'status', 'type'],
      file,
    );
    t.deepEqual(item.required, ['type', 'status'], file);
    t.deepEqual(nodeAt(crd, 'status.conditions[].status').enum, ['True', 'False', 'Unknown'], file);
    t.is(nodeAt(crd, 'status.observedGeneration').type, 'integer', file);
  }
});

test('the fields that are Sluice extensions say so in their description', (t) => {
  const extensions: Record<string, string[]> = {
    'clusterstreams.streaming.tanzu.vmware.com': [
      'spec.partitions',
      'spec.replicationFactor',
      'spec.config',
      'spec.claimRef',
    ],
    'streams.streaming.tanzu.vmware.com': ['status.binding'],
    'streamstores.tawon.mantisnet.com': ['spec.image', 'spec.replicas', 'spec.resources'],
  };
  for (const [name, paths] of Object.entries(extensions)) {
    for (const p of paths) t.regex(nodeAt(loadCrd(name), p).description ?? '', /^Sluice extension\./, p);
  }
});

test('the defaulting model fills a defaulted object with its own defaults, top-down', (t) => {
  const sbc = rootSchema(loadCrd('streambusclusters.streambus.io'));
  t.like(withDefaults(sbc, { spec: { replicas: 5, image: { tag: 'v1' } } }), {
    spec: {
      replicas: 5,
      image: { repository: 'streambus/broker', tag: 'v1', pullPolicy: 'IfNotPresent' },
      config: { port: 9092, httpPort: 8081, grpcPort: 9093, logLevel: 'info' },
      observability: { metrics: { enabled: true, serviceMonitor: false } },
    },
  });
  const directive = rootSchema(loadCrd('directives.tawon.mantisnet.com'));
  t.deepEqual(
    withDefaults(directive, { spec: { streams: [{ name: 'a' }, { name: 'b', retentionPolicy: 'Delete' }] } }),
    {
      spec: {
        streams: [
          { name: 'a', retentionPolicy: 'Retain' },
          { name: 'b', retentionPolicy: 'Delete' },
        ],
      },
    },
  );
});
