/**
 * The job payload check a worker runs on what it reads from Redis: a well-formed payload comes back
 * normalised, and every malformed field is named in one terminal `InvalidJob` error.
 */
import test, { type ExecutionContext } from 'ava';
import { TerminalError } from '../../runtime/errors.js';
import { parseJobData } from '../../runtime/queue/payload.js';

const good = {
  ref: {
    group: 'streaming.tanzu.vmware.com',
    version: 'v1alpha1',
    kind: 'Stream',
    namespace: 'team-a',
    name: 'orders',
    uid: 'u-1',
  },
  reason: 'event',
  enqueuedAt: 1_700_000_000_000,
  trace: { traceparent: '00-abc-def-01', ignored: 7 },
  failBase: 2,
  unknownField: 'kept out',
};

function refusal(t: ExecutionContext, raw: unknown): string {
  const err = t.throws(() => parseJobData(raw));
  t.true(err instanceof TerminalError);
  t.is((err as TerminalError).reason, 'InvalidJob');
  return err?.message ?? '';
}

test('a well-formed payload is returned with only the known fields and string trace entries', (t) => {
  t.deepEqual(parseJobData(good), {
    ref: good.ref,
    reason: 'event',
    enqueuedAt: 1_700_000_000_000,
    trace: { traceparent: '00-abc-def-01' },
    failBase: 2,
  });
});

test('a cluster-scoped reference in the core group with an empty uid is accepted without the uid', (t) => {
  const data = parseJobData({
    ref: { group: '', version: 'v1', kind: 'Namespace', name: 'a', uid: '' },
    reason: 'resync',
    enqueuedAt: 0,
  });
  t.deepEqual(data, {
    ref: { group: '', version: 'v1', kind: 'Namespace', name: 'a' },
    reason: 'resync',
    enqueuedAt: 0,
  });
});

test('an empty namespace is refused: a cluster-scoped reference leaves it out', (t) => {
  t.regex(refusal(t, { ...good, ref: { ...good.ref, namespace: '' } }), /ref\.namespace: must not be empty/);
});

test('a payload without a ref object is refused', (t) => {
  t.regex(refusal(t, { reason: 'event', enqueuedAt: 1 }), /must be an object with a ref/);
  t.regex(refusal(t, 'ref'), /must be an object with a ref/);
});

test('every malformed field is named in one refusal', (t) => {
  const message = refusal(t, {
    ref: {
      group: 3,
      version: '',
      kind: 'K'.repeat(64),
      namespace: 'Team_A',
      name: '../etc',
      uid: 'u'.repeat(65),
    },
    reason: 'whim',
    enqueuedAt: -1,
    trace: 'x',
    failBase: 1.5,
  });
  for (const field of [
    'ref.group: must be a string',
    'ref.version: must not be empty',
    'ref.kind: must be at most 63',
    'ref.namespace: must be a lowercase DNS name',
    'ref.name: must be a lowercase DNS name',
    'ref.uid: must be at most 64',
    'reason: must be one of',
    'enqueuedAt:',
    'trace:',
    'failBase:',
  ])
    t.true(message.includes(field), `${field} missing from: ${message}`);
});

test('a name longer than 253 characters is refused even when it is a DNS name', (t) => {
  t.regex(
    refusal(t, { ...good, ref: { ...good.ref, name: 'a'.repeat(254) } }),
    /ref\.name: must be at most 253/,
  );
});

test('who asked for an http or cli reconcile is kept, and a `by` that is not a short string is refused (issue 17)', (t) => {
  t.like(parseJobData({ ...good, reason: 'http', by: 'system:serviceaccount:ops:deployer' }), {
    reason: 'http',
    by: 'system:serviceaccount:ops:deployer',
  });
  t.like(parseJobData({ ...good, reason: 'requeue' }), { reason: 'requeue' });
  t.regex(refusal(t, { ...good, by: 42 }), /by: must be a string/);
  t.regex(refusal(t, { ...good, by: 'x'.repeat(300) }), /by: must be at most 253 characters/);
});
