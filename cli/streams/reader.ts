/**
 * @module cli/streams/reader
 * Reads a Stream's messages through an ordered consumer: ephemeral (the server forgets it when
 * the reader goes), flow-controlled, and reset by the client on any gap, so messages arrive in
 * stream order exactly once.
 *
 * Where reading starts and stops:
 * - `from: 'new'` (deliver policy new) starts after the last message at the time the consumer is
 *   created; `from: 'all'` starts at the first message the stream still holds;
 * - `toEnd` stops after the last message the stream held when reading began (the stream's
 *   `last_seq` then, or earlier if its tail was removed meanwhile); an empty stream ends at once;
 * - `max` stops after that many messages, `idleMs` when none arrived for that long;
 * - the abort signal (Ctrl-C) stops it at any time; the generator then simply ends;
 * - the JetStream stream deleted under it (or the consumer lost) ends it with a {@link CliError}
 *   that says which, rather than the client re-creating the consumer forever.
 */
import { DeliverPolicy, NatsError, type ConsumerMessages, type JsMsg } from 'nats';
import { messageOf } from '../../runtime/index.js';
import { CliError } from './errors.js';
import { STREAM_NOT_FOUND, type StoreConnection } from './store.js';

/** One message of a Stream. */
export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  /** When the stream stored it. */
  readonly time: Date;
  readonly data: Uint8Array;
}

export interface ReadOptions {
  readonly from: 'new' | 'all';
  /** Stop after the messages present when reading began. */
  readonly toEnd?: boolean;
  readonly max?: number;
  readonly idleMs?: number;
  readonly signal: AbortSignal;
  /**
   * Called once the consumer exists on the server: from then on no new message is missed (with
   * `from: 'new'`, messages published before this call are not delivered).
   */
  readonly onReady?: (state: { readonly held: number }) => void;
}

/**
 * Where a command's messages come from (a Stream, or a plain NATS subject): called once, it yields
 * messages until `signal` aborts or the source ends.
 */
export type MessageSource = (signal: AbortSignal) => AsyncIterable<StreamMessage>;

/** How often a reader waiting for its end checks that the end can still come. */
const END_CHECK_MS = 2000;

function toMessage(m: JsMsg): StreamMessage {
  return {
    seq: m.seq,
    subject: m.subject,
    time: new Date(Math.floor(m.info.timestampNanos / 1e6)),
    data: m.data,
  };
}

/** Yields the Stream's messages as the options say (see the module notes). */
export async function* readMessages(
  conn: StoreConnection,
  stream: string,
  opts: ReadOptions,
): AsyncGenerator<StreamMessage> {
  let endSeq: number | undefined;
  const info = await conn.jsm.streams.info(stream);
  if (opts.toEnd) {
    if (info.state.messages === 0) return opts.onReady?.({ held: 0 });
    endSeq = info.state.last_seq;
  }
  if (opts.signal.aborted || opts.max === 0) return;
  // The ordered consumer starts at sequence 1 (the first message held) unless told "new"; it
  // refuses deliver policy "all" together with the start sequence it always sets.
  const consumer = await conn.js.consumers.get(
    stream,
    opts.from === 'all' ? {} : { deliver_policy: DeliverPolicy.New },
  );
  // Missing resources end the iteration with an error instead of endless re-creation attempts.
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: 256,
    abort_on_missing_resource: true,
  });
  opts.onReady?.({ held: info.state.messages });
  const stop = (): void => void messages.stop();
  opts.signal.addEventListener('abort', stop, { once: true });
  let lastSeq = 0;
  let lastActivity = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    const untilIdle =
      opts.idleMs === undefined ? Infinity : Math.max(0, lastActivity + opts.idleMs - Date.now());
    const wait = Math.min(untilIdle, endSeq === undefined ? Infinity : END_CHECK_MS);
    if (wait !== Infinity) timer = setTimeout(onTimer, wait);
  };
  const onTimer = (): void => {
    if (opts.idleMs !== undefined && Date.now() - lastActivity >= opts.idleMs) return stop();
    if (endSeq === undefined) return arm();
    void endUnreachable(conn, stream, lastSeq, endSeq).then((gone) => (gone ? stop() : arm()), stop);
  };
  let count = 0;
  try {
    arm();
    for await (const m of messages) {
      clearTimeout(timer);
      lastSeq = m.seq;
      yield toMessage(m);
      count++;
      if (opts.max !== undefined && count >= opts.max) break;
      if (endSeq !== undefined && (m.seq >= endSeq || m.info.pending === 0)) break;
      lastActivity = Date.now();
      arm();
    }
  } catch (err) {
    throw await readFailure(conn, stream, err);
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', stop);
    await messages.close().catch(() => undefined);
  }
}

/** Whether no message after `lastSeq` up to `endSeq` is left on the server (the tail went). */
async function endUnreachable(
  conn: StoreConnection,
  stream: string,
  lastSeq: number,
  endSeq: number,
): Promise<boolean> {
  const { state } = await conn.jsm.streams.info(stream);
  return state.messages === 0 || state.last_seq <= lastSeq || state.first_seq > endSeq;
}

/** What to say when the consumer fails: the stream went away, or the reading broke. */
async function readFailure(conn: StoreConnection, stream: string, err: unknown): Promise<CliError> {
  const gone = await conn.jsm.streams.info(stream).then(
    () => false,
    (e: unknown) => e instanceof NatsError && e.api_error?.err_code === STREAM_NOT_FOUND,
  );
  return gone
    ? new CliError(
        `JetStream stream ${stream} was deleted while it was being read (was its Stream removed?)`,
        {
          cause: err,
        },
      )
    : new CliError(`reading JetStream stream ${stream} stopped: ${messageOf(err)}`, { cause: err });
}
