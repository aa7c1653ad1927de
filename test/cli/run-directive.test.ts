/**
 * Unit tests of the pure parts of the CLI: tawonctl task syntax, the temporary Directive, the
 * limit flags, message formatting and where the kubeconfig comes from.
 */
import test from 'ava';
import { CliError } from '../../cli/streams/errors.js';
import { formatMessage, payloadText } from '../../cli/streams/format.js';
import { kubeconfigPath } from '../../cli/streams/kube.js';
import { limitFlags } from '../../cli/streams/limit-flags.js';
import { checkSubject, defaultSubject, natsServer } from '../../cli/streams/nats-subject.js';
import { recordMessage } from '../../cli/streams/pcap.js';
import {
  checkName,
  parseCondition,
  parseTask,
  runDirective,
  withPublishTarget,
} from '../../cli/streams/run-directive.js';
import { parseDirective } from '../../functions/directive/spec.js';

test('tasks are written as tawonctl writes them', (t) => {
  t.deepEqual(parseTask('capture|filter:port 53'), { task: 'capture', config: { filter: 'port 53' } });
  t.deepEqual(parseTask('dns'), { task: 'dns' });
  t.deepEqual(parseTask('publish|type:stream'), { task: 'publish', config: { type: 'stream' } });
  t.deepEqual(parseTask('capture|filter:host 10.0.0.1 and port 53|snaplen:96'), {
    task: 'capture',
    config: { filter: 'host 10.0.0.1 and port 53', snaplen: '96' },
  });
  t.deepEqual(
    parseTask('x|url:http://a:80/'),
    { task: 'x', config: { url: 'http://a:80/' } },
    'later colons stay',
  );
});

test('malformed tasks are refused with the part at fault', (t) => {
  t.throws(() => parseTask(''), { instanceOf: CliError, message: /is not a task name/ });
  t.throws(() => parseTask('capture|filter'), { message: /"filter" is not key:value/ });
  t.throws(() => parseTask('capture|:x'), { message: /is not key:value/ });
  t.throws(() => parseTask('a|k:1|k:2'), { message: /k is given twice/ });
});

const toStream = { type: 'stream', name: 's' } as const;
const toNats = { type: 'nats', subject: 'sluice.directive.ns.s' } as const;

