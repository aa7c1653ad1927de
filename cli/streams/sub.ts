/**
 * @module cli/streams/sub
 * `sluice streams sub NAME`: prints a Stream's messages as they arrive (or, with `--all`, every
 * message from the first), until Ctrl-C, SIGTERM or `--count` messages. Lines go to stdout in the
 * format of `format.ts`; what the command is doing goes to stderr.
 */
import type { OutputFormat } from '../output.js';
import { getStream } from './kube.js';
import { formatMessage } from './format.js';
import { readMessages, type MessageSource, type ReadOptions } from './reader.js';
import type { Session } from './session.js';
import { Sink } from './sink.js';
import { openStream, type StoreConnection } from './store.js';
import { describeReadiness, viewStream, type StreamView } from './stream-object.js';

export interface SubOptions {
  readonly namespace: string;
  readonly all: boolean;
  readonly count?: number;
  readonly output: OutputFormat;
}

/** Prints the messages of `source` to `sink` until it ends or `signal`; returns how many were printed. */
export async function printFrom(
  source: MessageSource,
  signal: AbortSignal,
  output: OutputFormat,
  sink: Sink,
): Promise<number> {
  let printed = 0;
  for await (const m of source(AbortSignal.any([signal, sink.gone]))) {
    await sink.write([Buffer.from(formatMessage(m, output))]);
    printed++;
  }
  await sink.end();
  return printed;
}

/** The messages `read` selects from a Stream, as a source (its signal replaces `read.signal`). */
export function streamSource(
  conn: StoreConnection,
  view: StreamView,
  read: Omit<ReadOptions, 'signal'>,
): MessageSource {
  return (signal) => readMessages(conn, view.jetStream, { ...read, signal });
}

/** Runs the command until its end (see the module notes). */
export async function subscribe(
  s: Session,
  name: string,
  opts: SubOptions,
  signal: AbortSignal,
): Promise<void> {
  const view = viewStream(await getStream(s.kube, opts.namespace, name));
  const { conn } = await openStream(s.brokers, view, describeReadiness(view));
  const onReady = ({ held }: { held: number }): void =>
    void process.stderr.write(
      opts.all
        ? `reading Stream ${name} from the first message (${held} held), then new ones; Ctrl-C to stop\n`
        : `waiting for new messages on Stream ${name} (subject ${view.subject}); Ctrl-C to stop\n`,
    );
  const printed = await printFrom(
    streamSource(conn, view, {
      from: opts.all ? 'all' : 'new',
      onReady,
      ...(opts.count === undefined ? {} : { max: opts.count }),
    }),
    signal,
    opts.output,
    new Sink(process.stdout, true),
  );
  process.stderr.write(`${printed} message${printed === 1 ? '' : 's'}\n`);
}
