/**
 * Unit tests of how a Stream reports that its store's hard limits overrode its request: the
 * status entries, the LimitsClamped condition, and when the Warning Event is due (issue 13).
 */
import test from 'ava';
import {
  clampCondition,
  clampEventDue,
  clampedStatus,
  previousClamped,
} from '../../../functions/tawon-stream/clamp.js';
import { parseLimits, parseStoreLimits, resolveLimits } from '../../../shared/tawon/limits.js';

const store = parseStoreLimits({ limits: { max: 10, maxage: '24h', maxbytes: '1G' } });

function clampOf(request: Record<string, unknown>): ReturnType<typeof clampedStatus> {
  return clampedStatus(resolveLimits(parseLimits(request, 'spec'), store).clamped);
}

test('each clamped limit is listed with the value asked and the value applied, as written', (t) => {
  t.deepEqual(clampOf({ maxmsgs: 50, maxage: '6h', maxbytes: '5G' }), [
    { field: 'maxmsgs', asked: '50', applied: '10' },
    { field: 'maxbytes', asked: '5G', applied: '1G' },
  ]);
});

test('the condition is True naming every clamped value, or False when nothing is clamped', (t) => {
  const clamped = clampCondition(clampOf({ maxmsgs: 50, maxbytes: '5G' }), 'mystore');
  t.is(clamped.status, 'True');
  t.is(clamped.reason, 'StoreLimitApplied');
  t.is(
    clamped.message,
    "maxmsgs 50 clamped to 10, maxbytes 5G clamped to 1G: the hard limits of StreamStore mystore override the Stream's",
  );
  const within = clampCondition(clampOf({ maxmsgs: 5 }), 'mystore');
  t.is(within.status, 'False');
  t.is(within.reason, 'WithinStoreLimits');
});

test('the Warning Event is due for a new or changed clamp, not for the same clamp again or none', (t) => {
  const first = clampOf({ maxage: '48h' });
  t.true(clampEventDue([], first), 'a new clamp');
  t.false(clampEventDue(first, clampOf({ maxage: '48h' })), 'the same clamp on resync');
  t.true(clampEventDue(first, clampOf({ maxage: '72h' })), 'another value asked');
  t.false(clampEventDue(first, []), 'no longer clamped');
});

test('the previous clamps are read from the status, ignoring malformed entries', (t) => {
  t.deepEqual(
    previousClamped({
      clamped: [{ field: 'maxage', asked: '48h', applied: '24h' }, { field: 'maxmsgs', asked: 5 }, 'x'],
    }),
    [{ field: 'maxage', asked: '48h', applied: '24h' }],
  );
  t.deepEqual(previousClamped(undefined), []);
});
