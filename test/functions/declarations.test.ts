/**
 * Each kind is declared once (functions/<kind>/index.ts). The dispatcher reads the declarations'
 * controllers and never loads handlers, so its modules stay without the handlers' heavy
 * libraries; the worker host loads the handlers, which match what the declaration says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import { SLUICE_KINDS } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';

test('the catalogue declares every kind once, and each declaration loads handlers that match it', async (t) => {
  t.deepEqual(
    SLUICE_FUNCTIONS.map((f) => f.kind),
    [...SLUICE_KINDS],
  );
  for (const decl of SLUICE_FUNCTIONS) {
    const fn = await decl.load();
    t.is(fn.kind, decl.kind);
    t.is(fn.finalizer, decl.finalizer);
    t.is(
      fn.finalize !== undefined,
      decl.finalizer !== undefined,
      `${decl.kind.kind}: finalize comes with a finalizer`,
    );
    t.is(await decl.load(), fn, 'the handlers are loaded once');
    t.is(decl.controller(adminClient()).kind, decl.kind);
  }
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

test('the dispatcher and the declarations load no handler, broker client or validator library', (t) => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const entry of [
    '../../runtime/dispatcher/main.js',
    '../../functions/index.js',
    '../../cli/runtime.js',
  ]) {
    const closure = staticClosure(path.resolve(here, entry));
    t.true(closure.size > 3, `${entry} was read`);
    for (const [file, specs] of closure) {
      t.false(/functions\/[a-z-]+\/(handlers|reconcile)\.js$/.test(file), `${entry} loads ${file}`);
      for (const heavy of HEAVY) {
        t.false(
          specs.some((s) => s === heavy || s.startsWith(`${heavy}/`)),
          `${path.relative(path.resolve(here, '../..'), file)} imports ${heavy}`,
        );
      }
    }
  }
});

test("the dispatcher's start loads no HTTP stack: fastify and Bull Board come after its watches start", (t) => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const web = ['fastify', '@fastify/', '@bull-board/'];
  const importsWeb = (entry: string): string[] =>
    [...staticClosure(path.resolve(here, entry)).values()]
      .flat()
      .filter((s) => web.some((w) => s === w || s.startsWith(w.endsWith('/') ? w : `${w}/`)));
  t.deepEqual(importsWeb('../../runtime/dispatcher/main.js'), []);
  t.deepEqual(importsWeb('../../cli/runtime.js'), []);
  // The same reading finds them in the HTTP app, which main.js imports once the watches run.
  t.true(importsWeb('../../runtime/dispatcher/http/app.js').includes('fastify'));
});
