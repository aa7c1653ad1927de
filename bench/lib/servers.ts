/**
 * @module bench/lib/servers
 * Private servers of a scenario, on free loopback ports, removed with their data when it ends:
 * - a nats-server with JetStream (Debian's, as the test environment runs), so that thousands of
 *   streams never land on the shared one;
 * - a 3-broker KRaft Kafka (each JVM broker and controller, as the environment's single node is),
 *   because one broker cannot hold 10,000 topics under this machine's open-files limit (20,000,
 *   not raisable; a broker needs 2–3 files per partition).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bins, debianPrograms, fetchKafka } from '../../test/env/build.js';
import { kafkaAnswers } from '../../test/env/components/kafka.js';
import { logsDir } from '../../test/env/paths.js';
import { freePort, run } from '../../test/env/proc.js';
import { startProgram, stopChild } from './procs.js';

export interface PrivateServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** A nats-server with JetStream; `binary` defaults to Debian's. */
export async function startPrivateNats(binary?: string): Promise<PrivateServer & { port: number }> {
  const programs = await debianPrograms();
  const port = await freePort();
  const monitor = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-nats-'));
  mkdirSync(logsDir, { recursive: true });
  const child = startProgram(
    binary ?? programs.natsServer,
    ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-n', 'bench', '-js', '-sd', dir],
    path.join(logsDir, 'bench-nats.log'),
  );
  await waitUntil(
    'nats-server',
    async () => (await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`)).ok,
    20_000,
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child, 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const KAFKA_JAVA_OPTS = [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
];

/** A 3-broker KRaft Kafka (each node broker and controller); `url` is the comma-separated bootstrap list. */
export async function startKafkaCluster(nodes = 3): Promise<PrivateServer & { brokers: string[] }> {
  await fetchKafka();
  const ports = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const controllers = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-kafka-'));
  const voters = controllers.map((c, i) => `${i + 1}@127.0.0.1:${c}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');
  const classpath = `${bins.kafkaLib}/*`;
  const children: ChildProcess[] = [];
  for (let i = 0; i < nodes; i++) {
    const logDir = path.join(dir, `node-${i + 1}`);
    mkdirSync(logDir, { recursive: true });
    const props = path.join(dir, `server-${i + 1}.properties`);
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        `node.id=${i + 1}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${ports[i]},CONTROLLER://127.0.0.1:${controllers[i]}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${ports[i]}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${logDir}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'num.network.threads=2',
        'num.io.threads=2',
        'auto.create.topics.enable=false',
        'delete.topic.enable=true',
        '',
      ].join('\n'),
    );
    await run(`bench-kafka-${i + 1}-format`, 'java', [
      ...KAFKA_JAVA_OPTS,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      // One argument: a base64url id may start with '-', which the tool would take for an option.
      `--cluster-id=${clusterId}`,
      '-c',
      props,
      '--ignore-formatted',
    ]);
    children.push(
      startProgram(
        'java',
        [...KAFKA_JAVA_OPTS, '-cp', classpath, 'kafka.Kafka', props],
        path.join(logsDir, `bench-kafka-${i + 1}.log`),
      ),
    );
  }
  const brokers = ports.map((p) => `127.0.0.1:${p}`);
  try {
    for (const p of ports) await waitUntil(`kafka broker :${p}`, () => kafkaAnswers(p), 180_000);
  } catch (err) {
    await Promise.all(children.map((c) => stopChild(c, 5_000)));
    throw err;
  }
  return {
    url: brokers.join(','),
    brokers,
    async stop() {
      await Promise.all(children.map((c) => stopChild(c, 30_000)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
