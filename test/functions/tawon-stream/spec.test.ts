/**
 * @module test/functions/tawon-stream/spec
 * Parsing a Tawon Stream (issue 16): a valid spec, checked by hand, gives what class-validator
 * gives; an invalid one still goes through class-validator and names each violation.
 */
import test from 'ava';
import { TerminalError, type KubeObject } from '../../../runtime/index.js';
import { parseWith } from '../../../runtime/validation.js';
import { StoreRef, TawonStreamSpec, parseTawonStream } from '../../../functions/tawon-stream/spec.js';

const stream = (spec: unknown): KubeObject => ({ metadata: { name: 's', namespace: 'n' }, spec });

test('a valid spec parses to what class-validator builds, extra fields kept', (t) => {
  const spec = { store: { name: 'mystore' }, maxmsgs: 10, maxage: '6h', maxbytes: '1G', other: true };
  const parsed = parseTawonStream(stream(spec));
  t.true(parsed.spec instanceof TawonStreamSpec);
  t.true(parsed.spec.store instanceof StoreRef);
  t.deepEqual(parsed.spec, parseWith(TawonStreamSpec, spec, 'spec'));
  t.is(parsed.metadata.name, 's');
});

test('a spec without a usable store name is refused with InvalidSpec naming the field', (t) => {
  for (const spec of [
    {},
    { store: 'mystore' },
    { store: {} },
    { store: { name: '' } },
    { store: { name: 3 } },
  ]) {
    const err = t.throws(() => parseTawonStream(stream(spec)), { instanceOf: TerminalError });
    t.is((err).reason, 'InvalidSpec', JSON.stringify(spec));
    t.regex(err?.message ?? '', /spec\.store/, JSON.stringify(spec));
  }
  const notObject = t.throws(() => parseTawonStream(stream('x')), { instanceOf: TerminalError });
  t.is((notObject).reason, 'InvalidSpec');
});
