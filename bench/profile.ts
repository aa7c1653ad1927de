/**
 * @module bench/profile
 * Summarises V8 CPU profiles (`.cpuprofile`, as `--cpu-prof` or `bench/lib/profiler` write them):
 * self time per package or project folder, and the functions with the most self time.
 * Usage: `node dist/bench/profile.js <file.cpuprofile>... [--top N]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package (`node_modules/<pkg>`), project folder (`shared/queue`) or category of a script URL. */
export function placeOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  if (url.startsWith('node:')) return 'node';
  const own = /\/dist[^/]*\/((?:runtime|shared|dispatcher|functions|bench|cli|test)\/[^/]+)/.exec(url);
  if (own?.[1]) return own[1].replace(/\.js$/, '');
  return url;
}

export function summarize(profile: Profile): {
  total: number;
  byPlace: Map<string, number>;
  byFunction: Map<string, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const place = placeOf(url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${place}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  return { total, byPlace, byFunction };
}

function table(map: Map<string, number>, total: number, top: number): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, us]) =>
        `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    )
    .join('\n');
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const files = args.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));
for (const file of files) {
  const { total, byPlace, byFunction } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  process.stdout.write(
    `${file}: ${(total / 1000).toFixed(0)} ms busy\n by package or folder:\n${table(byPlace, total, top)}\n by function:\n${table(byFunction, total, top)}\n\n`,
  );
}
