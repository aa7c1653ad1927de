/**
 * Unit tests of the pcap format and of the dump encoder: which messages count as pcap data, the
 * global header written once, segments joined, misfits skipped, and the raw length-prefixed form.
 */
import test from 'ava';
import { DumpEncoder } from '../../cli/streams/dump-encoder.js';
import {
  GLOBAL_HEADER_BYTES,
  classifyMessage,
  globalHeader,
  parsePcapFile,
  recordMessage,
} from '../../cli/streams/pcap.js';

const bytes = (...n: number[]): Uint8Array => Uint8Array.from(n);
const packet = (i: number, len = 4): Uint8Array =>
  recordMessage({ tsSec: 100 + i, tsUsec: i, data: Uint8Array.from({ length: len }, (_, j) => i + j) });

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks.map((c) => Buffer.from(c))));
}

/** Encodes every message and returns the whole dump. */
function encodeAll(encoder: DumpEncoder, messages: readonly Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [...encoder.begin().chunks];
  for (const m of messages) out.push(...encoder.encode(m).chunks);
  return concat(out);
}

/** A pcap segment: a global header (LE unless told) and the given one-packet messages' records. */
function segment(
  records: readonly Uint8Array[],
  opts: { linktype?: number; bigEndian?: boolean } = {},
): Uint8Array {
  const header = Buffer.from(globalHeader({ linktype: opts.linktype ?? 1 }));
  if (opts.bigEndian) {
    header.writeUInt32BE(0xa1b2c3d4, 0);
    header.writeUInt16BE(2, 4);
    header.writeUInt16BE(4, 6);
    header.writeUInt32BE(262144, 16);
    header.writeUInt32BE(opts.linktype ?? 1, 20);
  }
  return concat([header, ...records]);
}

test('the global header is magic a1b2c3d4 little-endian, version 2.4, zone 0, snaplen and linktype', (t) => {
  const h = Buffer.from(globalHeader({ snaplen: 65535, linktype: 113 }));
  t.is(h.length, 24);
  t.is(h.toString('hex'), 'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '71000000');
});

test('a one-packet message is a record header followed by exactly incl_len bytes', (t) => {
  t.is(classifyMessage(packet(1)).kind, 'packet');
  t.is(classifyMessage(packet(1, 0)).kind, 'packet', 'an empty packet is still a record');
  t.is(classifyMessage(packet(1).subarray(0, 19)).kind, 'other', 'truncated data');
  t.is(classifyMessage(concat([packet(1), bytes(0)])).kind, 'other', 'trailing bytes');
  t.is(classifyMessage(concat([packet(1), packet(2)])).kind, 'other', 'two records without a header');
  t.is(classifyMessage(new TextEncoder().encode('hello, world, this is text')).kind, 'other');
  t.is(classifyMessage(new Uint8Array(0)).kind, 'other');
});

test('a record whose captured length exceeds its original length, or whose microseconds overflow, is not pcap', (t) => {
  const bad = Buffer.from(packet(1));
  bad.writeUInt32LE(2, 12);
  t.is(classifyMessage(bad).kind, 'other');
  const usec = Buffer.from(packet(1));
  usec.writeUInt32LE(1_000_000, 4);
  t.is(classifyMessage(usec).kind, 'other');
});

test('a whole pcap file in a message is a segment, in either byte order', (t) => {
  const le = classifyMessage(segment([packet(1), packet(2)]));
  t.is(le.kind, 'segment');
  t.is(le.kind === 'segment' ? le.records : -1, 2);
  t.is(classifyMessage(segment([])).kind, 'segment', 'a header alone is an empty segment');
  const be = classifyMessage(segment([], { bigEndian: true }));
  t.true(be.kind === 'segment' && !be.header.littleEndian);
});

test('one-packet messages dump as one header followed by the records, which parse back', (t) => {
  const file = encodeAll(new DumpEncoder(), [packet(1), packet(2, 9), packet(3)]);
  const parsed = parsePcapFile(file);
  t.truthy(parsed);
  t.deepEqual(
    parsed?.records.map((r) => [r.tsSec, r.tsFraction, r.inclLen]),
    [
      [101, 1, 4],
      [102, 2, 9],
      [103, 3, 4],
    ],
  );
  t.is(parsed?.header.linktype, 1);
});

test('--linktype and --snaplen reach the header of one-packet dumps', (t) => {
  const file = encodeAll(new DumpEncoder({ linktype: 101, snaplen: 1500 }), [packet(1)]);
  t.like(parsePcapFile(file)?.header, { linktype: 101, snaplen: 1500, versionMajor: 2, versionMinor: 4 });
});

test('segments keep the first global header once and contribute their records', (t) => {
  const first = segment([packet(1)], { linktype: 228 });
  const file = encodeAll(new DumpEncoder(), [first, segment([packet(2), packet(3)], { linktype: 228 })]);
  const parsed = parsePcapFile(file);
  t.is(parsed?.header.linktype, 228);
  t.deepEqual(
    parsed?.records.map((r) => r.tsSec),
    [101, 102, 103],
  );
  t.deepEqual(file.subarray(0, GLOBAL_HEADER_BYTES), first.subarray(0, GLOBAL_HEADER_BYTES));
});

test('messages that do not fit the pcap file are skipped, never written', (t) => {
  const encoder = new DumpEncoder();
  const out: Uint8Array[] = [];
  const results = [
    packet(1),
    new TextEncoder().encode('not a packet'),
    segment([packet(2)], { linktype: 105 }),
    segment([packet(3)], { bigEndian: true }),
    packet(4),
  ].map((m) => encoder.encode(m));
  for (const r of results) out.push(...r.chunks);
  t.deepEqual(
    results.map((r) => r.skipped !== undefined),
    [false, true, true, true, false],
  );
  t.regex(results[2]?.skipped ?? '', /linktype 105/);
  t.deepEqual(
    parsePcapFile(concat(out))?.records.map((r) => r.tsSec),
    [101, 104],
  );
  t.like(encoder.stats(), { format: 'pcap', messages: 5, written: 2, skipped: 3, packets: 2 });
});

test('auto format writes non-pcap payloads length-prefixed, pcap-looking ones included', (t) => {
  const encoder = new DumpEncoder();
  const dump = Buffer.from(
    encodeAll(encoder, [new TextEncoder().encode('ab'), packet(1), new Uint8Array(0)]),
  );
  t.is(dump.readUInt32BE(0), 2);
  t.is(dump.toString('utf8', 4, 6), 'ab');
  t.is(dump.readUInt32BE(6), packet(1).length, 'after a non-pcap first message everything is raw');
  t.is(dump.readUInt32BE(6 + 4 + packet(1).length), 0);
  t.is(dump.length, 6 + 4 + packet(1).length + 4);
  t.is(encoder.stats().format, 'raw');
});

test('pcap format starts the file before any message, and skips a non-pcap first message', (t) => {
  const encoder = new DumpEncoder({ format: 'pcap' });
  const file = encodeAll(encoder, [new TextEncoder().encode('x'), packet(1)]);
  t.deepEqual(
    parsePcapFile(file)?.records.map((r) => r.tsSec),
    [101],
  );
  t.like(encoder.stats(), { skipped: 1, written: 1 });
  t.deepEqual(parsePcapFile(encodeAll(new DumpEncoder({ format: 'pcap' }), []))?.records, []);
});

test('raw format writes even pcap messages length-prefixed', (t) => {
  const dump = Buffer.from(encodeAll(new DumpEncoder({ format: 'raw' }), [packet(1)]));
  t.is(dump.readUInt32BE(0), packet(1).length);
  t.is(dump.length, 4 + packet(1).length);
});
