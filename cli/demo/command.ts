/**
 * @module cli/demo/command
 * `sluice demo [--watch]`: Sluice on the local environment with an example of every resource.
 *
 * Steps: read `.sluice/env.json`; install the CRDs; create the demo namespaces, the StorageClasses
 * the examples name and the broker binding Secret; run the dispatcher, the workers and the HTTP
 * API in this process (as `sluice dev` does, with a generated API token, limited to the demo's
 * objects); apply the examples; wait until every object is Ready (or the timeout passes); print
 * the status table, the dashboard URL and the token.
 *
 * Then, without `--watch`, it deletes what it made and exits: 0 when every object was Ready, 1
 * otherwise, so it doubles as an end-to-end check. With `--watch` it keeps running and reports
 * changes until Ctrl-C, then deletes what it made. `--keep` leaves everything in place instead.
 * Logs of the operator go to a file (`--log-file`), so the terminal shows only progress.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { startDispatcher } from '../../runtime/dispatcher/main.js';
import { startWorkers } from '../../runtime/worker/main.js';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import {
  Builtin,
  QueueSet,
  dispatcherKeyPatterns,
  loadConfig,
  SluiceMetrics,
  createLogger,
  kubeClientFrom,
  type KubeClient,
  type RedisEndpoint,
} from '../../runtime/index.js';
import { ClusterStreamKind, sluiceRegistry } from '../../shared/index.js';
import { printTable } from '../output.js';
import { cleanUp, type Say } from './cleanup.js';
import {
  DEMO_LABEL,
  DEMO_LABEL_VALUE,
  STORAGE_CLASSES,
  STORES,
  examples,
  kafkaBindingSecret,
  type Example,
} from './examples.js';
import { applyAs, ensureNamespace, ensureStorageClass, installCrds, readCrds } from './cluster.js';
import { DEMO_NAMES, demoVariables, readEnvironment, repoRoot } from './environment.js';
import { provideOperatorNeeds } from '../../shared/providers.js';
import { container } from 'tsyringe';
import { demoScope } from './scope.js';
import { allReady, describeRow, kindLabel, statusRows, type StatusRow } from './status.js';

interface DemoOptions {
  readonly watch: boolean;
  readonly keep: boolean;
  readonly httpPort: number;
  readonly envFile: string;
  readonly timeout: number;
  readonly logFile: string;
  readonly logLevel: string;
}

/** The examples plus what Sluice makes from them: the provisioned ClusterStream, the Directive's Stream. */
const EXPECTED_OBJECTS = 8;

