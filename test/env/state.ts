/**
 * @module test/env/state
 * The environment's persistent settings: ports chosen on the first `env:up` and reused after, and
 * the admin token of the test API server. Kept in `.sluice/state.json`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './proc.js';
import { stateDir } from './paths.js';

export interface Ports {
  readonly redis: number;
  readonly nats: number;
  readonly natsMonitor: number;
  readonly kafka: number;
  readonly kafkaController: number;
  readonly etcd: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
}

export interface EnvState {
  readonly ports: Ports;
  /** Bearer token of the `system:masters` admin user of the test API server. */
  readonly adminToken: string;
}

const statePath = path.join(stateDir, 'state.json');

function isPorts(v: unknown): v is Ports {
  if (typeof v !== 'object' || v === null) return false;
  const keys: (keyof Ports)[] = [
    'redis',
    'nats',
    'natsMonitor',
    'kafka',
    'kafkaController',
    'etcd',
    'etcdPeer',
    'apiserver',
  ];
  return keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'number');
}

/** Loads the saved state, or chooses free ports and a fresh token and saves them. */
export async function loadOrCreateState(): Promise<EnvState> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(statePath, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { ports, adminToken } = parsed as { ports?: unknown; adminToken?: unknown };
      if (isPorts(ports) && typeof adminToken === 'string' && adminToken.length >= 32)
        return { ports, adminToken };
    }
  } catch {
    /* first run */
  }
  const taken = new Set<number>();
  const pick = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const state: EnvState = {
    ports: {
      redis: await pick(),
      nats: await pick(),
      natsMonitor: await pick(),
      kafka: await pick(),
      kafkaController: await pick(),
      etcd: await pick(),
      etcdPeer: await pick(),
      apiserver: await pick(),
    },
    adminToken: randomBytes(24).toString('hex'),
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  return state;
}
