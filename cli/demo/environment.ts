/**
 * @module cli/demo/environment
 * Where the demo runs: the local environment that `npm run env:up` describes in
 * `.sluice/env.json`, and the operator settings the demo derives from it.
 *
 * The settings go through {@link loadConfig} (with a variable map built here, never the process
 * environment), so the demo's Sluice is configured exactly as a deployed one would be with the
 * same variables.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, isRecord, type Environment } from '../../runtime/index.js';

/** What the demo needs of `.sluice/env.json`. */
export interface DemoEnvironment {
  readonly kubeconfig: string;
  readonly redisUrl: string;
  readonly natsUrl: string;
  readonly kafkaBrokers: readonly string[];
}

/** The names the demo works under. */
export interface DemoNames {
  /** Where the examples live. */
  readonly namespace: string;
  /** The operator's own namespace (binding Secrets, the broker binding). */
  readonly operatorNamespace: string;
  /** The BullMQ key prefix of the demo's queues. */
  readonly queuePrefix: string;
}

export const DEMO_NAMES: DemoNames = {
  namespace: 'sluice-demo',
  operatorNamespace: 'sluice-demo-system',
  queuePrefix: 'sluice-demo',
};

/** The repository root: the nearest folder above this module that holds a package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new ConfigError('cannot find the repository root (no package.json above the demo)');
    dir = up;
  }
  return dir;
}

function text(raw: Record<string, unknown>, key: string, file: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${key} must be a string`);
  return value;
}

/**
 * Reads the environment file.
 * @throws ConfigError naming the file when it is missing or malformed.
 */
export function readEnvironment(file: string): DemoEnvironment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const missing = (err as { code?: unknown }).code === 'ENOENT';
    throw new ConfigError(
      missing
        ? `${file} does not exist: start the local environment with \`npm run env:up\` first`
        : `${file} is not valid JSON`,
    );
  }
  if (!isRecord(raw)) throw new ConfigError(`${file} must hold a JSON object`);
  const brokers = raw.kafkaBrokers;
  if (!Array.isArray(brokers) || !brokers.every((b): b is string => typeof b === 'string') || !brokers.length)
    throw new ConfigError(`${file}: kafkaBrokers must be a non-empty list of host:port`);
  return {
    kubeconfig: text(raw, 'kubeconfig', file),
    redisUrl: text(raw, 'redisUrl', file),
    natsUrl: text(raw, 'natsUrl', file),
    kafkaBrokers: brokers,
  };
}

/** `host:port` of a `nats://host:port` URL. */
export function natsHostPort(natsUrl: string): string {
  return natsUrl.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** The in-cluster address of a StreamStore, as the Tawon Stream reconciler dials it. */
export function storeServiceAddress(store: string, namespace: string): string {
  return `${store}.${namespace}.svc:4222`;
}

export interface DemoConfigOptions {
  readonly token: string;
  readonly logLevel: string;
  /** StreamStores whose Service address is sent to the environment's NATS. */
  readonly stores: readonly string[];
}

/**
 * The variables the demo's Sluice runs with: the environment's servers as the default brokers, the
 * demo's namespaces and queue prefix, the generated API token, and endpoint overrides that send
 * each StreamStore's Service (a DNS name that does not resolve outside a cluster) to the
 * environment's NATS. They go through the same loaders as a deployment's (`loadConfig`,
 * `loadOperatorSettings`), never through the process environment.
 */
export function demoVariables(env: DemoEnvironment, names: DemoNames, opts: DemoConfigOptions): Environment {
  const nats = natsHostPort(env.natsUrl);
  const overrides = opts.stores.map((s) => `${storeServiceAddress(s, names.namespace)}=${nats}`);
  return {
    KUBECONFIG: env.kubeconfig,
    SLUICE_REDIS_URL: env.redisUrl,
    SLUICE_QUEUE_PREFIX: names.queuePrefix,
    SLUICE_NAMESPACE: names.operatorNamespace,
    SLUICE_KAFKA_BROKERS: env.kafkaBrokers.join(','),
    SLUICE_NATS_URL: env.natsUrl,
    SLUICE_ENDPOINT_OVERRIDES: overrides.join(','),
    SLUICE_API_TOKEN: opts.token,
    SLUICE_LOG_LEVEL: opts.logLevel,
  };
}
