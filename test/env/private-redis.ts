/**
 * @module test/env/private-redis
 * A Redis of a test's own, on a free port, for tests that restart Redis empty: restarting the
 * environment's shared Redis would disturb every other test running at the same time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environment } from '../../runtime/config.js';
import { debianPrograms } from './build.js';
import { freePort, tcpOpen } from './proc.js';

export interface PrivateRedis {
  readonly url: string;
  /** Kills the server and starts an empty one on the same port. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const programs = await debianPrograms();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(
      programs.redisServer,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
      ],
      {
        stdio: 'ignore',
        env: { ...environment(), ...(programs.libraryPath ? { LD_LIBRARY_PATH: programs.libraryPath } : {}) },
      },
    );
    for (let i = 0; i < 100 && !(await tcpOpen(port)); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restartEmpty() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
