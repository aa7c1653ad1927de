/**
 * The Streaming Runtime's sample pipelines (issue 13), applied unchanged to the environment with
 * kubectl: every Stream document (Kafka and RabbitMQ) binds to a ClusterStream that Sluice auto-provisions (the
 * ClusterStream each names in `storage.clusterStream` does not exist beforehand) and is Ready.
 * The files' Processor documents are the Streaming Runtime's, and their ServiceBinding documents
 * servicebinding.io's, not Sluice's: kubectl refuses them (no such kind) and applies the rest (a
 * Secret among them), and that is all it refuses.
 *
 * anomaly-detection-sb.yaml carries the RabbitMQ Stream's binding Secret (host
 * rabbitmq.streaming-runtime.svc.cluster.local, guest/guest: upstream's demo broker with RabbitMQ's
 * default user): the test's broker clients map that host to the on-demand RabbitMQ (on loopback,
 * where guest may log in), as SLUICE_ENDPOINT_OVERRIDES does for a worker outside the cluster.
 * anomaly-detection-sb2.yaml names a Secret the RabbitMQ cluster operator would write; its test
 * sees BindingNotFound until the Secret exists.
 *
 * The fixtures are the upstream files as they are (`test/fixtures/tanzu/samples/`). Several share
 * cluster-scoped names (the four top-k-songs variants use the same ClusterStreams and topics), so
 * the files run one after another, each ClusterStream removed when its file is done; a topic left
 * by one variant is adopted by the next.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseAllDocuments } from 'yaml';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { Builtin, findCondition, isRecord } from '../../../runtime/index.js';
import { createBrokerClients, type PooledBrokerClients } from '../../../shared/index.js';
import { AUTO_PROVISIONED_LABEL, BINDING_NAMESPACE_ANNOTATION } from '../../../shared/tanzu/names.js';
import { repoRoot } from '../../env/paths.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, testEnv } from '../../helpers/env.js';
import {
  cleanupClusterStream,
  closeBrokers,
  converge,
  getCs,
  kafkaAdmin,
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';
import { rabbitEnv, tenantClient } from '../../fixtures/tanzu/rabbitmq.js';

/** Broker clients with endpoint overrides, closed after the tests. */
const pools: PooledBrokerClients[] = [];
function overridden(map: Record<string, string>): PooledBrokerClients {
  const pool = createBrokerClients({ endpointOverrides: new Map(Object.entries(map)), idleMs: 10_000 });
  pools.push(pool);
  return pool;
}

test.after.always(async () => {
  await closeBrokers();
  await Promise.all(pools.map((p) => p.close()));
});

/** The in-cluster address of upstream's demo RabbitMQ, as anomaly-detection-sb.yaml's Secret has it. */
const DEMO_RABBITMQ = 'rabbitmq.streaming-runtime.svc.cluster.local:5672';
/** The sample whose binding Secret is not in the file (its test is below the loop). */
const SB2 = 'anomaly-detection-sb2.yaml';

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };
/** The protocols of the samples' Streams, provisioned on the operator's default brokers (the test's). */
const protocols = ['kafka', 'rabbitmq'];
const dir = path.join(repoRoot, 'test', 'fixtures', 'tanzu', 'samples');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && f !== SB2)
  .sort();

interface SampleStream {
  readonly name: string;
  readonly topic: string;
  readonly protocol: string;
  readonly clusterStream: string;
  readonly binding: string | undefined;
}

/** Kinds in the samples that are not Sluice's (nor Kubernetes'): kubectl refuses them. */
const FOREIGN_KINDS = ['Processor', 'ServiceBinding'];
const FOREIGN_LINE = /no matches for kind "(Processor|ServiceBinding)"/;

/** The Stream documents of a sample file, and the kinds of the others. */
function documentsOf(file: string): { streams: SampleStream[]; others: string[] } {
  const streams: SampleStream[] = [];
  const others: string[] = [];
  for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
    const obj: unknown = doc.toJS();
    if (!isRecord(obj)) continue;
    const metadata = isRecord(obj.metadata) ? obj.metadata : {};
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const storage = isRecord(spec.storage) ? spec.storage : {};
    if (obj.kind !== 'Stream') {
      others.push(String(obj.kind));
      continue;
    }
    const name = String(metadata.name);
    streams.push({
      name,
      topic: String(spec.name),
      protocol: String(spec.protocol),
      clusterStream:
        typeof storage.clusterStream === 'string' ? storage.clusterStream : `${name}-cluster-stream`,
      binding: typeof spec.binding === 'string' ? spec.binding : undefined,
    });
  }
  return { streams, others };
}

