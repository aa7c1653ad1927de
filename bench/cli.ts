/**
 * @module bench/cli
 * `npm run bench -- <scenario> [--runs N] [--small] [--size N]`: runs a scenario several times,
 * writes the median, minimum and maximum of each figure to `bench/results/<scenario>.json` and a
 * markdown table, and regenerates `bench/results/README.md`.
 *
 * Scenarios: queue, jetstream-1000, kafka-10k, ceiling, memory, restart, capacity (see bench/README.md).
 * `--small` runs a scenario at development size and only prints its figures, so a full-size
 * result is never overwritten by a trial. Every child process is stopped on exit, even on Ctrl-C.
 */
import path from 'node:path';
import { Command } from 'commander';
import { machine, writeScenario, type Figures, type ScenarioResult, type Target } from './lib/results.js';
import { cleanupLeftovers } from './lib/cleanup.js';
import { stableApiServer } from './lib/kube.js';
import { stopAll } from './lib/procs.js';
import { startProfiler } from './lib/profiler.js';
import { SCENARIOS, type Scenario, type ScenarioOptions } from './scenarios/index.js';

function say(m: string): void {
  process.stdout.write(`${m}\n`);
}

async function runScenario(
  name: string,
  runs: number,
  small: boolean,
  extra: Pick<
    ScenarioOptions,
    'size' | 'nackSrc' | 'workerConcurrency' | 'reconcileMs' | 'cpuProfDir' | 'node'
  >,
): Promise<void> {
  const scenario: Scenario | undefined = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  if (scenario.order.length > 0 && name !== 'queue') await stableApiServer();
  const at = machine(extra.node);
  const prepared = await scenario.prepare({ small, ...extra }, say);
  const figures: Figures[] = [];
  try {
    for (let i = 0, retries = 0; i < runs; i++) {
      say(`${name}: run ${i + 1} of ${runs}`);
      try {
        figures.push(await prepared.run(i + retries * 100));
      } catch (err) {
        // The shared API server is restarted by other people's fault-injection tests: a run that
        // lost it is run again once it has been up for a while (at most twice per scenario).
        if (retries >= 2 || !/ECONNREFUSED|ECONNRESET|socket hang up/.test(String(err))) throw err;
        retries++;
        say(
          `  the run lost the API server (${String(err).split('\n')[0]}); running it again when it is stable`,
        );
        await stableApiServer();
        i--;
        continue;
      }
      say(`  ${JSON.stringify(figures[figures.length - 1])}`);
    }
  } finally {
    await prepared.cleanup().catch((err: unknown) => say(`cleanup failed: ${String(err)}`));
  }
  const result: ScenarioResult = {
    runs: figures,
    ...(prepared.details ? { details: prepared.details() } : {}),
    notes: prepared.notes,
  };
  if (small) {
    say(`${name} (small, not written): ${JSON.stringify(figures)}`);
    say(JSON.stringify(result.details ?? {}, null, 1));
    return;
  }
  const targets: readonly Target[] = prepared.targets;
  const json = writeScenario(name, scenario.order, result, targets, at);
  say(JSON.stringify(json, null, 2));
}

interface Options {
  readonly runs?: number;
  readonly small: boolean;
  readonly size?: number;
  readonly nackSrc?: string;
  readonly workerConcurrency?: number;
  readonly reconcileMs?: number;
  readonly cpuProf?: string;
  readonly node?: string;
}

const program = new Command()
  .name('bench')
  .argument('<scenario>', `one of ${Object.keys(SCENARIOS).join(', ')}, or cleanup (removes leftovers)`)
  .option('--runs <n>', 'how many runs (the median is reported)', (v) => Number(v))
  .option('--small', 'development size; prints the figures without writing results', false)
  .option('--size <n>', 'override the number of objects (or jobs)', (v) => Number(v))
  .option('--nack-src <dir>', 'jetstream-1000: a NACK checkout to build when the Go proxy does not serve it')
  .option(
    '--worker-concurrency <n>',
    'queue, jetstream-1000, kafka-10k, capacity: jobs at once per worker process (default: the shipped default; capacity: 4)',
    (v) => Number(v),
  )
  .option(
    '--reconcile-ms <ms>',
    'capacity: what each reconcile waits before its status write, standing for a broker round trip (default 50)',
    (v) => Number(v),
  )
  .option(
    '--node <path>',
    "run the production Sluice processes (sluice dispatcher, sluice worker) on this node binary (default: the driver's own)",
  )
  .option(
    '--cpu-prof <dir>',
    'write CPU profiles of this process (and, in queue and jetstream-1000, of the workers and dispatcher) into <dir>',
  )
  .action(async (name: string, o: Options) => {
    if (name === 'cleanup') {
      await cleanupLeftovers(say);
      return;
    }
    const scenario = SCENARIOS[name];
    const runs = o.runs ?? (o.small ? 1 : (scenario?.defaultRuns ?? 3));
    await runScenario(name, runs, o.small, {
      ...(o.size === undefined ? {} : { size: o.size }),
      ...(o.nackSrc ? { nackSrc: o.nackSrc } : {}),
      ...(o.workerConcurrency === undefined ? {} : { workerConcurrency: o.workerConcurrency }),
      ...(o.reconcileMs === undefined ? {} : { reconcileMs: o.reconcileMs }),
      ...(o.cpuProf ? { cpuProfDir: path.resolve(o.cpuProf) } : {}),
      ...(o.node ? { node: path.resolve(o.node) } : {}),
    });
  });

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    say(`${sig}: stopping child processes and removing what the scenario created`);
    void stopAll()
      .then(() => cleanupLeftovers(say))
      .finally(() => process.exit(130));
  });
}

const profileAt = process.argv.indexOf('--cpu-prof');
const driverProfile =
  profileAt >= 0 && process.argv[profileAt + 1]
    ? await startProfiler(path.resolve(process.argv[profileAt + 1] ?? '.', 'driver.cpuprofile'))
    : undefined;
try {
  await program.parseAsync(process.argv);
  await driverProfile?.stop();
  await stopAll();
  process.exit(0);
} catch (err) {
  say(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stopAll();
  process.exit(1);
}
