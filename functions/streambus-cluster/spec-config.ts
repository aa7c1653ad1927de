/**
 * @module functions/streambus-cluster/spec-config
 * `spec.config`: the broker settings. The typed ones are validated here and written to known keys
 * of `broker.yaml`; any other key is a pass-through setting, written into `broker.yaml` as given
 * (Strimzi's `config` model), unless it would override something Sluice owns.
 *
 * Pass-through rules (checked by {@link passThroughProblems}, applied by {@link passThroughTree}):
 * - a key is a path into the broker configuration: nested objects nest (`{topics: {auto_create:
 *   false}}`), and a dotted key is the same path (`topics.auto_create: false`); arrays and scalars
 *   are values. An empty object sets nothing.
 * - every path segment is letters, digits, `_` or `-`, starting with a letter or digit.
 * - the broker reads its file through viper, which ignores case; so two paths that differ only in
 *   case (or in `_`/`-`) are the same path, and setting one twice is refused.
 * - a path may not reach (equal, contain or lie under) a path Sluice owns ({@link OWNED_PATHS}):
 *   the broker id, listeners and ports, the data directories, the Raft port and peers, and the
 *   sections that other spec fields write (`security`, `multi_tenancy`, `observability`). Nor may
 *   it be a top-level alias of one (`brokerId`, `dataDir`, `peers`, `tls`, ...), nor a spelling of
 *   a typed setting (`max_connections` → use `maxConnections`).
 */
import 'reflect-metadata';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { isRecord } from '../../runtime/index.js';
import { LOG_LEVELS } from './spec-observability.js';

/** A Go duration as the broker parses it (`30s`, `5m`, `1h30m`, `250ms`). */
export const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

export class BrokerConfigSpec {
  @IsIn(LOG_LEVELS)
  logLevel: (typeof LOG_LEVELS)[number] = 'info';

  @IsInt()
  @Min(1)
  @Max(65535)
  port = 9092;

  @IsInt()
  @Min(1)
  @Max(65535)
  httpPort = 8081;

  @IsInt()
  @Min(1)
  @Max(65535)
  grpcPort = 9093;

  @IsOptional()
  @IsInt()
  @Min(1)
  maxConnections?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4294967295)
  maxMessageSize?: number;

  @IsOptional()
  @IsBoolean()
  compressionEnabled?: boolean;

  @IsOptional()
  @IsString()
  @Matches(GO_DURATION)
  readTimeout?: string;

  @IsOptional()
  @IsString()
  @Matches(GO_DURATION)
  writeTimeout?: string;

  @IsOptional()
  @IsString()
  @Matches(GO_DURATION)
  idleTimeout?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  numWorkers?: number;

  @IsOptional()
  @IsBoolean()
  keepAlive?: boolean;

  @IsOptional()
  @IsString()
  @Matches(GO_DURATION)
  keepAlivePeriod?: string;
}

/**
 * The typed settings that `broker.yaml` gets under `server`, by spec key. Absent ones are left
 * out, so the broker keeps its own default.
 */
export const TYPED_SERVER_KEYS = {
  maxConnections: 'max_connections',
  maxMessageSize: 'max_message_size',
  compressionEnabled: 'compression_enabled',
  readTimeout: 'read_timeout',
  writeTimeout: 'write_timeout',
  idleTimeout: 'idle_timeout',
  numWorkers: 'num_workers',
  keepAlive: 'keep_alive',
  keepAlivePeriod: 'keep_alive_period',
} as const satisfies Partial<Record<keyof BrokerConfigSpec, string>>;

/** Every typed key of `spec.config`; the rest pass through. */
export const TYPED_CONFIG_KEYS: readonly string[] = [
  'logLevel',
  'port',
  'httpPort',
  'grpcPort',
  ...Object.keys(TYPED_SERVER_KEYS),
];

/** Paths of `broker.yaml` that Sluice writes or forbids, with the spec field to use instead. */
export const OWNED_PATHS: readonly (readonly [path: string, instead: string])[] = [
  ['server.broker_id', 'the pod ordinal (pod <name>-<i> is broker i + 1)'],
  ['server.host', 'nothing: the brokers listen on every address'],
  ['server.listen', 'spec.config.port'],
  ['server.listeners', 'spec.config.port'],
  ['server.address', 'spec.config.port'],
  ['server.port', 'spec.config.port'],
  ['server.http_port', 'spec.config.httpPort'],
  ['server.grpc_port', 'spec.config.grpcPort'],
  ...Object.entries(TYPED_SERVER_KEYS).map(
    ([key, path]) => [`server.${path}`, `spec.config.${key}`] as const,
  ),
  ['storage.data_dir', 'spec.storage (the data claim is mounted at /data)'],
  ['cluster.raft.data_dir', 'spec.storage.raftSize (the Raft claim is mounted at /raft)'],
  ['cluster.raft.port', 'nothing: the Raft port is 7000'],
  ['cluster.peers', 'spec.replicas'],
  ['security', 'spec.security'],
  ['multi_tenancy', 'spec.multiTenancy'],
  ['observability', 'spec.observability and spec.config.logLevel'],
];

