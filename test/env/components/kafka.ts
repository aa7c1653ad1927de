/**
 * @module test/env/components/kafka
 * A single-node Kafka in KRaft mode (broker and controller in one JVM), from Maven Central jars.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { bins, fetchKafka } from '../build.js';
import type { Component } from '../component.js';
import { dataDir } from '../paths.js';
import { livePid, run, startDetached, waitFor } from '../proc.js';
import type { EnvState } from '../state.js';

const JAVA_OPTS = [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
];

/** Whether the broker answers a metadata request. */
export async function kafkaAnswers(port: number): Promise<boolean> {
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function properties(state: EnvState, logDir: string): string {
  const { kafka: p, kafkaController: c } = state.ports;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${c}`,
    `listeners=PLAINTEXT://127.0.0.1:${p},CONTROLLER://127.0.0.1:${c}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${p}`,
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
  ].join('\n');
}

export const kafka: Component = {
  name: 'kafka',
  async healthy(state: EnvState) {
    return livePid('kafka') !== undefined && (await kafkaAnswers(state.ports.kafka));
  },
  async start(state: EnvState) {
    await fetchKafka();
    const dir = path.join(dataDir, 'kafka');
    const logDir = path.join(dir, 'data');
    const props = path.join(dir, 'server.properties');
    mkdirSync(dir, { recursive: true });
    writeFileSync(props, properties(state, logDir));
    const classpath = `${bins.kafkaLib}/*`;
    if (!existsSync(path.join(logDir, 'meta.properties'))) {
      const clusterId = randomBytes(16).toString('base64url');
      await run('kafka', 'java', [
        ...JAVA_OPTS,
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
    }
    const pid = startDetached('kafka', 'java', [...JAVA_OPTS, '-cp', classpath, 'kafka.Kafka', props]);
    await waitFor('kafka', () => kafkaAnswers(state.ports.kafka), 90_000, pid);
  },
  describe(state: EnvState) {
    return `127.0.0.1:${state.ports.kafka} (KRaft controller :${state.ports.kafkaController})`;
  },
};
