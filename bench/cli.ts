/**
 * @module bench/cli
 * `npm run bench -- <scenario> [--runs N] [--small] [--size N]`: runs a scenario several times,
 * writes the median, minimum and maximum of each figure to `bench/results/<scenario>.json` and a
 * markdown table, and regenerates `bench/results/README.md`.
 *
 * Scenarios: queue, jetstream-1000, kafka-10k, ceiling, memory, restart (see bench/README.md).
 * `--small` runs a scenario at development size and only prints its figures, so a full-size
 * result is never overwritten by a trial. Every child process is stopped on exit, even on Ctrl-C.
 */
import { Command } from 'commander';
import { machine, writeScenario, type Figures, type ScenarioResult, type Target } from './lib/results.js';
import { stopAll } from './lib/procs.js';
import { SCENARIOS, type Scenario } from './scenarios/index.js';

function say(m: string): void {
  process.stdout.write(`${m}\n`);
}

async function runScenario(
  name: string,
  runs: number,
  small: boolean,
  size: number | undefined,
  nackSrc: string | undefined,
): Promise<void> {
  const scenario: Scenario | undefined = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const at = machine();
  const prepared = await scenario.prepare(
    { small, ...(size === undefined ? {} : { size }), ...(nackSrc ? { nackSrc } : {}) },
    say,
  );
  const figures: Figures[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      say(`${name}: run ${i + 1} of ${runs}`);
      figures.push(await prepared.run(i));
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

const program = new Command()
  .name('bench')
  .argument('<scenario>', `one of ${Object.keys(SCENARIOS).join(', ')}`)
  .option('--runs <n>', 'how many runs (the median is reported)', (v) => Number(v))
  .option('--small', 'development size; prints the figures without writing results', false)
  .option('--size <n>', 'override the number of objects (or jobs)', (v) => Number(v))
  .option('--nack-src <dir>', 'jetstream-1000: a NACK checkout to build when the Go proxy does not serve it')
  .action(async (name: string, o: { runs?: number; small: boolean; size?: number; nackSrc?: string }) => {
    const scenario = SCENARIOS[name];
    const runs = o.runs ?? (o.small ? 1 : (scenario?.defaultRuns ?? 3));
    await runScenario(name, runs, o.small, o.size, o.nackSrc);
  });

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    say(`${sig}: stopping child processes`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  await program.parseAsync(process.argv);
  await stopAll();
  process.exit(0);
} catch (err) {
  say(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stopAll();
  process.exit(1);
}