/** `kubectl apply -n <namespace> -f <file>`: its exit code and what it printed. */
function kubectlApply(namespace: string, file: string): Promise<{ code: number; out: string }> {
  const env = testEnv();
  return new Promise((resolve) => {
    execFile(
      env.kubectl,
      ['--kubeconfig', env.kubeconfig, 'apply', '-n', namespace, '-f', file],
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * Applies a sample file and checks what kubectl says: every Stream (and Secret) created, the
 * foreign documents refused (no such kind) and nothing else; a non-zero exit only with those.
 */
async function applyChecked(
  t: ExecutionContext,
  app: string,
  file: string,
  streams: readonly SampleStream[],
  others: readonly string[],
): Promise<void> {
  const applied = await kubectlApply(app, path.join(dir, file));
  const lines = applied.out.split('\n').filter(Boolean);
  for (const s of streams)
    t.true(lines.includes(`stream.streaming.tanzu.vmware.com/${s.name} created`), applied.out);
  const created = /^(stream\.streaming\.tanzu\.vmware\.com|secret)\/\S+ created$/;
  t.is(lines.filter((l) => l.startsWith('secret/')).length, others.filter((k) => k === 'Secret').length);
  const refused = lines.filter((l) => !created.test(l));
  const foreign = others.filter((k) => FOREIGN_KINDS.includes(k)).length;
  t.is(refused.filter((l) => FOREIGN_LINE.test(l)).length, foreign, applied.out);
  for (const line of refused)
    t.regex(line, new RegExp(`${FOREIGN_LINE.source}|^ensure CRDs are installed first$`));
  t.is(applied.code === 0, foreign === 0);
}

for (const file of files) {
  test.serial(
    `the sample pipeline ${file}, applied unchanged, binds every Stream to an auto-provisioned ClusterStream and each is Ready`,
    async (t) => {
      const { streams, others } = documentsOf(file);
      t.true(streams.length > 0);
      const iso = isolation(`sample-${file.replace(/\.yaml$/, '')}`);
      const { ops, app } = await prepareTwo(t, iso.namespace);
      const admin = await kafkaAdmin(t, iso.topicPrefix);
      const rabbit = await rabbitEnv();
      // The samples' RabbitMQ Streams go to the default virtual host as guest (no broker binding).
      const config = { rabbitmqUrl: rabbit.hostPort };
      const rabbitNames = streams.filter((s) => s.protocol === 'rabbitmq').map((s) => s.topic);
      await tenantClient(t, rabbit, '', rabbitNames, 'guest');
      t.teardown(async () => {
        const kafkaTopics = streams.filter((s) => s.protocol === 'kafka').map((s) => s.topic);
        const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
        const gone = kafkaTopics.filter((topic) => existing.has(topic));
        if (gone.length > 0) await admin.deleteTopics({ topics: gone }).catch(() => undefined);
      });
      for (const s of streams) {
        t.is(await getCs(s.clusterStream), undefined, `${s.clusterStream} exists before the file is applied`);
        cleanupClusterStream(t, s.clusterStream);
      }

      await applyChecked(t, app, file, streams, others);
      const clients = overridden({ [DEMO_RABBITMQ]: rabbit.hostPort });

      for (const s of streams) {
        t.true(protocols.includes(s.protocol), `${s.name}: protocol ${s.protocol}`);
        const bound = await converge(fns, ops, app, s.name, s.clusterStream, {
          rounds: 12,
          config,
          brokers: clients,
        });
        t.is(
          readyReason(bound),
          'StreamDeployed',
          `${s.name}: ${JSON.stringify(statusOf(bound).conditions)}`,
        );
        t.is(statusOf(bound).clusterStream, s.clusterStream);
        const cs = await getCs(s.clusterStream);
        t.is(cs?.metadata.labels?.[AUTO_PROVISIONED_LABEL], 'true');
        t.like(cs?.spec, { name: s.topic, claimRef: { namespace: app, name: s.name } });
        t.is(readyReason(cs), 'TopicReady');
        if (s.binding !== undefined) {
          // Connected through the file's Secret, read in the Stream's namespace.
          t.is(cs?.metadata.annotations?.[BINDING_NAMESPACE_ANNOTATION], app);
          t.like(cs?.spec, { storage: { server: { url: '', binding: s.binding } } });
          const entries = await secretEntries(ops, (statusOf(cs).binding as { name: string }).name);
          t.is(`${entries?.host ?? ''}:${entries?.port ?? ''}`, DEMO_RABBITMQ);
          t.like(entries, { username: 'guest' });
        }
      }
    },
  );
}

test.serial(
  `the sample pipeline ${SB2}, applied unchanged, reports BindingNotFound for the RabbitMQ Stream until its Secret exists, then it is Ready`,
  async (t) => {
    const { streams, others } = documentsOf(SB2);
    const iso = isolation('sample-anomaly-detection-sb2');
    const { ops, app } = await prepareTwo(t, iso.namespace);
    const admin = await kafkaAdmin(t, iso.topicPrefix);
    const rabbit = await rabbitEnv();
    const config = { rabbitmqUrl: rabbit.hostPort };
    const rabbitStreams = streams.filter((s) => s.protocol === 'rabbitmq');
    t.is(rabbitStreams.length, 1);
    await tenantClient(
      t,
      rabbit,
      '',
      rabbitStreams.map((s) => s.topic),
      'guest',
    );
    t.teardown(async () => {
      const kafkaTopics = streams.filter((s) => s.protocol === 'kafka').map((s) => s.topic);
      const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
      const gone = kafkaTopics.filter((topic) => existing.has(topic));
      if (gone.length > 0) await admin.deleteTopics({ topics: gone }).catch(() => undefined);
    });
    for (const s of streams) cleanupClusterStream(t, s.clusterStream);
    await applyChecked(t, app, SB2, streams, others);
    // Where the RabbitMQ cluster operator's Secret for a RabbitmqCluster would point.
    const host = `udf-output-possible-fraud.${app}.svc`;
    const clients = overridden({ [`${host}:5672`]: rabbit.hostPort });

    for (const s of streams.filter((x) => x.protocol === 'kafka')) {
      const bound = await converge(fns, ops, app, s.name, s.clusterStream, { rounds: 12, config });
      t.is(readyReason(bound), 'StreamDeployed', `${s.name}: ${JSON.stringify(statusOf(bound).conditions)}`);
    }
    const [s] = rabbitStreams;
    if (!s) return;
    const secretName = 'udf-output-possible-fraud-default-user';
    t.is(s.binding, secretName);
    const waiting = await converge(fns, ops, app, s.name, s.clusterStream, {
      rounds: 3,
      reason: 'never',
      config,
      brokers: clients,
    });
    const csReady = findCondition(statusOf(await getCs(s.clusterStream)), 'Ready');
    t.is(csReady?.reason, 'BindingNotFound');
    t.true(
      csReady?.message.startsWith(`the broker binding Secret ${app}/${secretName} does not exist`),
      csReady?.message,
    );
    t.regex(csReady?.message ?? '', /Sluice deploys no RabbitMQ cluster/);
    // Then the operator's namespace, as before Streams' bindings were read in their namespace.
    t.true(csReady?.message.includes(`(nor does ${ops}/${secretName})`), csReady?.message);
    const streamReady = findCondition(statusOf(waiting), 'Ready');
    t.is(streamReady?.reason, 'ClusterStreamNotReady');
    t.true(
      streamReady?.message.includes(`BindingNotFound: the broker binding Secret ${app}/${secretName}`),
      streamReady?.message,
    );

    // The Secret as the RabbitMQ cluster operator writes it (its default user; guest here, the
    // test broker's user that may log in over loopback).
    await adminClient().create(Builtin.Secret, {
      metadata: { name: secretName, namespace: app },
      stringData: {
        type: 'rabbitmq',
        provider: 'rabbitmq',
        host,
        port: '5672',
        username: 'guest',
        password: 'guest',
      },
    });
    const bound = await converge(fns, ops, app, s.name, s.clusterStream, {
      rounds: 12,
      config,
      brokers: clients,
    });
    t.is(readyReason(bound), 'StreamDeployed', JSON.stringify(statusOf(bound).conditions));
    const entries = await secretEntries(app, (statusOf(bound).binding as { name: string }).name);
    t.like(entries, { host, port: '5672', exchange: s.topic });
  },
);