const say: Say = (line) => process.stdout.write(`${line}\n`);

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function stopRequested(): { promise: Promise<void>; requested: () => boolean } {
  let requested = false;
  const promise = new Promise<void>((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      if (requested) process.exit(130);
      requested = true;
      say(`\n${signal}: stopping (press Ctrl-C again to exit at once, leaving everything in place)`);
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  return { promise, requested: () => requested };
}

/** Prints the rows that changed since `last`; returns the new state. */
function reportChanges(rows: readonly StatusRow[], last: Map<string, string>): Map<string, string> {
  const next = new Map<string, string>();
  for (const row of rows) {
    const line = describeRow(row);
    next.set(`${row.kind} ${row.name}`, line);
    if (last.get(`${row.kind} ${row.name}`) !== line) say(`  ${line}`);
  }
  for (const key of last.keys()) if (!next.has(key)) say(`  ${key}: gone`);
  return next;
}

async function waitUntilReady(
  kube: KubeClient,
  namespaces: readonly string[],
  timeoutMs: number,
  stop: () => boolean,
): Promise<{ rows: StatusRow[]; ready: boolean; last: Map<string, string> }> {
  const deadline = Date.now() + timeoutMs;
  let last = new Map<string, string>();
  for (;;) {
    const rows = await statusRows(kube, namespaces);
    last = reportChanges(rows, last);
    const ready = allReady(rows) && rows.length >= EXPECTED_OBJECTS;
    if (ready || stop() || Date.now() > deadline) return { rows, ready, last };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function prepare(kube: KubeClient, env: ReturnType<typeof readEnvironment>): Promise<void> {
  const crds = readCrds(path.join(repoRoot(), 'crds'));
  await installCrds(kube, crds);
  say(`installed ${crds.length} CustomResourceDefinitions`);
  const labels = { [DEMO_LABEL]: DEMO_LABEL_VALUE };
  for (const ns of [DEMO_NAMES.operatorNamespace, DEMO_NAMES.namespace]) {
    say(`namespace ${ns}: ${(await ensureNamespace(kube, ns, labels)) ? 'created' : 'exists'}`);
  }
  for (const sc of STORAGE_CLASSES) {
    say(`StorageClass ${sc}: ${(await ensureStorageClass(kube, sc)) ? 'created (kwok volumes)' : 'exists'}`);
  }
  await applyAs(kube, Builtin.Secret, kafkaBindingSecret(env, DEMO_NAMES.operatorNamespace));
  say(`Secret ${DEMO_NAMES.operatorNamespace}/kafka-binding: applied (the ClusterStream's broker binding)`);
}

async function run(opts: DemoOptions): Promise<number> {
  const stop = stopRequested();
  const env = readEnvironment(path.resolve(repoRoot(), opts.envFile));
  say(`environment: Kafka ${env.kafkaBrokers.join(',')}, NATS ${env.natsUrl}, Redis ${env.redisUrl}`);
  const token = randomBytes(24).toString('hex');
  const variables = demoVariables(env, DEMO_NAMES, { token, logLevel: opts.logLevel, stores: STORES });
  const config = loadConfig(variables);
  const kube = kubeClientFrom(config);
  const namespaces = [DEMO_NAMES.namespace, DEMO_NAMES.operatorNamespace];
  await prepare(kube, env);

  const logFile = path.resolve(repoRoot(), opts.logFile);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createLogger({
    level: config.logLevel,
    base: { component: 'demo' },
    destination: createWriteStream(logFile),
  });
  const metrics = new SluiceMetrics().withProcessMetrics();
  const needs = provideOperatorNeeds(container, variables, log);
  const workers = await startWorkers(config, SLUICE_FUNCTIONS, {
    kinds: [],
    concurrency: 4,
    container,
    metrics,
    log,
  });
  const dispatcher = await startDispatcher(config, SLUICE_FUNCTIONS, {
    httpPort: opts.httpPort,
    httpHost: '127.0.0.1',
    leaderElection: false,
    scope: demoScope(namespaces),
    metrics,
    log,
  });
  say(
    `Sluice is running: dispatcher, workers for ${SLUICE_FUNCTIONS.length} kinds, HTTP API on port ${dispatcher.port}`,
  );
  say(`  operator logs: ${logFile}`);

  const applied: Example[] = examples(env, DEMO_NAMES.namespace);
  for (const ex of applied) {
    await applyAs(kube, ex.kind, ex.object);
    const { namespace, name = '' } = ex.object.metadata;
    say(`applied ${kindLabel(ex.kind)} ${namespace ? `${namespace}/` : ''}${name}`);
  }
  say(`waiting up to ${opts.timeout} s for every object to be Ready:`);
  const result = await waitUntilReady(kube, namespaces, opts.timeout * 1000, stop.requested);
  say('');
  printTable(
    result.rows.map((r) => ({ ...r })),
    'table',
  );
  say('');
  say(
    result.ready
      ? 'every object is Ready.'
      : 'not every object became Ready: see the table above, the Events and the logs.',
  );
  const base = `http://127.0.0.1:${dispatcher.port}`;
  say(`dashboard: ${base}/dashboard  (sign in with the API token; read-only)`);
  say(`API token: ${token}`);
  say(`probes and metrics: ${base}/readyz  ${base}/metrics`);

  if (opts.watch && !stop.requested()) {
    say('\nwatching: changes are printed as they happen; Ctrl-C stops the demo.');
    let last = result.last;
    const timer = setInterval(() => {
      statusRows(kube, namespaces).then(
        (rows) => (last = reportChanges(rows, last)),
        () => undefined,
      );
    }, 2000);
    await stop.promise;
    clearInterval(timer);
  }
  if (opts.keep)
    say(
      `\nleaving everything in place (--keep); \`kubectl delete namespace ${namespaces.join(' ')}\` removes most of it.`,
    );
  else
    await cleanUp(
      kube,
      DEMO_NAMES,
      applied.find((ex) => ex.kind === ClusterStreamKind),
      say,
    );
  await dispatcher.stop();
  await workers.stop();
  await needs.close();
  if (!opts.keep) await forgetQueues(config.redis, config.queuePrefix);
  kube.rest.close();
  say('demo stopped.');
  return result.ready ? 0 : 1;
}

/** Removes the demo's queues and the dispatcher's saved state from Redis. */
async function forgetQueues(redis: RedisEndpoint, prefix: string): Promise<void> {
  const queues = new QueueSet({ redis, prefix });
  try {
    for (const kind of sluiceRegistry().all()) await queues.get(kind).obliterate({ force: true });
    for (const pattern of dispatcherKeyPatterns(prefix)) {
      // One DEL per key: the legacy keys are spread over Redis Cluster slots.
      for (const key of await queues.connection.keys(pattern)) await queues.connection.del(key);
    }
  } finally {
    await queues.close();
  }
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive whole number: ${value}`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
}

/** Registers `sluice demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run Sluice on the local environment (npm run env:up) with an example of every resource')
    .option('--watch', 'keep running until Ctrl-C, reporting changes', false)
    .option('--keep', 'leave the examples in place when stopping', false)
    .option('--http-port <port>', 'HTTP port of the API and dashboard (0: any free port)', port, 0)
    .option(
      '--env-file <file>',
      'the environment description, relative to the repository',
      '.sluice/env.json',
    )
    .option('--timeout <seconds>', 'how long to wait for every object to be Ready', positive, 180)
    .option(
      '--log-file <file>',
      "where the operator's logs go, relative to the repository",
      '.sluice/logs/demo.log',
    )
    .option('--log-level <level>', "level of the operator's logs", 'info')
    .action(async (opts: DemoOptions) => {
      process.exit(await run(opts));
    });
}
