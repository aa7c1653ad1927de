/**
 * @module bench/lib/results
 * Writing a scenario's results: `bench/results/<scenario>.json` (the median of each figure at the
 * top level, then `runs`, `min`, `max`, `machine`, the targets and notes), a markdown table
 * beside it, and the combined `bench/results/README.md` regenerated from every JSON file present.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../test/env/paths.js';
import { round, spread } from './stats.js';

export const resultsDir = path.join(repoRoot, 'bench', 'results');

/** What the machine was when the scenario ran. */
export interface Machine {
  readonly cores: number;
  readonly memory_gb: number;
  readonly cpu: string;
  /** The Node.js of the Sluice processes measured (`--node`; else the driver's own). */
  readonly node: string;
  /** The driver's Node.js, when the Sluice processes run on another. */
  readonly driver_node?: string;
  /** 1-minute load average when the scenario started (other engineers share the machine). */
  readonly load_at_start: number;
  readonly date: string;
}

/** @param node - the `node` binary the Sluice processes run on (`--node`), when not the driver's own. */
export function machine(node?: string): Machine {
  const measured =
    node === undefined ? process.version : execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  return {
    cores: os.cpus().length,
    memory_gb: round(os.totalmem() / 1024 ** 3),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: measured,
    ...(measured === process.version ? {} : { driver_node: process.version }),
    load_at_start: round(os.loadavg()[0] ?? 0),
    date: new Date().toISOString(),
  };
}

/** One figure of a run: a number, or absent when the run could not measure it. */
export type Figures = Readonly<Record<string, number>>;

/** A target on the medians; `check` answers whether it is met. */
export interface Target {
  readonly name: string;
  readonly check: (median: Figures) => boolean;
  /** The measured side of the target, for the table (e.g. `0.93× raw`). */
  readonly show: (median: Figures) => string;
}

export interface ScenarioResult {
  /** The figures of each run, in order. */
  readonly runs: readonly Figures[];
  /** Extra per-scenario facts (sizes, settings, profiles) kept as they are. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Sentences that explain the numbers (what was measured, what limits them). */
  readonly notes?: readonly string[];
}

/** The keys of the JSON file, in order: the required medians first. */
export function summarize(
  runs: readonly Figures[],
  order: readonly string[],
): { median: Record<string, number>; min: Record<string, number>; max: Record<string, number> } {
  const keys = [...new Set([...order, ...runs.flatMap((r) => Object.keys(r))])];
  const median: Record<string, number> = {};
  const min: Record<string, number> = {};
  const max: Record<string, number> = {};
  for (const k of keys) {
    const values = runs.map((r) => r[k]).filter((v): v is number => typeof v === 'number' && !isNaN(v));
    if (values.length === 0) continue;
    const s = spread(values);
    median[k] = round(s.median);
    min[k] = round(s.min);
    max[k] = round(s.max);
  }
  return { median, min, max };
}

function fmt(n: number | undefined): string {
  return n === undefined ? '–' : String(n);
}

/** Writes `<scenario>.json` and `<scenario>.md`, then the combined README. @returns the JSON written. */
export function writeScenario(
  scenario: string,
  order: readonly string[],
  result: ScenarioResult,
  targets: readonly Target[],
  at: Machine,
): Record<string, unknown> {
  mkdirSync(resultsDir, { recursive: true });
  const { median, min, max } = summarize(result.runs, order);
  const json: Record<string, unknown> = {
    ...median,
    runs: result.runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    min,
    max,
    machine: at,
    targets: targets.map((t) => ({ name: t.name, met: t.check(median), measured: t.show(median) })),
    ...(result.notes ? { notes: result.notes } : {}),
    ...(result.details ? { details: result.details } : {}),
  };
  writeFileSync(path.join(resultsDir, `${scenario}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${scenario}.md`), scenarioTable(scenario, json));
  writeCombined();
  return json;
}

interface Stored {
  readonly runs?: readonly unknown[];
  readonly min?: Record<string, number>;
  readonly max?: Record<string, number>;
  readonly machine?: Partial<Machine>;
  readonly targets?: readonly { name: string; met: boolean; measured: string }[];
  readonly notes?: readonly string[];
  readonly [key: string]: unknown;
}

const META = new Set(['runs', 'min', 'max', 'machine', 'targets', 'notes', 'details']);

function scenarioTable(scenario: string, json: Stored): string {
  const m = json.machine ?? {};
  const lines = [
    `### ${scenario}`,
    '',
    `${json.runs?.length ?? 0} run(s), ${m.date ?? ''}; ${m.cores ?? '?'} cores, ${m.memory_gb ?? '?'} GB, ` +
      `${m.cpu ?? ''}, Node ${m.node ?? ''}${m.driver_node ? ` (driver on ${m.driver_node})` : ''}, load ${m.load_at_start ?? '?'} at start.`,
    '',
    '| figure | median | min | max |',
    '|---|---|---|---|',
  ];
  for (const [k, v] of Object.entries(json)) {
    if (META.has(k) || typeof v !== 'number') continue;
    lines.push(`| ${k} | ${v} | ${fmt(json.min?.[k])} | ${fmt(json.max?.[k])} |`);
  }
  if (json.targets?.length) {
    lines.push('', '| target | measured | met |', '|---|---|---|');
    for (const t of json.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  }
  if (json.notes?.length) lines.push('', ...json.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

/** The scenarios in the order the README shows them. */
export const SCENARIOS = [
  'queue',
  'jetstream-1000',
  'kafka-10k',
  'ceiling',
  'memory',
  'restart',
  'capacity',
] as const;

/** Rewrites `bench/results/README.md` from every `<scenario>.json` present. */
export function writeCombined(): void {
  const files = readdirSync(resultsDir).filter((f) => f.endsWith('.json'));
  const known = SCENARIOS.filter((s) => files.includes(`${s}.json`));
  const sections: string[] = [];
  const summary = ['| scenario | target | measured | met |', '|---|---|---|---|'];
  for (const s of known) {
    const json = JSON.parse(readFileSync(path.join(resultsDir, `${s}.json`), 'utf8')) as Stored;
    for (const t of json.targets ?? [])
      summary.push(`| ${s} | ${t.name} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
    const md = path.join(resultsDir, `${s}.md`);
    sections.push(existsSync(md) ? readFileSync(md, 'utf8') : scenarioTable(s, json));
  }
  const text = [
    '# Benchmark results',
    '',
    'Generated by `npm run bench -- <scenario>` (see `bench/README.md`); do not edit by hand.',
    'Each figure is the median of the runs, with the minimum and maximum; every ratio compares',
    'measurements taken in the same run, on the same machine, against the same servers.',
    '',
    '## Targets',
    '',
    ...summary,
    '',
    '## Scenarios',
    '',
    ...sections,
  ].join('\n');
  writeFileSync(path.join(resultsDir, 'README.md'), text);
}

/** Reads a figure of another scenario's latest results (e.g. the ceiling), if present. */
export function storedFigure(scenario: string, key: string): number | undefined {
  const file = path.join(resultsDir, `${scenario}.json`);
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as Stored;
  const v = json[key];
  return typeof v === 'number' ? v : undefined;
}
