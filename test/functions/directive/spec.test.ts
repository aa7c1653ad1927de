/**
 * Unit tests of Directive parsing: the seed examples parse, the shape rules hold, and malformed
 * limits or publish tasks are refused with a reason.
 */
import test from 'ava';
import { parseDirective, publishTargetsOf, declaredStreams } from '../../../functions/directive/spec.js';
import { TerminalError } from '../../../runtime/index.js';
import { example } from '../../fixtures/tawon/fixtures.js';

function parse(spec: Record<string, unknown>): ReturnType<typeof parseDirective> {
  return parseDirective({ metadata: { name: 'd', namespace: 'n' }, spec });
}

function reason(spec: Record<string, unknown>): string | undefined {
  try {
    parse(spec);
    return undefined;
  } catch (err) {
    return err instanceof TerminalError ? err.reason : `not terminal: ${String(err)}`;
  }
}

test('the seed Directive parses, with one publish target and a Retain stream of max age 6h', (t) => {
  const d = parseDirective(example('directive'));
  t.deepEqual(publishTargetsOf(d.spec.tasks), ['coredns']);
  const [s] = declaredStreams(d.spec.streams);
  t.is(s?.name, 'coredns');
  t.is(s?.store, 'mystreamstore');
  t.is(s?.retentionPolicy, 'Retain');
  t.is(s?.limits.maxage?.value, 6 * 3600e9);
});

test('the temporary-stream example parses with retentionPolicy Delete and no tasks', (t) => {
  const d = parseDirective(example('directive-temporary-stream'));
  t.is(declaredStreams(d.spec.streams)[0]?.retentionPolicy, 'Delete');
  t.deepEqual(d.spec.tasks, []);
});

test('malformed Directives are refused with a reason', (t) => {
  t.is(reason({ tasks: [{ task: 'publish', config: { type: 'stream' } }] }), 'InvalidSpec');
  t.is(reason({ tasks: [{ task: '' }] }), 'InvalidSpec');
  t.is(reason({ tasks: [{ task: 'capture', config: 'port 53' }] }), 'InvalidSpec');
  t.is(reason({ condition: { equal: { value: 'coredns' } } }), 'InvalidSpec');
  t.is(reason({ condition: { equal: { field: 'process.name', value: { nested: 1 } } } }), 'InvalidSpec');
  t.is(reason({ streams: [{ name: 'Bad_Name', store: 's' }] }), 'InvalidSpec');
  t.is(reason({ streams: [{ name: 'a', store: 's', retentionPolicy: 'Keep' }] }), 'InvalidSpec');
  t.is(reason({ streams: [{ name: 'a' }, { name: 'a' }] }), 'InvalidSpec');
  t.is(reason({ streams: [{ name: 'a', store: 's', maxage: '6 hours' }] }), 'InvalidLimit');
  t.is(reason({ streams: [{ name: 'a', store: 's', maxbytes: '1GB' }] }), 'InvalidLimit');
  t.is(reason({ tasks: [{ task: 'publish', config: { type: 'nats', subject: 'x' } }] }), undefined);
  t.is(reason({ condition: { and: [{ equal: { field: 'a', value: 1 } }] } }), undefined);
});
