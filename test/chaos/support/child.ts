/**
 * @module test/chaos/support/child
 * The Sluice processes of a chaos test (workers, dispatchers), spawned so that they can be
 * SIGKILLed, paused and resumed. Each one logs JSON (pino) to standard output; every line goes to
 * its log file, which the secret scan reads afterwards, and lines carrying a `chaos` field are
 * markers the test waits for (`ready`, `leading`, `createTopic`, ...).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { environment, isRecord } from '../../../runtime/index.js';
import { eventually } from '../../helpers/kube.js';

/** A marker line: `{"chaos": "<name>", ...}` with the time it was logged (pino's `time`). */
export interface Marker {
  readonly chaos: string;
  readonly pid: number;
  readonly at: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One spawned Sluice process. */
export class SluiceChild {
  readonly markers: Marker[] = [];
  private readonly out: WriteStream;
  private exited = false;

  private constructor(
    readonly role: string,
    readonly process: ChildProcess,
    readonly logFile: string,
  ) {
    this.out = createWriteStream(logFile, { flags: 'a' });
    process.once('exit', () => {
      this.exited = true;
    });
    if (!process.stdout) throw new Error(`${role}: spawned without a stdout pipe`);
    const lines = createInterface({ input: process.stdout });
    lines.on('line', (line) => {
      this.out.write(`${line}\n`);
      if (!line.includes('"chaos"')) return;
      try {
        const parsed: unknown = JSON.parse(line);
        if (isRecord(parsed) && typeof parsed.chaos === 'string') {
          const logged = typeof parsed.time === 'string' ? Date.parse(parsed.time) : NaN;
          const at = Number.isNaN(logged) ? Date.now() : logged;
          this.markers.push({ chaos: parsed.chaos, pid: this.pid, at, fields: parsed });
        }
      } catch {
        /* not JSON: kept in the log only */
      }
    });
    process.stderr?.on('data', (d: Buffer) => this.out.write(d));
  }

  /** Spawns `node <script> <json options>`; stdout and stderr go to `<logDir>/<role>-<pid>.log`. */
  static spawn(role: string, script: string, options: unknown, logDir: string): SluiceChild {
    mkdirSync(logDir, { recursive: true });
    const child = spawn(process.execPath, [script, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...environment() },
    });
    return new SluiceChild(role, child, path.join(logDir, `${role}-${child.pid ?? 'x'}.log`));
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get alive(): boolean {
    return !this.exited && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Whether a log line so far contains `text` (lines are written to the file as they come). */
  logged(text: string): boolean {
    return this.loggedTimes(text) > 0;
  }

  /** How many log lines so far contain `text`. */
  loggedTimes(text: string): number {
    try {
      return readFileSync(this.logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes(text)).length;
    } catch {
      return 0;
    }
  }

  /** Markers named `name`, oldest first. */
  seen(name: string): Marker[] {
    return this.markers.filter((m) => m.chaos === name);
  }

  /** Waits for the `count`-th marker named `name` (and fails early if the process dies). */
  async waitFor(name: string, timeoutMs = 60_000, count = 1): Promise<Marker> {
    return eventually(
      `${this.role} ${this.pid} to report ${name}`,
      () => {
        const found = this.seen(name)[count - 1];
        if (found) return Promise.resolve(found);
        if (!this.alive) throw new Error(`${this.role} ${this.pid} exited; see ${this.logFile}`);
        return Promise.resolve(undefined);
      },
      timeoutMs,
      50,
    );
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise((r) => this.process.once('exit', r));
    this.process.kill('SIGKILL');
    await gone;
  }

  /** SIGSTOP: the process keeps its sockets but runs nothing (a long GC pause, a frozen VM). */
  pause(): void {
    this.process.kill('SIGSTOP');
  }

  resume(): void {
    this.process.kill('SIGCONT');
  }

  /** SIGTERM, waiting at most `graceMs` before SIGKILL. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return this.close();
    const gone = new Promise((r) => this.process.once('exit', r));
    this.process.kill('SIGCONT');
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
    return this.close();
  }

  /** Flushes the log file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
