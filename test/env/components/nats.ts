/**
 * @module test/env/components/nats
 * nats-server from Debian with JetStream, its store under `.sluice/data/nats`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { debianPrograms } from '../build.js';
import type { Component } from '../component.js';
import { dataDir } from '../paths.js';
import { livePid, startDetached, waitFor } from '../proc.js';
import type { EnvState } from '../state.js';

async function healthz(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz?js-enabled-only=true`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export const nats: Component = {
  name: 'nats',
  async healthy(state: EnvState) {
    return livePid('nats') !== undefined && (await healthz(state.ports.natsMonitor));
  },
  async start(state: EnvState) {
    const programs = await debianPrograms();
    const dir = path.join(dataDir, 'nats');
    mkdirSync(dir, { recursive: true });
    const pid = startDetached('nats', programs.natsServer, [
      '-a',
      '127.0.0.1',
      '-p',
      String(state.ports.nats),
      '-m',
      String(state.ports.natsMonitor),
      '-n',
      'sluice-test',
      '-js',
      '-sd',
      dir,
    ]);
    await waitFor('nats', () => healthz(state.ports.natsMonitor), 20_000, pid);
  },
  describe(state: EnvState) {
    return `nats://127.0.0.1:${state.ports.nats} (monitor :${state.ports.natsMonitor})`;
  },
};
