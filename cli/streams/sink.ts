/**
 * @module cli/streams/sink
 * Where dumped bytes go (a file, stdout or Wireshark's stdin), with backpressure: a write waits
 * for `drain`. A reader that goes away (a closed pipe, Wireshark quitting) aborts {@link Sink.gone}
 * instead of crashing the command.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export class Sink {
  private readonly controller = new AbortController();
  private failure: Error | undefined;
  private written = 0;

  /** @param keepOpen flush but do not end the stream (stdout). */
  constructor(
    private readonly out: Writable,
    private readonly keepOpen = false,
  ) {
    out.on('error', (err: Error) => {
      this.failure = err;
      this.controller.abort(err);
    });
  }

  /** Aborted when the reader went away or the write failed. */
  get gone(): AbortSignal {
    return this.controller.signal;
  }

  /** The error that ended the sink, if any (EPIPE when the reader went away). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Bytes handed to the sink. */
  get bytes(): number {
    return this.written;
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.failure) return;
      this.written += chunk.byteLength;
      if (!this.out.write(chunk)) {
        await Promise.race([once(this.out, 'drain'), once(this.controller.signal, 'abort')]);
      }
    }
  }

  /** Ends the stream and waits until it is flushed (a file is then complete on disk). */
  async end(): Promise<void> {
    if (this.failure || this.out.writableFinished) return;
    if (this.keepOpen) {
      await new Promise<void>((resolve) => this.out.write(new Uint8Array(0), () => resolve()));
      return;
    }
    const finished = Promise.race([once(this.out, 'finish'), once(this.controller.signal, 'abort')]);
    this.out.end();
    await finished;
  }
}
