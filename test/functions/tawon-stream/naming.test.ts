/**
 * Unit tests of where a Tawon Stream lives on its store and of the Stream's watch mapping.
 */
import test from 'ava';
import { jetStreamName, streamSubject } from '../../../functions/tawon-stream/naming.js';
import { storeToStreams } from '../../../functions/tawon-stream/watch.js';

test('the JetStream name joins namespace and name with _, turning dots into _', (t) => {
  t.is(jetStreamName('team-a', 'mystream'), 'team-a_mystream');
  t.is(jetStreamName('team-a', 'dns.queries'), 'team-a_dns_queries');
  t.notRegex(jetStreamName('a', 'b.c.d'), /[.*> ]/);
});

test('distinct Streams get distinct JetStream names and subjects', (t) => {
  const pairs: [string, string][] = [
    ['a', 'b-c'],
    ['a-b', 'c'],
    ['a', 'b.c'],
    ['ab', 'c'],
  ];
  t.is(new Set(pairs.map(([ns, n]) => jetStreamName(ns, n))).size, pairs.length);
  t.is(new Set(pairs.map(([ns, n]) => streamSubject(ns, n))).size, pairs.length);
});

test('the subject is tawon.<namespace>.<name>', (t) => {
  t.is(streamSubject('team-a', 'mystream'), 'tawon.team-a.mystream');
});

test('a StreamStore maps to the Streams of its namespace that name it', (t) => {
  const stream = (ns: string, name: string, store: string) => ({
    metadata: { namespace: ns, name },
    spec: { store: { name: store } },
  });
  const lookup = {
    list: () => [
      stream('ns1', 'a', 's'),
      stream('ns1', 'b', 'other'),
      stream('ns2', 'c', 's'),
      stream('ns1', 'd', 's'),
    ],
    get: () => undefined,
  };
  const refs = storeToStreams({ metadata: { namespace: 'ns1', name: 's' } }, lookup);
  t.deepEqual(
    refs.map((r) => r.name),
    ['a', 'd'],
  );
});