test('a stream publish goes to the Directive Stream unless it names another, and one is added when missing', (t) => {
  t.deepEqual(withPublishTarget([parseTask('publish|type:stream')], toStream), [
    { task: 'publish', config: { type: 'stream', name: 's' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish')], toStream), [
    { task: 'publish', config: { type: 'stream', name: 's' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish|type:stream|name:other')], toStream), [
    { task: 'publish', config: { type: 'stream', name: 'other' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish|type:nats')], toStream), [
    { task: 'publish', config: { type: 'nats' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('dns')], toStream), [
    { task: 'dns' },
    { task: 'publish', config: { type: 'stream', name: 's' } },
  ]);
  t.deepEqual(withPublishTarget([], toStream), [
    { task: 'capture' },
    { task: 'publish', config: { type: 'stream', name: 's' } },
  ]);
});

test('without a store, publishing defaults to the plain NATS subject of the run (issue 13)', (t) => {
  t.deepEqual(withPublishTarget([], toNats), [
    { task: 'capture' },
    { task: 'publish', config: { type: 'nats', subject: 'sluice.directive.ns.s' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish')], toNats), [
    { task: 'publish', config: { type: 'nats', subject: 'sluice.directive.ns.s' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish|type:nats|subject:mine')], toNats), [
    { task: 'publish', config: { type: 'nats', subject: 'mine' } },
  ]);
  t.deepEqual(withPublishTarget([parseTask('publish|type:stream|name:existing')], toNats), [
    { task: 'publish', config: { type: 'stream', name: 'existing' } },
  ]);
  t.throws(() => withPublishTarget([parseTask('publish|type:stream')], toNats), {
    instanceOf: CliError,
    message: /name the Stream .*or give --stream-store/,
  });
});

test('the temporary Directive without a store lists no Stream and parses as the operator parses it', (t) => {
  const obj = runDirective({
    name: 'tmp',
    namespace: 'ns',
    store: undefined,
    subject: defaultSubject('ns', 'tmp'),
    tasks: [parseTask('dns')],
  });
  t.deepEqual(obj.spec, {
    tasks: [
      { task: 'dns' },
      { task: 'publish', config: { type: 'nats', subject: 'sluice.directive.ns.tmp' } },
    ],
    streams: [],
  });
  t.deepEqual(parseDirective(obj).spec.streams, []);
});

test('subjects and NATS servers are checked before anything is created', (t) => {
  t.is(checkSubject('a.b-c.d_1'), 'a.b-c.d_1');
  for (const bad of ['a.*', 'a.>', 'a b', 'a..b', '.a', '']) {
    t.throws(() => checkSubject(bad), { instanceOf: CliError, message: /must be a NATS subject/ }, bad);
  }
  t.is(natsServer('nats://h:1', 'nats://env:2'), 'nats://h:1', 'the flag wins');
  t.is(natsServer(undefined, 'nats://env:2'), 'nats://env:2');
  t.throws(() => natsServer(undefined, undefined), { message: /give --nats-url .* or set SLUICE_NATS_URL/ });
  t.throws(() => natsServer('http://h:1', undefined), { message: /must be a nats:\/\/ or tls:\/\/ URL/ });
});

test('the temporary Directive parses as the operator parses it, with a Delete Stream on the store', (t) => {
  const obj = runDirective({
    name: 'tmp',
    namespace: 'ns',
    store: 'mystreamstore',
    subject: defaultSubject('ns', 'tmp'),
    tasks: [parseTask('capture|filter:port 53'), parseTask('dns')],
    condition: parseCondition('process.name=coredns'),
    limits: limitFlags({ maxage: '6h', maxmsgs: '100', maxbytes: '1G' }),
  });
  const parsed = parseDirective(obj);
  t.deepEqual(JSON.parse(JSON.stringify(parsed.spec.streams)), [
    {
      name: 'tmp',
      store: 'mystreamstore',
      maxmsgs: 100,
      maxage: '6h',
      maxbytes: '1G',
      retentionPolicy: 'Delete',
    },
  ]);
  t.deepEqual(obj.spec, {
    condition: { equal: { field: 'process.name', value: 'coredns' } },
    tasks: [
      { task: 'capture', config: { filter: 'port 53' } },
      { task: 'dns' },
      { task: 'publish', config: { type: 'stream', name: 'tmp' } },
    ],
    streams: [
      {
        name: 'tmp',
        store: 'mystreamstore',
        maxmsgs: 100,
        maxage: '6h',
        maxbytes: '1G',
        retentionPolicy: 'Delete',
      },
    ],
  });
  t.is(obj.metadata.labels?.['sluice.io/temporary'], 'true');
});

test('limit flags are checked with the operator parsers and written as the CRD holds them', (t) => {
  t.deepEqual(limitFlags({ maxbytes: '1000' }), { maxbytes: 1000 });
  t.deepEqual(limitFlags({}), {});
  t.throws(() => limitFlags({ maxage: '6' }), {
    instanceOf: CliError,
    message: /^--maxage: "6" is not a duration/,
  });
  t.throws(() => limitFlags({ maxmsgs: '0' }), { message: /--maxmsgs: must be positive/ });
  t.throws(() => limitFlags({ maxbytes: '1GB' }), { message: /--maxbytes/ });
});

test('conditions and names are checked', (t) => {
  t.throws(() => parseCondition('novalue'), { message: /expected field=value/ });
  t.deepEqual(parseCondition('a.b=c=d'), { equal: { field: 'a.b', value: 'c=d' } });
  t.is(checkName('tmp-1'), 'tmp-1');
  t.throws(() => checkName('Bad_Name'), { message: /must be a Kubernetes name/ });
});

test('sub prints text payloads as text and binary ones described, in both formats', (t) => {
  const time = new Date('2024-01-02T03:04:05.000Z');
  const text = { seq: 7, subject: 's', time, data: new TextEncoder().encode('héllo\tworld') };
  t.is(formatMessage(text, 'table'), '#7 2024-01-02T03:04:05.000Z héllo\tworld\n');
  t.deepEqual(JSON.parse(formatMessage(text, 'json')), {
    seq: 7,
    subject: 's',
    time: '2024-01-02T03:04:05.000Z',
    size: 12,
    encoding: 'utf8',
    data: 'héllo\tworld',
  });
  const pkt = {
    seq: 8,
    subject: 's',
    time,
    data: recordMessage({ tsSec: 1, tsUsec: 2, data: Uint8Array.from([1, 2]) }),
  };
  t.is(
    formatMessage(pkt, 'table'),
    '#8 2024-01-02T03:04:05.000Z (18 bytes, pcap packet) 010000000200000002000000020000000102\n',
  );
  t.like(JSON.parse(formatMessage(pkt, 'json')), { encoding: 'base64', size: 18 });
  t.is(payloadText(Uint8Array.from([0xff])), undefined);
  t.is(payloadText(Uint8Array.from([0x41, 0x00])), undefined, 'control characters make it binary');
});

test('the kubeconfig is KUBECONFIG, else the in-cluster account, else ~/.kube/config, else an error', (t) => {
  const fs = (present: string[]) => ({ exists: (p: string) => present.includes(p), home: () => '/home/u' });
  t.is(kubeconfigPath({ kubeconfig: '/k' }, fs(['/k'])), '/k');
  t.throws(() => kubeconfigPath({ kubeconfig: '/k' }, fs([])), {
    message: /KUBECONFIG names \/k, which does not exist/,
  });
  t.is(
    kubeconfigPath({ kubeconfig: undefined }, fs(['/var/run/secrets/kubernetes.io/serviceaccount/token'])),
    undefined,
  );
  t.is(kubeconfigPath({ kubeconfig: undefined }, fs(['/home/u/.kube/config'])), '/home/u/.kube/config');
  t.throws(() => kubeconfigPath({ kubeconfig: undefined }, fs([])), {
    instanceOf: CliError,
    message: /^no kubeconfig/,
  });
});
