/**
 * One test per StreamBusCluster spec field of the workload (replicas, image, resources, storage,
 * config, scheduling): each sets the field to a value other than its default and finds that value
 * in the generated objects.
 */
import test from 'ava';
import { at, build, containerPort, servicePort } from './build.js';

test('spec.replicas sets the StatefulSet replicas and the length of the peer list', (t) => {
  const b = build({ replicas: 5 });
  t.is(b.sts.spec.replicas, 5);
  t.is((at(b.config, 'cluster', 'peers') as unknown[]).length, 5);
});

test('spec.replicas defaults to 3 when absent', (t) => {
  t.is(build().sts.spec.replicas, 3);
});

test('spec.image.repository is the repository of the broker image', (t) => {
  t.is(
    build({ image: { repository: 'registry.example/streambus/broker' } }).container.image,
    'registry.example/streambus/broker:latest',
  );
});

test('spec.image.tag is the tag of the broker image', (t) => {
  t.is(build({ image: { tag: 'v0.6.0' } }).container.image, 'streambus/broker:v0.6.0');
});

test('spec.image.tag given as a sha256 digest pins the image by digest', (t) => {
  t.is(build({ image: { tag: 'sha256:abc123' } }).container.image, 'streambus/broker@sha256:abc123');
});

test('spec.image.pullPolicy is the image pull policy of the broker container', (t) => {
  t.is(build({ image: { pullPolicy: 'Always' } }).container.imagePullPolicy, 'Always');
  t.is(build().container.imagePullPolicy, 'IfNotPresent');
});

test('spec.resources are the broker container resources, as written', (t) => {
  const b = build({
    resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: 4, memory: '8Gi' } },
  });
  t.deepEqual(b.container.resources, {
    requests: { cpu: '250m', memory: '1Gi' },
    limits: { cpu: '4', memory: '8Gi' },
  });
});

test('spec.resources absent gives the documented defaults, and an empty object gives none', (t) => {
  t.deepEqual(build().container.resources, {
    requests: { cpu: '500m', memory: '512Mi' },
    limits: { cpu: '2000m', memory: '2Gi' },
  });
  t.deepEqual(build({ resources: {} }).container.resources, {});
});

test('spec.storage.class is the storage class of both claim templates', (t) => {
  const b = build({ storage: { class: 'ssd-csi' } });
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 0, 'spec', 'storageClassName'), 'ssd-csi');
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 1, 'spec', 'storageClassName'), 'ssd-csi');
});

test('spec.storage.size is the size of the data claim template, mounted at /data', (t) => {
  const b = build({ storage: { size: '20Gi' } });
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'name'), 'data');
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage'), '20Gi');
  t.truthy(b.container.volumeMounts?.find((m) => m.name === 'data' && m.mountPath === '/data'));
  t.is(at(b.config, 'storage', 'data_dir'), '/data');
});

test('spec.storage.raftSize is the size of the raft-data claim template, mounted at /raft', (t) => {
  const b = build({ storage: { raftSize: '7Gi' } });
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 1, 'metadata', 'name'), 'raft-data');
  t.is(at(b.sts, 'spec', 'volumeClaimTemplates', 1, 'spec', 'resources', 'requests', 'storage'), '7Gi');
  t.truthy(b.container.volumeMounts?.find((m) => m.name === 'raft-data' && m.mountPath === '/raft'));
  t.is(at(b.config, 'cluster', 'raft', 'data_dir'), '/raft');
});

test('spec.config.logLevel is the broker log level when observability.logging.level is absent', (t) => {
  t.is(at(build({ config: { logLevel: 'debug' } }).config, 'observability', 'logging', 'level'), 'debug');
});

test('spec.config.port is the broker port of the config, the container and both Services', (t) => {
  const b = build({ config: { port: 19092 } });
  t.is(at(b.config, 'server', 'port'), 19092);
  t.is(containerPort(b, 'broker'), 19092);
  t.like(servicePort(b.desired.clientService, 'broker'), { port: 19092, targetPort: 'broker' });
  t.like(servicePort(b.desired.headlessService, 'broker'), { port: 19092 });
});

test('spec.config.httpPort is the HTTP port of the config, the container, the probes and the client Service', (t) => {
  const b = build({ config: { httpPort: 18081 } });
  t.is(at(b.config, 'server', 'http_port'), 18081);
  t.is(containerPort(b, 'http'), 18081);
  t.is(b.container.livenessProbe?.httpGet?.port, 'http');
  t.is(b.container.readinessProbe?.httpGet?.port, 'http');
  t.like(servicePort(b.desired.clientService, 'http'), { port: 18081 });
});

test('spec.config.grpcPort is the gRPC port of the config, the container and the Services', (t) => {
  const b = build({ config: { grpcPort: 19093 } });
  t.is(at(b.config, 'server', 'grpc_port'), 19093);
  t.is(containerPort(b, 'grpc'), 19093);
  t.like(servicePort(b.desired.clientService, 'grpc'), { port: 19093 });
  t.like(servicePort(b.desired.headlessService, 'grpc'), { port: 19093 });
});

test('spec.affinity is the affinity of the broker pods', (t) => {
  const affinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: {
            matchExpressions: [
              { key: 'app.kubernetes.io/name', operator: 'In', values: ['streambus-broker'] },
            ],
          },
          topologyKey: 'kubernetes.io/hostname',
        },
      ],
    },
  };
  t.deepEqual(build({ affinity }).pod.affinity, affinity, 'an explicit affinity replaces the built-in one');
});

test('without spec.affinity the brokers prefer distinct hostnames from each other', (t) => {
  t.deepEqual(build().pod.affinity, {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'streambus-broker',
                'app.kubernetes.io/instance': 'demo',
              },
            },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  });
});

test('spec.nodeSelector is the node selector of the broker pods', (t) => {
  t.deepEqual(build({ nodeSelector: { workload: 'streaming' } }).pod.nodeSelector, { workload: 'streaming' });
});

test('spec.tolerations are the tolerations of the broker pods', (t) => {
  const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'streambus', effect: 'NoSchedule' }];
  t.deepEqual(build({ tolerations }).pod.tolerations, tolerations);
});

test('spec.podAnnotations are annotations of the broker pods, next to the config hash', (t) => {
  const b = build({ podAnnotations: { 'prometheus.io/scrape': 'true' } });
  t.like(b.sts.spec.template.metadata?.annotations, {
    'prometheus.io/scrape': 'true',
    'sluice.io/config-hash': b.desired.configHash,
  });
});

test('spec.podLabels are labels of the broker pods, next to the selector labels', (t) => {
  const b = build({ podLabels: { environment: 'production' } });
  t.like(b.sts.spec.template.metadata?.labels, {
    environment: 'production',
    'app.kubernetes.io/name': 'streambus-broker',
    'app.kubernetes.io/instance': 'demo',
  });
  t.deepEqual(b.sts.spec.selector.matchLabels, {
    'app.kubernetes.io/name': 'streambus-broker',
    'app.kubernetes.io/instance': 'demo',
  });
});
