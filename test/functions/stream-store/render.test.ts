/**
 * Unit tests of the StreamStore's desired objects: the seed example's StatefulSet, Services and
 * ConfigMap, the clustered rendering (routes over the headless Service), and the rendered
 * nats.conf checked by the real nats-server (`nats-server -t`).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TerminalError, isRecord, type KubeObject } from '../../../runtime/index.js';
import {
  desiredChildren,
  desiredConfigMap,
  desiredHeadlessService,
  desiredService,
  desiredStatefulSet,
} from '../../../functions/stream-store/desired.js';
import { renderNatsConf } from '../../../functions/stream-store/nats-conf.js';
import { parseStreamStore, type StreamStore } from '../../../functions/stream-store/spec.js';
import { storePhase } from '../../../functions/stream-store/status.js';
import { debianPrograms } from '../../env/build.js';
import { example } from '../../fixtures/tawon/fixtures.js';

const execFileP = promisify(execFile);

function store(patch: Record<string, unknown> = {}, name = 'mystreamstore'): StreamStore {
  const seed = example('streamstore');
  return parseStreamStore({
    ...seed,
    metadata: { name, namespace: 'ns1', uid: 'u-1', generation: 1 },
    spec: { ...(seed.spec as Record<string, unknown>), ...patch },
  });
}

/** Drills into a plain JSON value by keys and indexes. */
function at(v: unknown, ...keys: (string | number)[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? (cur[k] as unknown) : undefined;
    else cur = isRecord(cur) ? cur[k] : undefined;
  }
  return cur;
}

