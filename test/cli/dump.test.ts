/**
 * `sluice streams dump` and `sluice streams wireshark` as child processes against the real NATS:
 * a dump of pcap-record messages is a pcap file (read back header by header, and by tcpdump or
 * capinfos when the machine has them), other payloads are length-prefixed, and Wireshark gets the
 * same bytes on its stdin, or an install hint when it is missing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { GLOBAL_HEADER_BYTES, RECORD_HEADER_BYTES, recordMessage } from '../../cli/streams/pcap.js';
import { findOnPath } from '../../cli/streams/wireshark.js';
import { environment } from '../../runtime/index.js';
import { closeHarness } from '../functions/tawon-stream/harness.js';
import { eventually } from '../helpers/kube.js';
import { cliEnv, cliNamespace, publish, readyStream, runCli, startCli, tempDir } from './harness.js';

const execFileP = promisify(execFile);

test.after.always(closeHarness);

/** Three small Ethernet-sized packets with distinct timestamps and contents. */
function packets(): { tsSec: number; tsUsec: number; data: Uint8Array }[] {
  return [0, 1, 2].map((i) => ({
    tsSec: 1_700_000_000 + i,
    tsUsec: 1000 * i + 7,
    data: Uint8Array.from({ length: 60 + i }, (_, j) => (i * 31 + j) & 0xff),
  }));
}

/** Reads a pcap file by hand: the global header's fields and each record. */
function readBack(t: ExecutionContext, file: Buffer): { tsSec: number; tsUsec: number; data: Buffer }[] {
  t.true(file.length >= GLOBAL_HEADER_BYTES, 'the file has a global header');
  t.is(file.toString('hex', 0, 4), 'd4c3b2a1', 'magic a1b2c3d4 written little-endian');
  t.is(file.readUInt16LE(4), 2, 'version major 2');
  t.is(file.readUInt16LE(6), 4, 'version minor 4');
  t.is(file.readInt32LE(8), 0, 'thiszone');
  t.is(file.readUInt32LE(12), 0, 'sigfigs');
  t.is(file.readUInt32LE(16), 262144, 'snaplen');
  t.is(file.readUInt32LE(20), 1, 'linktype Ethernet');
  const records: { tsSec: number; tsUsec: number; data: Buffer }[] = [];
  let at = GLOBAL_HEADER_BYTES;
  while (at < file.length) {
    const incl = file.readUInt32LE(at + 8);
    t.is(file.readUInt32LE(at + 12), incl, 'orig_len');
    const start = at + RECORD_HEADER_BYTES;
    t.true(start + incl <= file.length, 'the record is whole');
    records.push({
      tsSec: file.readUInt32LE(at),
      tsUsec: file.readUInt32LE(at + 4),
      data: file.subarray(start, start + incl),
    });
    at = start + incl;
  }
  return records;
}

/** Checks the file with tcpdump or capinfos when one of them is installed (they are not required). */
async function externalCheck(t: ExecutionContext, file: string, count: number): Promise<void> {
  const env = environment();
  if (findOnPath('capinfos', env)) {
    const { stdout } = await execFileP('capinfos', ['-c', file]);
    t.regex(stdout, new RegExp(`Number of packets:\\s+${count}\\b`));
  } else if (findOnPath('tcpdump', env)) {
    const { stdout } = await execFileP('tcpdump', ['-n', '-r', file]);
    t.is(stdout.trim().split('\n').length, count);
  } else {
    t.log('neither capinfos nor tcpdump is installed: checked by reading the file back only');
  }
}

test('dump --all of pcap-record messages writes a pcap file and ends after the last message', async (t) => {
  const ns = await cliNamespace(t, 'dumppcap');
  await readyStream(ns, 'capture');
  const sent = packets();
  await publish(ns, 'capture', ...sent.map(recordMessage));
  const file = path.join(tempDir(t), 'capture.pcap');
  const out = await runCli(t, ['streams', 'dump', 'capture', '-n', ns, '--all', '-o', file], cliEnv(ns));
  t.is(out.code, 0, out.stderr);
  t.regex(out.stderr, /wrote 3 messages to .*capture\.pcap \(pcap, 3 packets, \d+ bytes\)/);
  const records = readBack(t, readFileSync(file));
  t.deepEqual(
    records.map((r) => [r.tsSec, r.tsUsec, r.data.toString('hex')]),
    sent.map((p) => [p.tsSec, p.tsUsec, Buffer.from(p.data).toString('hex')]),
  );
  await externalCheck(t, file, 3);
});

