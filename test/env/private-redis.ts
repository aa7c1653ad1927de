/**
 * @module test/env/private-redis
 * A Redis of a test's own, on a free port, for tests that restart Redis empty: restarting the
 * environment's shared Redis would disturb every other test running at the same time. With
 * {@link PrivateRedisOptions.tls} it listens with TLS only (no plain port), as a managed Redis
 * that requires TLS does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environment } from '../../runtime/config.js';
import { debianPrograms } from './build.js';
import { freePort, tcpOpen } from './proc.js';

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`, or `rediss://localhost:<port>` for a TLS server. */
  readonly url: string;
  /** Kills the server and starts an empty one on the same port. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Serve TLS only, with this certificate and key (clients are not asked for certificates). */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const programs = await debianPrograms();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(
      programs.redisServer,
      [
        ...(opts.tls
          ? [
              '--port',
              '0',
              '--tls-port',
              String(port),
              '--tls-cert-file',
              opts.tls.certPath,
              '--tls-key-file',
              opts.tls.keyPath,
              '--tls-auth-clients',
              'no',
            ]
          : ['--port', String(port)]),
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
    url: opts.tls ? `rediss://localhost:${port}` : `redis://127.0.0.1:${port}`,
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
