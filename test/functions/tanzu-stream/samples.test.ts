/**
 * The Streaming Runtime's sample pipelines (issue 13), applied unchanged to the environment with
 * kubectl: every Stream document (Kafka and RabbitMQ) binds to a ClusterStream that Sluice auto-provisions (the
 * ClusterStream each names in `storage.clusterStream` does not exist beforehand) and is Ready.
 * The files' Processor documents are the Streaming Runtime's, not Sluice's: kubectl refuses them
 * (no such kind) and applies the rest, and that is all it refuses.
 *
 * The fixtures are the upstream files as they are (`test/fixtures/tanzu/samples/`). Several share
 * cluster-scoped names (the four top-k-songs variants use the same ClusterStreams and topics), so
 * the files run one after another, each ClusterStream removed when its file is done; a topic left
 * by one variant is adopted by the next.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { isRecord } from '../../../runtime/index.js';
import { AUTO_PROVISIONED_LABEL } from '../../../shared/tanzu/names.js';
import { repoRoot } from '../../env/paths.js';
import { isolation, testEnv } from '../../helpers/env.js';
import {
  cleanupClusterStream,
  closeBrokers,
  converge,
  getCs,
  kafkaAdmin,
  prepareTwo,
  readyReason,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';
import { rabbitEnv, tenantClient } from '../../fixtures/tanzu/rabbitmq.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };
/** The protocols of the samples' Streams, provisioned on the operator's default brokers (the test's). */
const protocols = ['kafka', 'rabbitmq'];
const dir = path.join(repoRoot, 'test', 'fixtures', 'tanzu', 'samples');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

interface SampleStream {
  readonly name: string;
  readonly topic: string;
  readonly protocol: string;
  readonly clusterStream: string;
}

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

      const applied = await kubectlApply(app, path.join(dir, file));
      const lines = applied.out.split('\n').filter(Boolean);
      for (const s of streams)
        t.true(lines.includes(`stream.streaming.tanzu.vmware.com/${s.name} created`), applied.out);
      // What kubectl refuses is the Processor documents (no such kind here), and only those.
      const refused = lines.filter((l) => !/^stream\.streaming\.tanzu\.vmware\.com\/\S+ created$/.test(l));
      const processors = others.filter((k) => k === 'Processor').length;
      t.is(refused.filter((l) => /no matches for kind "Processor"/.test(l)).length, processors, applied.out);
      for (const line of refused)
        t.regex(line, /no matches for kind "Processor"|^ensure CRDs are installed first$/);
      t.is(applied.code === 0, processors === 0);

      for (const s of streams) {
        t.true(protocols.includes(s.protocol), `${s.name}: protocol ${s.protocol}`);
        const bound = await converge(fns, ops, app, s.name, s.clusterStream, { rounds: 12, config });
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
      }
    },
  );
}