test('dump --all of text payloads writes each one length-prefixed to stdout', async (t) => {
  const ns = await cliNamespace(t, 'dumpraw');
  await readyStream(ns, 'dns');
  await publish(ns, 'dns', '{"q":"a.example"}', '', 'third');
  const out = await runCli(t, ['streams', 'dump', 'dns', '-n', ns, '--all'], cliEnv(ns));
  t.is(out.code, 0, out.stderr);
  const payloads: string[] = [];
  for (let at = 0; at < out.bytes.length;) {
    const n = out.bytes.readUInt32BE(at);
    payloads.push(out.bytes.toString('utf8', at + 4, at + 4 + n));
    at += 4 + n;
  }
  t.deepEqual(payloads, ['{"q":"a.example"}', '', 'third']);
  t.regex(out.stderr, /raw, length-prefixed/);
});

test('dump --all of an empty Stream in pcap format ends at once with a valid empty pcap file', async (t) => {
  const ns = await cliNamespace(t, 'dumpempty');
  await readyStream(ns, 'silent');
  const file = path.join(tempDir(t), 'empty.pcap');
  const out = await runCli(
    t,
    ['streams', 'dump', 'silent', '-n', ns, '--all', '--format', 'pcap', '-o', file],
    cliEnv(ns),
  );
  t.is(out.code, 0, out.stderr);
  t.deepEqual(readBack(t, readFileSync(file)), []);
});

test('dump without --all writes only new messages and stops after --count', async (t) => {
  const ns = await cliNamespace(t, 'dumpnew');
  await readyStream(ns, 'live');
  const [old, ...fresh] = packets();
  if (!old) throw new Error('no packets');
  await publish(ns, 'live', recordMessage(old));
  const file = path.join(tempDir(t), 'live.pcap');
  const dump = startCli(t, ['streams', 'dump', 'live', '-n', ns, '-o', file, '--count', '2'], cliEnv(ns));
  await dump.waitFor('stderr', /dumping new messages/);
  await publish(ns, 'live', ...fresh.map(recordMessage));
  t.is((await dump.exited).code, 0, dump.stderr());
  t.deepEqual(
    readBack(t, readFileSync(file)).map((r) => r.tsSec),
    fresh.map((p) => p.tsSec),
  );
});

test('wireshark without wireshark on PATH prints the install hint and exits non-zero', async (t) => {
  const out = await runCli(
    t,
    ['streams', 'wireshark', 'any', '-n', 'default'],
    cliEnv('default', { PATH: tempDir(t) }),
  );
  t.not(out.code, 0);
  t.regex(out.stderr, /wireshark is not installed/);
  t.regex(out.stderr, /apt-get install wireshark/);
});

test('wireshark pipes the pcap dump into wireshark -k -i - and Ctrl-C ends both', async (t) => {
  const ns = await cliNamespace(t, 'wireshark');
  await readyStream(ns, 'shark');
  const sent = packets();
  await publish(ns, 'shark', ...sent.map(recordMessage));
  const bin = tempDir(t);
  const fake = path.join(bin, 'wireshark');
  writeFileSync(fake, '#!/bin/sh\ndir=$(dirname "$0")\necho "$@" > "$dir/args"\ncat > "$dir/capture.pcap"\n');
  chmodSync(fake, 0o755);
  const env = cliEnv(ns, { PATH: `${bin}${path.delimiter}${environment().PATH ?? ''}` });
  const shark = startCli(t, ['streams', 'wireshark', 'shark', '-n', ns, '--all'], env);
  const capture = path.join(bin, 'capture.pcap');
  const expected = GLOBAL_HEADER_BYTES + sent.reduce((n, p) => n + RECORD_HEADER_BYTES + p.data.length, 0);
  await shark.waitFor('stderr', /piping Stream shark into wireshark/);
  await eventually('the three packets in the fake wireshark', () =>
    Promise.resolve(existsSync(capture) && readFileSync(capture).length === expected),
  );
  shark.child.kill('SIGINT');
  t.is((await shark.exited).code, 0, shark.stderr());
  t.is(readFileSync(path.join(bin, 'args'), 'utf8').trim(), '-k -i -');
  t.deepEqual(
    readBack(t, readFileSync(capture)).map((r) => r.data.toString('hex')),
    sent.map((p) => Buffer.from(p.data).toString('hex')),
  );
});
