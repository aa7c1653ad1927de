/**
 * Broker address helpers: host:port splitting (IPv6 in brackets) and the override rewrite of bare
 * and URL addresses.
 */
import test from 'ava';
import { hostOf, resolveAddress, splitHostPort } from '../../../shared/brokers/address.js';

const overrides = new Map([
  ['nats.streams.svc:4222', '127.0.0.1:14222'],
  ['[fd00::1]:9092', '127.0.0.1:19092'],
]);

test('host:port splits into host and port, IPv6 without its brackets', (t) => {
  t.deepEqual(splitHostPort('kafka-0.kafka.streams.svc:9092'), {
    host: 'kafka-0.kafka.streams.svc',
    port: 9092,
  });
  t.deepEqual(splitHostPort('[fd00::1]:9092'), { host: 'fd00::1', port: 9092 });
  t.deepEqual(splitHostPort('10.0.0.1:1'), { host: '10.0.0.1', port: 1 });
});

test('addresses that are not host:port do not split', (t) => {
  for (const bad of [
    'kafka',
    'kafka:',
    ':9092',
    'kafka:0',
    'kafka:65536',
    'kafka:9o92',
    'fd00::1:9092',
    'a b:1',
  ]) {
    t.is(splitHostPort(bad), undefined, bad);
  }
});

test('overrides rewrite bare and URL addresses, keeping scheme and path', (t) => {
  t.is(resolveAddress('nats.streams.svc:4222', overrides), '127.0.0.1:14222');
  t.is(resolveAddress('nats://nats.streams.svc:4222', overrides), 'nats://127.0.0.1:14222');
  t.is(resolveAddress('tls://nats.streams.svc:4222/', overrides), 'tls://127.0.0.1:14222/');
  t.is(resolveAddress('[fd00::1]:9092', overrides), '127.0.0.1:19092');
});

test('addresses without an override are returned unchanged', (t) => {
  t.is(resolveAddress('nats://nats.streams.svc:4223', overrides), 'nats://nats.streams.svc:4223');
  t.is(resolveAddress('nats.streams.svc', overrides), 'nats.streams.svc');
});

test('the host of an address is found in bare and URL forms', (t) => {
  t.is(hostOf('tls://nats.streams.svc:4222'), 'nats.streams.svc');
  t.is(hostOf('nats.streams.svc:4222'), 'nats.streams.svc');
  t.is(hostOf('nats.streams.svc'), 'nats.streams.svc');
  t.is(hostOf('[fd00::1]:4222'), 'fd00::1');
  t.is(hostOf('://'), undefined);
});

test('an override *.suffix:port rewrites every host under that domain on that port; exact entries and longer suffixes win', (t) => {
  const overrides = new Map([
    ['*.svc:4222', '127.0.0.1:1111'],
    ['*.tenant.svc:4222', '127.0.0.1:2222'],
    ['store.apps.svc:4222', '127.0.0.1:3333'],
  ]);
  t.is(resolveAddress('nats://mystore.default.svc:4222', overrides), 'nats://127.0.0.1:1111');
  t.is(resolveAddress('a.tenant.svc:4222', overrides), '127.0.0.1:2222');
  t.is(resolveAddress('store.apps.svc:4222', overrides), '127.0.0.1:3333');
  t.is(resolveAddress('mystore.default.svc:4223', overrides), 'mystore.default.svc:4223', 'another port');
  t.is(resolveAddress('svc:4222', overrides), 'svc:4222', 'the domain itself is not under it');
  t.is(resolveAddress('notsvc:4222', overrides), 'notsvc:4222');
});
