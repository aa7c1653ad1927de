/**
 * Unit tests of the NATS settings a ClusterStream's `spec.config` may hold.
 */
import test from 'ava';
import {
  NATS_DEFAULTS,
  natsDrift,
  natsSettings,
  natsStreamWant,
  parseDuration,
} from '../../../functions/cluster-stream/nats-config.js';
import { TerminalError } from '../../../runtime/index.js';

test('durations are read the Go way into nanoseconds', (t) => {
  t.is(parseDuration('0'), 0);
  t.is(parseDuration('90s'), 90e9);
  t.is(parseDuration('1h30m'), 5400e9);
  t.is(parseDuration('250ms'), 250e6);
  t.is(parseDuration('1.5s'), 1.5e9);
  t.is(parseDuration('10'), undefined);
  t.is(parseDuration('1d'), undefined);
  t.is(parseDuration(''), undefined);
});

test('settings left out take the JetStream defaults', (t) => {
  t.deepEqual(natsSettings(undefined), NATS_DEFAULTS);
  t.deepEqual(natsSettings({ max_msgs: '100', max_age: '1h', storage: 'memory' }), {
    ...NATS_DEFAULTS,
    max_msgs: 100,
    max_age: 3600e9,
    storage: 'memory',
  });
});

test('every bad key is named in one InvalidSpec error', (t) => {
  const err = t.throws(() =>
    natsSettings({ 'retention.ms': '5', max_msgs: 'lots', discard: 'oldest', duplicate_window: '0' }),
  );
  t.true(err instanceof TerminalError);
  t.is((err as TerminalError).reason, 'InvalidSpec');
  t.regex(err?.message ?? '', /spec\.config\.retention\.ms: is not a JetStream stream setting/);
  t.regex(err?.message ?? '', /spec\.config\.max_msgs: must be an integer/);
  t.regex(err?.message ?? '', /spec\.config\.discard: must be one of old, new/);
  t.regex(err?.message ?? '', /spec\.config\.duplicate_window: must be longer than 0/);
});

test('drift names the managed settings that differ on the server, and nothing else', (t) => {
  const want = natsStreamWant('orders', 'orders', 1, natsSettings({ max_msgs: '10' }));
  const server = {
    ...NATS_DEFAULTS,
    name: 'orders',
    subjects: ['orders'],
    num_replicas: 1,
    max_msgs: 10,
    sealed: false,
  };
  const { description: _d, ...withoutDescription } = server;
  t.deepEqual(natsDrift(want, withoutDescription), [], 'an absent description equals an empty one');
  t.deepEqual(natsDrift(want, { ...server, max_msgs: 5, subjects: ['other'] }), ['max_msgs', 'subjects']);
});
