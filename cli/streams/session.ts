/**
 * @module cli/streams/session
 * What every Tawon command opens and closes: the configuration (`loadConfig()`, the only reader of
 * the environment), a Kubernetes session and the broker clients; plus the option parsers they share.
 */
import { InvalidArgumentError } from 'commander';
import { loadConfig, type SluiceConfig } from '../../runtime/index.js';
import { type PooledBrokerClients } from '../../shared/index.js';
import type { OutputFormat } from '../output.js';
import { openKube, type KubeSession } from './kube.js';
import { cliBrokers } from './store.js';
import { loadOperatorSettings, type OperatorSettings } from '../../shared/settings.js';

export interface Session {
  readonly config: SluiceConfig & OperatorSettings;
  readonly kube: KubeSession;
  readonly brokers: PooledBrokerClients;
}

/** Runs `body` with a session and closes it afterwards, whatever happens. */
export async function withSession<T>(body: (s: Session) => Promise<T>): Promise<T> {
  const config = { ...loadConfig(), ...loadOperatorSettings() };
  const kube = openKube(config);
  const brokers = cliBrokers(config);
  try {
    return await body({ config, kube, brokers });
  } finally {
    await brokers.close().catch(() => undefined);
    kube.close();
  }
}

/** The namespace to use: `-n`, else the kubeconfig context's. */
export function namespaceOf(s: Session, given: string | undefined): string {
  return given ?? s.kube.namespace;
}

/** Parses `-o table|json`. */
export function outputFormat(value: string): OutputFormat {
  if (value !== 'table' && value !== 'json') throw new InvalidArgumentError('use table or json');
  return value;
}

/** Parses a whole number ≥ `min`. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    }
    return n;
  };
}

/** Parses a number of seconds (fractions allowed) into milliseconds. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(n)) {
    throw new InvalidArgumentError('expected a number of seconds');
  }
  return Math.round(n * 1000);
}
