/**
 * @module cli/runtime
 * The process entry points: `sluice dispatcher`, `sluice worker` and `sluice dev`. Each runs until
 * SIGTERM or SIGINT, then drains (in-flight reconciles finish) and exits.
 *
 * This is the operator's composition root: it puts the built-in functions (`functions/`) beside
 * any function module named with `--functions <file>`, and provides the functions' needs in a
 * tsyringe container (`shared/providers.ts`, and each module's own `provide`). The dispatcher
 * loads declarations only, never handlers or broker clients.
 */
import 'reflect-metadata';
import type { Command } from 'commander';
import { container } from 'tsyringe';
import { SLUICE_FUNCTIONS } from '../functions/index.js';
import { loadConfig, environment, type Environment } from '../runtime/config.js';
import { loadFunctionModule, type ProvidedResources } from '../runtime/controller/modules.js';
import type { FunctionDeclaration } from '../runtime/controller/declaration.js';
import { startDispatcher } from '../runtime/dispatcher/main.js';
import { messageOf } from '../runtime/errors.js';
import { createLogger, type Logger } from '../runtime/log.js';
import { SluiceMetrics } from '../runtime/metrics.js';
import { DEFAULT_CONCURRENCY } from '../runtime/worker/defaults.js';

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

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/**
 * The built-in functions (unless `builtins` is false) and those of the modules named; two
 * declarations of one kind are refused.
 */
async function allFunctions(
  modules: readonly string[],
  builtins = true,
): Promise<{
  functions: FunctionDeclaration[];
  provide: (env: Environment) => ProvidedResources[];
}> {
  const loaded = await Promise.all(modules.map((m) => loadFunctionModule(m)));
  const builtIn = builtins ? SLUICE_FUNCTIONS : [];
  if (builtIn.length === 0 && loaded.length === 0)
    throw new Error('--no-builtins needs at least one --functions module: there is nothing to run');
  const functions = [...builtIn, ...loaded.flatMap((m) => m.functions)];
  const seen = new Map<string, string>();
  for (const [i, f] of functions.entries()) {
    const key = `${f.kind.kind}.${f.kind.group}`;
    const from = i < builtIn.length ? 'the built-in functions' : 'a function module';
    const before = seen.get(key);
    if (before) throw new Error(`${key} is declared twice: by ${before} and by ${from}`);
    seen.set(key, from);
  }
  return { functions, provide: (env) => loaded.map((m) => m.provide(container, env)) };
}

/**
 * Starts workers with every function's needs provided: the operator's (loaded only here, with
 * kafkajs and nats) and each module's.
 */
async function startWorkerHost(
  functions: readonly FunctionDeclaration[],
  provideModules: (env: Environment) => ProvidedResources[],
  opts: {
    builtins: boolean;
    kinds: string[];
    concurrency: number;
    httpPort?: number;
    create?: boolean;
    metrics?: SluiceMetrics;
    log?: Logger;
  },
): Promise<{ stop(): Promise<void> }> {
  const config = loadConfig();
  const env = environment();
  const log = opts.log ?? createLogger({ level: config.logLevel, base: { component: 'worker' } });
  const { startWorkers } = await import('../runtime/worker/main.js');
  // The built-in functions' needs (and with them kafkajs and nats) only when they run.
  const operator = opts.builtins
    ? [(await import('../shared/providers.js')).provideOperatorNeeds(container, env, log)]
    : [];
  const resources = [...operator, ...provideModules(env)];
  const workers = await startWorkers(config, functions, {
    kinds: opts.kinds,
    concurrency: opts.concurrency,
    container,
    log,
    ...(opts.httpPort === undefined ? {} : { httpPort: opts.httpPort }),
    ...(opts.create ? { operatorNamespace: 'create' as const } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  }).catch(async (err: unknown) => {
    await Promise.all(resources.map((r) => r.close()));
    throw err;
  });
  return {
    async stop() {
      await workers.stop();
      await Promise.all(resources.map((r) => r.close()));
    },
  };
}

export function registerRuntimeCommands(program: Command): void {
  program
    .command('dispatcher')
    .description(
      'watch the API server and queue reconciles (with leader election), and serve the HTTP API and dashboard',
    )
    .option('--http-port <port>', 'HTTP port of the API, dashboard, probes and metrics', port, 8080)
    .option('--no-leader-election', 'lead at once (a single dispatcher)')
    .option('--functions <module>', 'also run the functions this module exports (repeatable)', collect, [])
    .option('--no-builtins', "run only the --functions modules' functions, not Sluice's own")
    .action(
      async (opts: { httpPort: number; leaderElection: boolean; functions: string[]; builtins: boolean }) => {
        const { functions } = await allFunctions(opts.functions, opts.builtins);
        const running = await startDispatcher(loadConfig(), functions, {
          httpPort: opts.httpPort,
          leaderElection: opts.leaderElection,
        });
        onSignal(() => running.stop());
      },
    );

  program
    .command('worker')
    .description('reconcile the queued objects of the given kinds')
    .option('--kinds <kinds>', 'comma-separated kinds (Kind, plural or plural.group); all when left out', '')
    .option('--concurrency <n>', 'reconciles at once per kind', positive, DEFAULT_CONCURRENCY)
    .option('--http-port <port>', 'port of /healthz, /readyz and /metrics', port, 8080)
    .option('--functions <module>', 'also run the functions this module exports (repeatable)', collect, [])
    .option('--no-builtins', "run only the --functions modules' functions, not Sluice's own")
    .action(
      async (opts: {
        kinds: string;
        concurrency: number;
        httpPort: number;
        functions: string[];
        builtins: boolean;
      }) => {
        const kinds = opts.kinds
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean);
        const { functions, provide } = await allFunctions(opts.functions, opts.builtins);
        const running = await startWorkerHost(functions, provide, {
          builtins: opts.builtins,
          kinds,
          concurrency: opts.concurrency,
          httpPort: opts.httpPort,
        });
        onSignal(() => running.stop());
      },
    );

  program
    .command('dev')
    .description('the dispatcher, workers for every kind and the HTTP API in one process, for local use')
    .option('--http-port <port>', 'HTTP port', port, 8080)
    .option('--concurrency <n>', 'reconciles at once per kind', positive, DEFAULT_CONCURRENCY)
    .option('--functions <module>', 'also run the functions this module exports (repeatable)', collect, [])
    .option('--no-builtins', "run only the --functions modules' functions, not Sluice's own")
    .action(
      async (opts: { httpPort: number; concurrency: number; functions: string[]; builtins: boolean }) => {
        const config = loadConfig();
        const metrics = new SluiceMetrics().withProcessMetrics();
        const log = createLogger({ level: config.logLevel, base: { component: 'dev' } });
        const { functions, provide } = await allFunctions(opts.functions, opts.builtins);
        // Local use: the operator namespace is created when missing (the dispatcher and workers of
        // a deployment refuse to start without it instead).
        const workers = await startWorkerHost(functions, provide, {
          builtins: opts.builtins,
          kinds: [],
          concurrency: opts.concurrency,
          create: true,
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
      },
    );
}
