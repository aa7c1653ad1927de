/**
 * The dispatcher loads each function's watch registration on its own (functions/watches.ts), and the
 * workers the full function: both must say the same, and the dispatcher's modules must stay without
 * the handlers' heavy libraries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SLUICE_FUNCTIONS } from '../../functions/registrations.js';
import { SLUICE_WATCHES } from '../../functions/watches.js';

test('the watch registrations list the same kinds, watches and finalizers as the functions, in order', (t) => {
  t.is(SLUICE_WATCHES.length, SLUICE_FUNCTIONS.length);
  SLUICE_FUNCTIONS.forEach((fn, i) => {
    const w = SLUICE_WATCHES[i];
    t.is(w?.kind, fn.kind, fn.kind.kind);
    t.is(w?.watch, fn.watch, `${fn.kind.kind}: the very same watch configuration`);
    t.is(w?.finalizer, fn.finalizer, `${fn.kind.kind}: the same finalizer`);
  });
});

const HEAVY = ['kafkajs', 'nats', 'class-validator', 'class-transformer'];

/** Every module `entry` imports statically, by file (dynamic imports are left out: they load lazily). */
function staticClosure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const src = readFileSync(file, 'utf8');
    const specs = [
      ...src.matchAll(/^\s*(?:import|export)\s(?!type\b)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm),
    ]
      .map((m) => m[1] ?? m[2] ?? '')
      .filter(Boolean);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(path.resolve(path.dirname(file), s));
  };
  visit(entry);
  return seen;
}

test('the dispatcher and the watch registrations load no broker client and no validator library', (t) => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const entry of ['../../dispatcher/main.js', '../../functions/watches.js', '../../cli/runtime.js']) {
    const closure = staticClosure(path.resolve(here, entry));
    t.true(closure.size > 3, `${entry} was read`);
    for (const [file, specs] of closure) {
      for (const heavy of HEAVY) {
        t.false(
          specs.some((s) => s === heavy || s.startsWith(`${heavy}/`)),
          `${path.relative(path.resolve(here, '../..'), file)} imports ${heavy}`,
        );
      }
    }
  }
});
