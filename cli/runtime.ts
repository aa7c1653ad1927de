/**
 * @module cli/runtime
 * The process entry points: `sluice dispatcher`, `sluice worker` and `sluice dev`. Each runs until
 * SIGTERM or SIGINT, then drains (in-flight reconciles finish) and exits.
 */
import type { Command } from 'commander';
import { startDispatcher } from '../dispatcher/main.js';
import { DEFAULT_CONCURRENCY } from '../functions/host/defaults.js';
import type { startWorkers as StartWorkers } from '../functions/main.js';
import { SLUICE_WATCHES } from '../functions/watches.js';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/log.js';
import { SluiceMetrics } from '../shared/metrics.js';
import type { SluiceFunction } from '../shared/runtime/registration.js';
import { messageOf } from '../shared/errors.js';

/**
 * The worker host and every function's handlers. Loaded only by the commands that run workers: the
 * dispatcher needs only {@link SLUICE_WATCHES}, and stays without the broker clients and validators.
 */
async function workerModules(): Promise<{
  startWorkers: typeof StartWorkers;
  functions: readonly SluiceFunction[];
}> {
  const [host, registrations] = await Promise.all([
    import('../functions/main.js'),
    import('../functions/registrations.js'),
  ]);
  return { startWorkers: host.startWorkers, functions: registrations.SLUICE_FUNCTIONS };
}

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`${signal}: draining\n`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${messageOf(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive whole number: ${value}`);
  return n;
}

export function registerRuntimeCommands(program: Command): void {
  program
    .command('dispatcher')
    .description(
      'watch the API server and queue reconciles (with leader election), and serve the HTTP API and dashboard',
    )
    .option('--http-port <port>', 'HTTP port of the API, dashboard, probes and metrics', port, 8080)
    .option('--no-leader-election', 'lead at once (a single dispatcher)')
    .action(async (opts: { httpPort: number; leaderElection: boolean }) => {
      const running = await startDispatcher(loadConfig(), SLUICE_WATCHES, {
        httpPort: opts.httpPort,
        leaderElection: opts.leaderElection,
      });
      onSignal(() => running.stop());
    });

  program
    .command('worker')
    .description('reconcile the queued objects of the given kinds')
    .option('--kinds <kinds>', 'comma-separated kinds (Kind, plural or plural.group); all when left out', '')
    .option('--concurrency <n>', 'reconciles at once per kind', positive, DEFAULT_CONCURRENCY)
    .option('--http-port <port>', 'port of /healthz, /readyz and /metrics', port, 8080)
    .action(async (opts: { kinds: string; concurrency: number; httpPort: number }) => {
      const kinds = opts.kinds
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const { startWorkers, functions } = await workerModules();
      const running = await startWorkers(loadConfig(), functions, {
        kinds,
        concurrency: opts.concurrency,
        httpPort: opts.httpPort,
      });
      onSignal(() => running.stop());
    });

  program
    .command('dev')
    .description('the dispatcher, workers for every kind and the HTTP API in one process, for local use')
    .option('--http-port <port>', 'HTTP port', port, 8080)
    .option('--concurrency <n>', 'reconciles at once per kind', positive, DEFAULT_CONCURRENCY)
    .action(async (opts: { httpPort: number; concurrency: number }) => {
      const config = loadConfig();
      const metrics = new SluiceMetrics().withProcessMetrics();
      const log = createLogger({ level: config.logLevel, base: { component: 'dev' } });
      const { startWorkers, functions } = await workerModules();
      // Local use: the operator namespace is created when missing (the dispatcher and workers of
      // a deployment refuse to start without it instead).
      const workers = await startWorkers(config, functions, {
        kinds: [],
        concurrency: opts.concurrency,
        operatorNamespace: 'create',
        metrics,
        log,
      });
      const dispatcher = await startDispatcher(config, functions, {
        httpPort: opts.httpPort,
        leaderElection: false,
        metrics,
        log,
      });
      onSignal(async () => {
        await dispatcher.stop();
        await workers.stop();
      });
    });
}