/** Top-level keys that name something Sluice owns without being its path in `broker.yaml`. */
const OWNED_ALIASES = [
  'brokerId',
  'host',
  'listen',
  'listeners',
  'advertisedListeners',
  'dataDir',
  'raftDataDir',
  'raftPort',
  'peers',
  'clusterPeers',
  'tls',
  'certFile',
  'keyFile',
  'caFile',
  'jwt',
  'jwtSecret',
  'jwtKeyFile',
  'logging',
  'metrics',
  'tracing',
];

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A segment as viper compares it, also ignoring `_` and `-` (so `brokerId` is `broker_id`). */
function norm(segment: string): string {
  return segment.toLowerCase().replace(/[-_]/g, '');
}

const normPath = (p: readonly string[]): string => p.map(norm).join('.');

/** One setting: its path as written, and its value. */
export interface PassThroughLeaf {
  readonly path: readonly string[];
  readonly value: unknown;
}

/** The leaves of the untyped part of `rawConfig` (the keys not in {@link TYPED_CONFIG_KEYS}). */
export function passThroughLeaves(rawConfig: unknown): PassThroughLeaf[] {
  if (!isRecord(rawConfig)) return [];
  const out: PassThroughLeaf[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (isRecord(value) && path.length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, ...k.split('.')]);
      return;
    }
    out.push({ path, value });
  };
  for (const [key, value] of Object.entries(rawConfig)) {
    if (!TYPED_CONFIG_KEYS.includes(key)) walk(value, key.split('.'));
  }
  return out;
}

const isPrefix = (a: string, b: string): boolean => a === b || b.startsWith(`${a}.`);

/** Why `leaf` may not pass through, if it may not. */
function leafProblem(leaf: PassThroughLeaf): string | undefined {
  const shown = `spec.config.${leaf.path.join('.')}`;
  const bad = leaf.path.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    return `${shown}: ${JSON.stringify(bad)} is not a broker setting name (letters, digits, _ and -)`;
  }
  const p = normPath(leaf.path);
  const typed = TYPED_CONFIG_KEYS.find((k) => leaf.path.length === 1 && norm(k) === p);
  if (typed) return `${shown} is the typed setting spec.config.${typed}: write it that way`;
  for (const [owned, instead] of OWNED_PATHS) {
    const o = normPath(owned.split('.'));
    if (isPrefix(o, p) || isPrefix(p, o)) {
      return `${shown} would override ${owned}, which Sluice sets: use ${instead}`;
    }
  }
  const alias = OWNED_ALIASES.find((a) => norm(a) === norm(leaf.path[0] ?? ''));
  if (alias) return `${shown} names what Sluice sets (${alias}): it cannot be overridden`;
  return undefined;
}

/** Every reason the untyped keys of `rawConfig` cannot pass through (empty when they can). */
export function passThroughProblems(rawConfig: unknown): string[] {
  const leaves = passThroughLeaves(rawConfig);
  const out = leaves.map(leafProblem).filter((p): p is string => p !== undefined);
  const seen = new Map<string, string>();
  for (const leaf of leaves) {
    const p = normPath(leaf.path);
    const shown = `spec.config.${leaf.path.join('.')}`;
    for (const [other, otherShown] of seen) {
      if (isPrefix(other, p) || isPrefix(p, other))
        out.push(`${shown} and ${otherShown} set the same setting`);
    }
    seen.set(p, shown);
  }
  return out;
}

/**
 * The pass-through settings of `rawConfig` as one nested object, for merging into `broker.yaml`;
 * keys sorted, so that the file does not depend on the order the keys were written in.
 */
export function passThroughTree(rawConfig: unknown): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const leaves = passThroughLeaves(rawConfig).sort((a, b) =>
    a.path.join('.') < b.path.join('.') ? -1 : a.path.join('.') > b.path.join('.') ? 1 : 0,
  );
  for (const { path, value } of leaves) {
    let node = tree;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      node = isRecord(next) ? next : (node[segment] = {});
    });
  }
  return tree;
}
