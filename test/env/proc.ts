/**
 * @module test/env/proc
 * Starting, finding and stopping the environment's server processes. Each server runs detached
 * (it outlives `env:up`), logs to `.sluice/logs/<name>.log`, and is known by the pid recorded in
 * `.sluice/run/<name>.pid`; it is stopped by that pid, never by a name match.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environment } from '../../runtime/config.js';
import { logsDir, runDir } from './paths.js';

export interface StartOptions {
  /** Extra environment variables, on top of the current environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export function logPath(name: string): string {
  return path.join(logsDir, `${name}.log`);
}

function pidPath(name: string): string {
  return path.join(runDir, `${name}.pid`);
}

/** Starts `cmd args` detached, appending its output to the component's log, and records its pid. */
export function startDetached(
  name: string,
  cmd: string,
  args: readonly string[],
  opts: StartOptions = {},
): number {
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const fd = openSync(logPath(name), 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} starting ${cmd} ${args.join(' ')}\n`);
  const child: ChildProcess = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    cwd: opts.cwd,
    env: { ...environment(), ...opts.env },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  child.unref();
  writeFileSync(pidPath(name), String(child.pid));
  return child.pid;
}

/** The recorded pid of a component, if it is still alive. */
export function livePid(name: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidPath(name), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a component: SIGTERM to its process group, then SIGKILL after `graceMs`.
 * @returns whether a live process was found.
 */
export async function stopComponent(
  name: string,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  const pid = livePid(name);
  rmSync(pidPath(name), { force: true });
  if (pid === undefined) return false;
  killGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) killGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return true;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Polls `check` until it resolves true, or throws naming the component and its log. */
export async function waitFor(
  name: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  pid?: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(`${name} exited during start-up; see ${logPath(name)}:\n${tail(logPath(name))}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(
    `${name} did not become healthy within ${timeoutMs / 1000}s${lastError ? ` (last error: ${lastError})` : ''}; ` +
      `see ${logPath(name)}:\n${tail(logPath(name))}`,
  );
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Runs a command to completion, streaming its output to a log; rejects with the log tail on failure. */
export function run(
  name: string,
  cmd: string,
  args: readonly string[],
  opts: StartOptions = {},
): Promise<void> {
  mkdirSync(logsDir, { recursive: true });
  const file = logPath(name);
  const fd = openSync(file, 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', fd, fd],
      cwd: opts.cwd,
      env: { ...environment(), ...opts.env },
    });
    child.once('error', (err) => {
      closeSync(fd);
      reject(new Error(`${name}: cannot run ${cmd}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      closeSync(fd);
      if (code === 0) resolve();
      else
        reject(
          new Error(`${name}: ${cmd} failed (${signal ?? `exit ${code}`}); see ${file}:\n${tail(file)}`),
        );
    });
  });
}
