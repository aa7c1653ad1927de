/**
 * @module test/env/private-kafka
 * A single-node KRaft Kafka of a test's own (the environment's jars, see `components/kafka.ts`),
 * with a PLAINTEXT listener and, when given a server certificate, an SSL and a SASL_SSL listener
 * (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512; the SCRAM users are written at format time). For
 * tests of TLS and SASL, and for tests that stop the broker. It takes 10–30 s to start.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { environment } from '../../runtime/config.js';
import { bins, fetchKafka } from './build.js';
import { kafkaAnswers } from './components/kafka.js';
import { freePort, tail } from './proc.js';

export interface KafkaUser {
  readonly name: string;
  readonly password: string;
}

export interface PrivateKafkaOptions {
  /** Key and certificate chain in one PEM file: enables the SSL and SASL_SSL listeners. */
  readonly tlsBundlePath?: string;
  /** SASL users (PLAIN and SCRAM) of the SASL_SSL listener; letters, digits, `-` and `_` only. */
  readonly users?: readonly KafkaUser[];
}

export interface PrivateKafka {
  /** `127.0.0.1:<port>` of the PLAINTEXT listener. */
  readonly plaintext: string;
  /** `127.0.0.1:<port>` of the SSL listener (with a certificate). */
  readonly ssl: string | undefined;
  /** `127.0.0.1:<port>` of the SASL_SSL listener (with a certificate). */
  readonly saslSsl: string | undefined;
  /** Kills the broker (its data stays for {@link up}). */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
}

const execFileP = promisify(execFile);

const JAVA_OPTS = [
  '-Xms128m',
  '-Xmx384m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

interface Ports {
  readonly plain: number;
  readonly controller: number;
  readonly ssl: number;
  readonly saslSsl: number;
}

const SIMPLE = /^[A-Za-z0-9_-]+$/;

function properties(p: Ports, dataDir: string, o: PrivateKafkaOptions): string {
  const tls = o.tlsBundlePath !== undefined;
  const listeners = [`PLAINTEXT://127.0.0.1:${p.plain}`];
  if (tls) listeners.push(`SSL://127.0.0.1:${p.ssl}`, `SASL_SSL://127.0.0.1:${p.saslSsl}`);
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${p.controller}`,
    `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${p.controller}`].join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'num.network.threads=1',
    'num.io.threads=2',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
  ];
  if (tls) {
    const users = o.users ?? [];
    if (users.some((u) => !SIMPLE.test(u.name) || !SIMPLE.test(u.password)))
      throw new Error('private Kafka users: names and passwords of letters, digits, - and _ only');
    const plainUsers = users.map((u) => `user_${u.name}="${u.password}"`).join(' ');
    lines.push(
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${o.tlsBundlePath ?? ''}`,
      'ssl.client.auth=none',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Whether a spawned process still runs (a signalled one has a null exit code but is gone). */
function running(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** Formats the storage (with the SCRAM users) and starts the broker; resolves when it answers. */
export async function startPrivateKafka(opts: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  await fetchKafka();
  const ports: Ports = {
    plain: await freePort(),
    controller: await freePort(),
    ssl: await freePort(),
    saslSsl: await freePort(),
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-'));
  const props = path.join(dir, 'server.properties');
  writeFileSync(props, properties(ports, path.join(dir, 'data'), opts), { mode: 0o600 });
  const classpath = `${bins.kafkaLib}/*`;
  const scram = (opts.tlsBundlePath ? (opts.users ?? []) : []).flatMap((u) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
      '--add-scram',
      `${m}=[name=${u.name},password=${u.password}]`,
    ]),
  );
  // Not through proc.run: its log would hold the SCRAM passwords of the command line.
  await execFileP('java', [
    ...JAVA_OPTS,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    randomBytes(16).toString('base64url'),
    '-c',
    props,
    ...scram,
  ]).catch((err: unknown) => {
    throw new Error(
      `formatting the private Kafka failed: ${(err as { stderr?: string }).stderr ?? String(err)}`,
    );
  });
  const logFile = path.join(dir, 'kafka.log');
  let child: ChildProcess | undefined;
  const up = async (): Promise<void> => {
    if (child && running(child)) return;
    const fd = openSync(logFile, 'a');
    const started = spawn('java', [...JAVA_OPTS, '-cp', classpath, 'kafka.Kafka', props], {
      stdio: ['ignore', fd, fd],
      env: { ...environment() },
    });
    closeSync(fd);
    child = started;
    process.once('exit', () => started.kill('SIGKILL'));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (!running(started)) break;
      if (await kafkaAnswers(ports.plain)) return;
      await sleep(500);
    }
    throw new Error(`the private Kafka did not start:\n${tail(logFile)}`);
  };
  const down = async (): Promise<void> => {
    const c = child;
    if (!c || !running(c)) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await up();
  const tls = opts.tlsBundlePath !== undefined;
  return {
    plaintext: `127.0.0.1:${ports.plain}`,
    ssl: tls ? `127.0.0.1:${ports.ssl}` : undefined,
    saslSsl: tls ? `127.0.0.1:${ports.saslSsl}` : undefined,
    down,
    up,
    async stop() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
