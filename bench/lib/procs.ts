/**
 * @module bench/lib/procs
 * Child processes of a benchmark: Node entry points of `bench/proc/` started with an IPC channel
 * (so they report measurements as messages), and other programs (servers, NACK). Every child is
 * remembered and stopped by its own pid when the scenario ends, even after an error.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { environment, type Environment } from '../../runtime/index.js';

const procDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'proc');
const children = new Set<ChildProcess>();

/** A message a bench child sends to its parent. */
export interface ChildMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A Node child running `bench/proc/<name>.js` with `options` as its JSON argument. */
export class NodeChild {
  readonly child: ChildProcess;
  private readonly listeners = new Set<(m: ChildMessage) => void>();

  constructor(name: string, options: unknown, nodeArgs: readonly string[] = []) {
    this.child = fork(path.join(procDir, `${name}.js`), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...nodeArgs],
      env: { ...environment() },
    });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
    this.child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string')
        for (const l of this.listeners) l(m as ChildMessage);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  on(fn: (m: ChildMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first message of `type` (rejects if the child exits first). */
  waitFor(type: string, timeoutMs = 120_000): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`child ${this.pid}: no '${type}' in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = (code: number | null): void =>
        done(new Error(`child ${this.pid} exited (${code}) before '${type}'`));
      const off = this.on((m) => {
        if (m.type === type) done(undefined, m);
      });
      const done = (err?: Error, m?: ChildMessage): void => {
        clearTimeout(timer);
        off();
        this.child.off('exit', onExit);
        if (err) reject(err);
        else if (m) resolve(m);
      };
      this.child.once('exit', onExit);
    });
  }

  send(message: ChildMessage): void {
    this.child.send(message);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs = 15_000): Promise<void> {
    return stopChild(this.child, graceMs);
  }
}

/** Starts a program with its output appended to `logFile`. */
export function startProgram(
  cmd: string,
  args: readonly string[],
  logFile: string,
  env: Environment = {},
): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...environment(), ...env } });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops one child: SIGTERM, SIGKILL after the grace period. */
export async function stopChild(
  child: ChildProcess,
  graceMs = 15_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running (each by its own pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 5_000)));
}

/** The resident set size of a process in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}