test('the seed StreamStore mounts its claim template, by name, at the JetStream store directory', (t) => {
  const sts = desiredStatefulSet(store());
  t.is(at(sts, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'name'), 'mypvclaim');
  t.deepEqual(at(sts, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'labels'), { app: 'mystreamstore' });
  t.deepEqual(at(sts, 'spec', 'volumeClaimTemplates', 0, 'spec'), {
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'ssd-csi',
    resources: { requests: { storage: '10Gi' } },
  });
  const mounts = at(sts, 'spec', 'template', 'spec', 'containers', 0, 'volumeMounts');
  t.deepEqual(at(mounts, 0), { name: 'mypvclaim', mountPath: '/data' });
  t.deepEqual(at(sts, 'spec', 'persistentVolumeClaimRetentionPolicy'), { whenDeleted: 'Delete' });
  t.is(at(sts, 'spec', 'replicas'), 1);
  t.is(at(sts, 'spec', 'serviceName'), 'mystreamstore-headless');
  t.is(at(sts, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'nats:2.10-alpine');
  t.is(at(sts, 'metadata', 'ownerReferences', 0, 'kind'), 'StreamStore');
  t.is(at(sts, 'metadata', 'ownerReferences', 0, 'controller'), true);
});

test('the seed StreamStore configures JetStream on the claim with the claim size as max_file_store', (t) => {
  const conf = at(desiredConfigMap(store()), 'data', 'nats.conf');
  t.is(typeof conf, 'string');
  t.regex(conf as string, /store_dir: "\/data"/);
  t.regex(conf as string, new RegExp(`max_file_store: ${10 * 1024 ** 3}\\b`));
  t.regex(conf as string, /http: "0\.0\.0\.0:8222"/);
  t.regex(conf as string, /listen: "0\.0\.0\.0:4222"/);
  t.notRegex(conf as string, /cluster/);
});

test('the client Service exposes 4222 and the monitoring port 8222', (t) => {
  const svc = desiredService(store());
  t.is(svc.metadata.name, 'mystreamstore');
  t.deepEqual(
    (at(svc, 'spec', 'ports') as { name: string; port: number }[]).map((p) => [p.name, p.port]),
    [
      ['client', 4222],
      ['monitor', 8222],
    ],
  );
});

test('image, resources and replicas reach the StatefulSet', (t) => {
  const s = store({
    image: 'registry.example/nats:2.10.9',
    replicas: 3,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  });
  const sts = desiredStatefulSet(s);
  t.is(at(sts, 'spec', 'replicas'), 3);
  t.is(at(sts, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'registry.example/nats:2.10.9');
  t.deepEqual(at(sts, 'spec', 'template', 'spec', 'containers', 0, 'resources'), {
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { memory: '1Gi' },
  });
});

test('three replicas run clustered JetStream with a route to every ordinal over the headless Service', (t) => {
  const s = store({ replicas: 3 });
  const conf = at(desiredConfigMap(s), 'data', 'nats.conf') as string;
  t.regex(conf, /cluster \{/);
  t.regex(conf, /name: "mystreamstore"/);
  t.regex(conf, /listen: "0\.0\.0\.0:6222"/);
  for (const i of [0, 1, 2]) {
    t.true(conf.includes(`"nats://mystreamstore-${i}.mystreamstore-headless.ns1.svc:6222"`), `route ${i}`);
  }
  const headless = desiredHeadlessService(s);
  t.is(headless.metadata.name, 'mystreamstore-headless');
  t.is(at(headless, 'spec', 'clusterIP'), 'None');
  t.is(at(headless, 'spec', 'publishNotReadyAddresses'), true);
  t.true((at(headless, 'spec', 'ports') as { port: number }[]).some((p) => p.port === 6222));
  const ports = at(desiredStatefulSet(s), 'spec', 'template', 'spec', 'containers', 0, 'ports') as {
    containerPort: number;
  }[];
  t.deepEqual(
    ports.map((p) => p.containerPort),
    [4222, 8222, 6222],
  );
});

test('a configuration change changes the Pod template hash, so the Pods roll', (t) => {
  const hash = (s: StreamStore): unknown =>
    at(desiredStatefulSet(s), 'spec', 'template', 'metadata', 'annotations', 'sluice.io/config-hash');
  t.is(hash(store()), hash(store()));
  t.not(hash(store()), hash(store({ replicas: 3 })));
});

test('an empty spec renders a working single server with a 10Gi claim named data', (t) => {
  const s = parseStreamStore({ metadata: { name: 'bare', namespace: 'ns1', uid: 'u' }, spec: {} });
  const sts = desiredStatefulSet(s);
  t.is(at(sts, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'name'), 'data');
  t.deepEqual(at(sts, 'spec', 'volumeClaimTemplates', 0, 'spec'), {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '10Gi' } },
  });
  t.is(desiredChildren(s).length, 4);
});

test('malformed store specs are refused with a reason', (t) => {
  const reason = (patch: Record<string, unknown>): string | undefined => {
    try {
      store(patch);
      return undefined;
    } catch (err) {
      return err instanceof TerminalError ? err.reason : `not terminal: ${String(err)}`;
    }
  };
  t.is(reason({ defaults: { maxsize: 1000000, maxage: '10 days', maxbytes: '1G' } }), 'InvalidLimit');
  t.is(reason({ limits: { max: 10, maxage: '2400h', maxbytes: '2GB' } }), 'InvalidLimit');
  t.is(reason({ defaults: { maxage: '240h' }, limits: { maxage: '24h' } }), 'InvalidLimit');
  t.is(reason({ replicas: 2 }), 'InvalidSpec');
  t.is(reason({ volumeClaimTemplate: { metadata: { name: 'nats-config' }, spec: {} } }), 'InvalidSpec');
  t.is(
    reason({ volumeClaimTemplate: { spec: { resources: { requests: { storage: 'lots' } } } } }),
    'InvalidSpec',
  );
});

test('the phase follows the StatefulSet: Pending, Creating, Degraded, Updating, Running', (t) => {
  const sts = (status: Record<string, unknown>, generation = 1): KubeObject => ({
    metadata: { name: 's', generation },
    status: { observedGeneration: 1, currentRevision: 'a', updateRevision: 'a', ...status },
  });
  t.is(storePhase(1, undefined), 'Pending');
  t.is(storePhase(1, sts({ readyReplicas: 0 })), 'Creating');
  t.is(storePhase(1, sts({ readyReplicas: 1, updatedReplicas: 1 })), 'Running');
  t.is(storePhase(3, sts({ readyReplicas: 2, updatedReplicas: 3 })), 'Degraded');
  t.is(storePhase(3, sts({ readyReplicas: 3, updatedReplicas: 1, updateRevision: 'b' })), 'Updating');
  t.is(storePhase(1, sts({ readyReplicas: 1, updatedReplicas: 1 }, 2)), 'Updating');
});

async function natsServerAccepts(conf: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-natsconf-'));
  const file = path.join(dir, 'nats.conf');
  writeFileSync(file, conf);
  const programs = await debianPrograms();
  await execFileP(programs.natsServer, ['-t', '-c', file], {
    env: { POD_NAME: 'mystreamstore-0', PATH: '/usr/bin:/bin' },
  });
}

test('the real nats-server accepts the single-server configuration', async (t) => {
  const conf = at(desiredConfigMap(store()), 'data', 'nats.conf') as string;
  await t.notThrowsAsync(natsServerAccepts(conf));
});

test('the real nats-server accepts the clustered configuration', async (t) => {
  const conf = at(desiredConfigMap(store({ replicas: 3 })), 'data', 'nats.conf') as string;
  await t.notThrowsAsync(natsServerAccepts(conf));
});

test('the real nats-server refuses a broken configuration, so the check above can fail', async (t) => {
  const conf = renderNatsConf({ name: 'x', namespace: 'n', replicas: 1, maxFileStore: 1 }).replace(
    'jetstream {',
    'jetstream {{',
  );
  await t.throwsAsync(natsServerAccepts(conf));
});
