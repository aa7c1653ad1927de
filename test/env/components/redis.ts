/**
 * @module test/env/components/redis
 * Redis from Debian, on its own port, with the settings BullMQ needs (`noeviction`) and no
 * persistence, so that a restart is a restart empty.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { debianPrograms } from '../build.js';
import type { Component } from '../component.js';
import { dataDir } from '../paths.js';
import { livePid, startDetached, waitFor } from '../proc.js';
import type { EnvState } from '../state.js';

async function ping(port: number): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redis: Component = {
  name: 'redis',
  async healthy(state: EnvState) {
    return livePid('redis') !== undefined && (await ping(state.ports.redis));
  },
  async start(state: EnvState) {
    const programs = await debianPrograms();
    const dir = path.join(dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const pid = startDetached(
      'redis',
      programs.redisServer,
      [
        '--port',
        String(state.ports.redis),
        '--bind',
        '127.0.0.1',
        '--protected-mode',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
        '--maxmemory-policy',
        'noeviction',
        '--hash-max-listpack-value',
        '256',
      ],
      programs.libraryPath ? { env: { LD_LIBRARY_PATH: programs.libraryPath } } : {},
    );
    await waitFor('redis', () => ping(state.ports.redis), 20_000, pid);
  },
  describe(state: EnvState) {
    return `redis://127.0.0.1:${state.ports.redis}`;
  },
};
