/**
 * @module cli/streams/dump
 * `sluice streams dump NAME [-o FILE] [--all]`: writes a Stream's payloads to a file or stdout, as
 * a pcap file when the messages are pcap data and length-prefixed otherwise (see
 * `dump-encoder.ts` for both formats).
 *
 * When it stops:
 * - `--all`: reads from the first message and ends after the last message the Stream held when
 *   the dump began (so a script or a test finishes); `--follow` keeps reading new ones instead;
 * - otherwise: reads new messages until Ctrl-C or SIGTERM, `--count N` messages, or `--idle S`
 *   seconds without a message.
 * The file is flushed and complete whichever way it stops: records are written whole.
 */
import { createWriteStream } from 'node:fs';
import { getStream } from './kube.js';
import { DumpEncoder, type DumpEncoderOptions, type DumpStats } from './dump-encoder.js';
import { CliError } from './errors.js';
import type { MessageSource } from './reader.js';
import type { Session } from './session.js';
import { Sink } from './sink.js';
import { openStream } from './store.js';
import { describeReadiness, viewStream } from './stream-object.js';
import { streamSource } from './sub.js';

export interface DumpOptions extends DumpEncoderOptions {
  readonly namespace: string;
  readonly all: boolean;
  readonly follow: boolean;
  /** A file, or `-` / undefined for stdout. */
  readonly file?: string;
  readonly count?: number;
  readonly idleMs?: number;
}

/**
 * Encodes the messages of `source` into `sink` until the source ends, `signal` aborts or the
 * sink's reader goes; skipped messages are reported on stderr. Returns what was written.
 */
export async function dumpMessages(
  source: MessageSource,
  signal: AbortSignal,
  encoder: DumpEncoder,
  sink: Sink,
): Promise<DumpStats> {
  await sink.write(encoder.begin().chunks);
  for await (const m of source(AbortSignal.any([signal, sink.gone]))) {
    const out = encoder.encode(m.data);
    if (out.skipped !== undefined) process.stderr.write(`skipped message #${m.seq}: ${out.skipped}\n`);
    await sink.write(out.chunks);
  }
  await sink.end();
  return encoder.stats();
}

/** One sentence about a finished dump, for stderr. */
export function dumpSummary(stats: DumpStats, where: string, bytes: number): string {
  const format =
    stats.format === 'pcap'
      ? `pcap, ${stats.packets} packet${stats.packets === 1 ? '' : 's'}`
      : stats.format === 'raw'
        ? 'raw, length-prefixed'
        : 'nothing to write';
  const skipped = stats.skipped > 0 ? `; skipped ${stats.skipped}` : '';
  return `wrote ${stats.written} message${stats.written === 1 ? '' : 's'} to ${where} (${format}, ${bytes} bytes${skipped})`;
}

/** Runs the command (see the module notes). */
export async function dump(s: Session, name: string, opts: DumpOptions, signal: AbortSignal): Promise<void> {
  const toStdout = opts.file === undefined || opts.file === '-';
  if (toStdout && process.stdout.isTTY) {
    throw new CliError('refusing to write binary data to a terminal: use -o FILE, or pipe the output');
  }
  const view = viewStream(await getStream(s.kube, opts.namespace, name));
  const { conn } = await openStream(s.brokers, view, describeReadiness(view));
  const out = toStdout ? process.stdout : createWriteStream(opts.file ?? '');
  const sink = new Sink(out, toStdout);
  const where = toStdout ? 'stdout' : (opts.file ?? '');
  const onReady = ({ held }: { held: number }): void =>
    void process.stderr.write(
      opts.all
        ? `dumping Stream ${name} from the first message (${held} held)${opts.follow ? ', then new ones; Ctrl-C to stop' : ''}\n`
        : `dumping new messages of Stream ${name}; Ctrl-C to stop\n`,
    );
  const stats = await dumpMessages(
    streamSource(conn, view, {
      from: opts.all ? 'all' : 'new',
      toEnd: opts.all && !opts.follow,
      onReady,
      ...(opts.count === undefined ? {} : { max: opts.count }),
      ...(opts.idleMs === undefined ? {} : { idleMs: opts.idleMs }),
    }),
    signal,
    new DumpEncoder(opts),
    sink,
  );
  if (sink.error && !toStdout) throw new CliError(`write ${where}: ${sink.error.message}`);
  process.stderr.write(`${dumpSummary(stats, where, sink.bytes)}\n`);
}
