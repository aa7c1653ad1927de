/**
 * @module bench/lib/sluice
 * Sluice's processes in a scenario: the production entry points (`sluice worker`, `sluice
 * dispatcher` from the compiled CLI, configured through their environment variables) and the
 * scoped benchmark dispatcher (`bench/proc/dispatcher`). Each logs to `.sluice/logs/bench-*.log`.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { redisOptions, type KindInfo } from '../../runtime/index.js';
import { logsDir } from '../../test/env/paths.js';
import { freePort } from '../../test/env/proc.js';
import { testEnv } from '../../test/helpers/env.js';
import { NodeChild, startProgram, stopChild } from './procs.js';

const cliMain = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

/** The environment of a Sluice process of a scenario. */
export interface SluiceEnv {
  readonly redisUrl: string;
  readonly prefix: string;
  /** The operator namespace (leases, binding Secrets). */
  readonly namespace: string;
  readonly extra?: Readonly<Record<string, string>>;
  /** The `node` binary the process runs on (`--node`). @defaultValue the driver's own */
  readonly node?: string;
}

/** The `node` field of a {@link SluiceEnv} for a scenario's `--node` option (nothing when unset). */
export function nodeOf(opts: { readonly node?: string }): { readonly node?: string } {
  return opts.node === undefined ? {} : { node: opts.node };
}

function envOf(e: SluiceEnv): Record<string, string> {
  return {
    KUBECONFIG: testEnv().kubeconfig,
    SLUICE_REDIS_URL: e.redisUrl,
    SLUICE_QUEUE_PREFIX: e.prefix,
    SLUICE_NAMESPACE: e.namespace,
    SLUICE_LOG_LEVEL: 'warn',
    ...e.extra,
  };
}

/** A running process with its pid. */
export interface Running {
  readonly pid: number;
  stop(): Promise<void>;
}

function running(child: ChildProcess): Running {
  return { pid: child.pid ?? 0, stop: () => stopChild(child, 30_000) };
}

/** `sluice worker --kinds <kinds>`, its probes and metrics on a free port; resolves once its BullMQ workers are connected. */
export async function startCliWorker(
  e: SluiceEnv,
  kind: KindInfo,
  extraArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<Running & { port: number }> {
  const port = await freePort();
  const child = startProgram(
    e.node ?? process.execPath,
    [
      ...nodeArgs,
      cliMain,
      'worker',
      '--kinds',
      `${kind.plural}.${kind.group}`,
      '--http-port',
      String(port),
      ...extraArgs,
    ],
    path.join(logsDir, 'bench-worker.log'),
    envOf(e),
  );
  const queue = new Queue(kind.queue, {
    connection: { url: e.redisUrl, ...redisOptions() },
    prefix: e.prefix,
  });
  try {
    const deadline = Date.now() + 60_000;
    while ((await queue.getWorkersCount()) === 0) {
      if (child.exitCode !== null)
        throw new Error(`sluice worker exited (${child.exitCode}); see bench-worker.log`);
      if (Date.now() > deadline) throw new Error('sluice worker did not connect in 60 s');
      await sleep(100);
    }
  } finally {
    await queue.close();
  }
  return { ...running(child), port };
}

/**
 * Node flags that make a process write a V8 CPU profile into `<dir>/<name>/` when it exits; none
 * when `dir` is unset. Summarise with `node dist/bench/profile.js <dir>/<name>/*.cpuprofile`.
 */
export function cpuProfileArgs(dir: string | undefined, name: string): string[] {
  return dir === undefined
    ? []
    : ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, name)}`, '--cpu-prof-interval=200'];
}

/** Sum and count of a histogram of a Sluice process's /metrics (all label sets added up). */
export async function histogram(port: number, name: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum`)) sum += value;
    else if (line.startsWith(`${name}_count`)) count += value;
  }
  return { sum, count };
}

/** `sluice dispatcher` (every registered kind, cluster-wide; HTTP on `port`, default any free one). */
export function startCliDispatcher(
  e: SluiceEnv,
  opts: {
    readonly port?: number;
    readonly leaderElection?: boolean;
    readonly nodeArgs?: readonly string[];
  } = {},
): Running {
  const child = startProgram(
    e.node ?? process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      cliMain,
      'dispatcher',
      '--http-port',
      String(opts.port ?? 0),
      ...(opts.leaderElection === false ? ['--no-leader-election'] : []),
    ],
    path.join(logsDir, 'bench-dispatcher.log'),
    envOf(e),
  );
  return running(child);
}

/**
 * The scoped benchmark dispatcher (see `bench/proc/dispatcher`: ClusterStreams, or the Widgets of
 * `namespace` with `kind: 'widget'`); resolves once it leads and watches.
 */
export async function startBenchDispatcher(opts: {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly namespace: string;
  readonly labelSelector?: string;
  readonly kind?: 'cluster-stream' | 'widget';
  readonly resyncSeconds?: number;
}): Promise<Running & { readonly child: NodeChild }> {
  const child = new NodeChild('dispatcher', { ...opts, kubeconfig: testEnv().kubeconfig });
  await child.waitFor('leading', 120_000);
  return { pid: child.pid, child, stop: () => child.stop(30_000) };
}
