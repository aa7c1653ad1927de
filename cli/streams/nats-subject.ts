/**
 * @module cli/streams/nats-subject
 * Plain NATS, the default publish target of `sluice k8s directive ...` (as tawonctl's): a Directive
 * made without `--stream-store` publishes to a core NATS subject, and the command reads it with an
 * ordinary subscription.
 *
 * Guarantees and costs:
 * - nothing is stored: only messages published after the subscription reached the server are
 *   seen (the `onReady` callback says when that is), and a reader that falls far behind loses
 *   messages as core NATS drops them for slow consumers;
 * - `seq` counts the messages this reader received (from 1) and `time` is when it received them,
 *   since core NATS has neither.
 */
import { connect, type NatsConnection } from 'nats';
import { messageOf } from '../../runtime/index.js';
import { CliError } from './errors.js';
import type { MessageSource, StreamMessage } from './reader.js';

/** The subject a temporary Directive publishes to when none is given. */
export function defaultSubject(namespace: string, name: string): string {
  return `sluice.directive.${namespace}.${name}`;
}

const SUBJECT = /^[^\s*>.]+(\.[^\s*>.]+)*$/;

/** Checks a `--subject` (a publish subject: dot-separated tokens, no wildcards or spaces). */
export function checkSubject(subject: string): string {
  if (!SUBJECT.test(subject)) {
    throw new CliError(
      `--subject ${JSON.stringify(subject)}: must be a NATS subject to publish to (tokens separated by '.', no spaces, no * or >)`,
    );
  }
  return subject;
}

/**
 * The NATS server to read from: `--nats-url`, else `SLUICE_NATS_URL`.
 * @throws CliError when neither is given, saying what to do.
 */
export function natsServer(flag: string | undefined, configured: string | undefined): string {
  const url = flag ?? configured;
  if (url === undefined) {
    throw new CliError(
      'no NATS server to read the Directive from: give --nats-url nats://HOST:4222 or set SLUICE_NATS_URL ' +
        '(or publish to a Stream with --stream-store STORE)',
    );
  }
  if (!/^(nats|tls):\/\/./.test(url))
    throw new CliError(`--nats-url ${url}: must be a nats:// or tls:// URL`);
  return url;
}

/**
 * Connects to `url`.
 * @throws CliError naming the server when it cannot be reached.
 */
export async function connectNats(url: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name: 'sluice-cli', timeout: 4000 });
  } catch (err) {
    throw new CliError(`NATS server ${url} is unreachable: ${messageOf(err)}`, { cause: err });
  }
}

/** The messages published to `subject`, from the moment the subscription is on the server. */
export function subjectSource(nc: NatsConnection, subject: string, onReady: () => void): MessageSource {
  return (signal) => readSubject(nc, subject, signal, onReady);
}

async function* readSubject(
  nc: NatsConnection,
  subject: string,
  signal: AbortSignal,
  onReady: () => void,
): AsyncGenerator<StreamMessage> {
  if (signal.aborted) return;
  const sub = nc.subscribe(subject);
  const stop = (): void => sub.unsubscribe();
  signal.addEventListener('abort', stop, { once: true });
  try {
    // The server has the subscription once a round trip after it has completed.
    await nc.flush();
    onReady();
    let seq = 0;
    for await (const m of sub) {
      seq++;
      yield { seq, subject: m.subject, time: new Date(), data: m.data };
    }
  } finally {
    signal.removeEventListener('abort', stop);
    sub.unsubscribe();
  }
}
