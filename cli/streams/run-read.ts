/**
 * @module cli/streams/run-read
 * What a temporary Directive's command does with the messages once the Directive is ready: print
 * them (`sub`, `run`), write them to a file or stdout (`dump`, `run --dump`), pipe them into
 * Wireshark (`wireshark`), or just hold the Directive (`run --no-read`), until Ctrl-C or SIGTERM.
 *
 * The messages come from the run's Stream (read from its first message when this run created
 * it, else from now on) or, without a store, from its plain NATS subject. Either way a line on
 * stderr says when reading has begun (`reading ...; Ctrl-C to delete ... and exit`): from then on
 * nothing published is missed.
 */
import { createWriteStream } from 'node:fs';
import type { NatsConnection } from 'nats';
import { printTable, type OutputFormat } from '../output.js';
import { dumpMessages, dumpSummary } from './dump.js';
import { DumpEncoder, type DumpEncoderOptions } from './dump-encoder.js';
import { CliError } from './errors.js';
import { subjectSource } from './nats-subject.js';
import type { MessageSource } from './reader.js';
import type { ReadyRun } from './run-lifecycle.js';
import type { Session } from './session.js';
import { Sink } from './sink.js';
import { openStream } from './store.js';
import { describeReadiness, viewStream } from './stream-object.js';
import { printFrom, streamSource } from './sub.js';
import { pipeToWireshark } from './wireshark.js';

/** What the command does with the messages. */
export type RunOutput =
  | { readonly kind: 'print' }
  | { readonly kind: 'dump'; readonly file: string | undefined; readonly encoder: DumpEncoderOptions }
  | { readonly kind: 'wireshark'; readonly executable: string; readonly linktype: number | undefined }
  | { readonly kind: 'hold' };

/** Where the run publishes, as the reading side needs it. */
export type RunChannel =
  | { readonly type: 'stream' }
  | { readonly type: 'nats'; readonly nc: NatsConnection; readonly url: string; readonly subject: string };

/** Whether `output` writes binary data to stdout (which must then hold nothing else). */
export function binaryOnStdout(output: RunOutput): boolean {
  return output.kind === 'dump' && (output.file === undefined || output.file === '-');
}

/** Prints what the run made: to stdout, or to stderr when stdout carries a dump or nothing. */
function printSummary(ready: ReadyRun, channel: RunChannel, output: RunOutput, format: OutputFormat): void {
  const name = ready.directive.metadata.name ?? '';
  const row =
    channel.type === 'nats'
      ? { directive: name, subject: channel.subject, nats: channel.url }
      : (() => {
          const view = ready.stream ? viewStream(ready.stream) : undefined;
          return {
            directive: name,
            stream: view?.name,
            store: view?.store,
            subject: view?.subject,
            jetstream: view?.jetStream,
            created: ready.created,
          };
        })();
  const toStderr = output.kind === 'wireshark' || binaryOnStdout(output);
  printTable([row], format, toStderr ? process.stderr : process.stdout);
}

/** The run's messages, and the sentence for the readiness line. */
async function sourceOf(s: Session, ready: ReadyRun, channel: RunChannel): Promise<MessageSource> {
  const say = (what: string, gone: string) => (): void =>
    void process.stderr.write(`reading ${what}; Ctrl-C to delete ${gone} and exit\n`);
  if (channel.type === 'nats') {
    return subjectSource(
      channel.nc,
      channel.subject,
      say(`subject ${channel.subject} on ${channel.url}`, 'the Directive'),
    );
  }
  if (!ready.stream) throw new CliError('the run has no Stream to read');
  const view = viewStream(ready.stream);
  const { conn } = await openStream(s.brokers, view, describeReadiness(view));
  // A Stream of this run is read from its first message; one that existed before, from now on.
  return streamSource(conn, view, {
    from: ready.created ? 'all' : 'new',
    onReady: say(`Stream ${view.name}`, ready.created ? 'it' : 'the Directive'),
  });
}

/** Waits for `signal` (a signal handler does not keep the process alive; this timer does). */
async function hold(signal: AbortSignal): Promise<void> {
  process.stderr.write('holding the Directive; Ctrl-C to delete it and exit\n');
  const alive = setInterval(() => undefined, 3600_000);
  await new Promise<void>((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  clearInterval(alive);
}

/** Prints the summary, then handles the messages as `output` says until `signal` or their end. */
export async function useRun(
  s: Session,
  ready: ReadyRun,
  channel: RunChannel,
  output: RunOutput,
  format: OutputFormat,
  signal: AbortSignal,
): Promise<void> {
  printSummary(ready, channel, output, format);
  if (output.kind === 'hold') return hold(signal);
  const source = await sourceOf(s, ready, channel);
  const what = `Directive ${ready.directive.metadata.name ?? ''}`;
  switch (output.kind) {
    case 'print':
      await printFrom(source, signal, format, new Sink(process.stdout, true));
      return;
    case 'wireshark':
      await pipeToWireshark(output.executable, what, source, signal, output.linktype);
      return;
    case 'dump': {
      const toStdout = binaryOnStdout(output);
      const sink = toStdout ? new Sink(process.stdout, true) : new Sink(createWriteStream(output.file ?? ''));
      const where = toStdout ? 'stdout' : (output.file ?? '');
      const stats = await dumpMessages(source, signal, new DumpEncoder(output.encoder), sink);
      if (sink.error && !toStdout) throw new CliError(`write ${where}: ${sink.error.message}`);
      process.stderr.write(`${dumpSummary(stats, where, sink.bytes)}\n`);
    }
  }
}
