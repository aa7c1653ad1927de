/**
 * @module cli/streams/progress
 * Progress while waiting, on stderr (so stdout stays for results): on a terminal one line that is
 * rewritten (a spinner, the elapsed time and the current state); elsewhere one line each time the
 * state changes.
 */

const SPINNER = ['|', '/', '-', '\\'];

export class Progress {
  private readonly started = Date.now();
  private last: string | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private elapsed(): string {
    return `${Math.round((Date.now() - this.started) / 1000)}s`;
  }

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** Shows `text` as the current state. */
  update(text: string): void {
    if (this.tty) {
      this.last = text;
      this.draw();
      this.timer ??= setInterval(() => this.draw(), 250);
      return;
    }
    if (text === this.last) return;
    this.last = text;
    this.out.write(`[${this.elapsed()}] ${text}\n`);
  }

  private draw(): void {
    this.frame = (this.frame + 1) % SPINNER.length;
    this.out.write(`\r\x1b[K${SPINNER[this.frame] ?? ''} [${this.elapsed()}] ${this.last ?? ''}`);
  }

  /** Ends the progress with a final line. */
  done(text: string): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.out.write('\r\x1b[K');
    this.out.write(`[${this.elapsed()}] ${text}\n`);
    this.last = undefined;
  }

  /** Stops drawing without a final line (clears a terminal line). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.last !== undefined) this.out.write('\r\x1b[K');
    this.last = undefined;
  }
}
