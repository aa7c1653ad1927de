/**
 * @module functions/streambus-cluster/desired-config
 * The broker configuration file (`broker.yaml` in ConfigMap `<name>-config`) and its hash. Pure.
 *
 * The file uses the nested keys the broker reads (`server.port`, `storage.data_dir`,
 * `cluster.raft.data_dir`, `cluster.peers`, `observability.logging.level`, ...). What each spec
 * section becomes:
 * - `config` → `server.{port, http_port, grpc_port}` and the typed tuning settings
 *   (`server.max_connections`, `max_message_size`, `compression_enabled`, ...: see
 *   `spec-config.ts`); `config.logLevel` is the log level unless `observability.logging.level`
 *   overrides it. Every other key of `config` is merged into the file as written (after the
 *   checks of `spec-config.ts`, which keep it away from what Sluice writes).
 * - `replicas` → `cluster.peers`, one `"<id>:<pod>.<headless>.<ns>.svc.cluster.local:7000"` per broker
 *   (so a scale changes the file and rolls the brokers, which must all know their peers). The
 *   broker's own id is not in the file (every pod mounts the same one): the pod derives it from
 *   its ordinal at start.
 * - `security` → a `security` section only for the parts that are enabled (the broker reads an
 *   absent section as "off"); certificate paths point at the read-only Secret mounts, and
 *   `authentication.jwt.key_dir` at the JWT Secret's mount (its keys are the files there).
 * - `multiTenancy` (when enabled) → `multi_tenancy`: the isolation switches, the default quotas,
 *   and each override merged over the defaults (the effective quotas of that tenant).
 *   `isolation.resourceQuotas` turns on `quotas.enforce` (topics, partitions, connections, storage);
 *   `isolation.rateLimiting` turns on `rate_limits.enforce` (bandwidth, messages per second);
 *   `isolation.networkPolicies` is recorded here and also produces a NetworkPolicy.
 * - `observability` → `observability.{metrics, tracing, logging}`.
 *
 * Every string value is double-quoted, so that a tenant called `yes` or `on` stays a string for a
 * YAML 1.1 reader.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { authMethod, jwtSecretName } from './parse.js';
import { TYPED_SERVER_KEYS, type QuotasSpec, type StreamBusClusterSpec } from './spec.js';
import { CONFIG_KEY, PATHS, RAFT_PORT, childMeta, names, peers, type ClusterId } from './topology.js';

type Section = Record<string, unknown>;

/** Drops the keys whose value is undefined, so that absent spec fields stay absent in the file. */
function defined(section: Section): Section {
  return Object.fromEntries(Object.entries(section).filter(([, v]) => v !== undefined));
}

function resourceQuotas(q: QuotasSpec): Section {
  return defined({
    max_topics: q.maxTopics,
    max_partitions_per_topic: q.maxPartitionsPerTopic,
    max_connections: q.maxConnections,
    max_storage_gb: q.maxStorageGB,
  });
}

function rateLimits(q: QuotasSpec): Section {
  return defined({
    max_bandwidth_mbps: q.maxBandwidthMBps,
    max_messages_per_second: q.maxMessagesPerSecond,
  });
}

/** The quotas of a tenant: its override where given, else the default. */
function effectiveQuotas(defaults: QuotasSpec, override: QuotasSpec): QuotasSpec {
  return { ...defaults, ...(defined({ ...override }) as QuotasSpec) };
}

function securitySection(spec: StreamBusClusterSpec): Section | undefined {
  const { tls, authentication: auth, authorization: authz } = spec.security;
  const section = defined({
    tls: tls.enabled
      ? {
          enabled: true,
          cert_file: `${PATHS.tlsDir}/tls.crt`,
          key_file: `${PATHS.tlsDir}/tls.key`,
          ca_file: tls.caSecretName ? `${PATHS.caDir}/ca.crt` : `${PATHS.tlsDir}/ca.crt`,
          client_auth_required: tls.clientAuthRequired ?? false,
        }
      : undefined,
    authentication: auth.enabled
      ? {
          enabled: true,
          method: authMethod(spec),
          allowed_methods: auth.allowedMethods ?? [authMethod(spec)],
          ...(jwtSecretName(spec) ? { jwt: { key_dir: PATHS.jwtDir } } : {}),
        }
      : undefined,
    authorization: authz.enabled
      ? { enabled: true, default_policy: authz.defaultPolicy ?? 'deny' }
      : undefined,
  });
  return Object.keys(section).length > 0 ? section : undefined;
}

function multiTenancySection(spec: StreamBusClusterSpec): Section | undefined {
  const mt = spec.multiTenancy;
  if (!mt.enabled) return undefined;
  return {
    enabled: true,
    network_isolation: mt.isolation.networkPolicies ?? false,
    quotas: { enforce: mt.isolation.resourceQuotas ?? false, default: resourceQuotas(mt.defaultQuotas) },
    rate_limits: { enforce: mt.isolation.rateLimiting ?? false, default: rateLimits(mt.defaultQuotas) },
    tenants: mt.tenantOverrides.map((o) => {
      const q = effectiveQuotas(mt.defaultQuotas, o.quotas);
      return { id: o.tenantId, quotas: resourceQuotas(q), rate_limits: rateLimits(q) };
    }),
  };
}

function observabilitySection(spec: StreamBusClusterSpec): Section {
  const { metrics, tracing, logging } = spec.observability;
  return defined({
    logging: defined({
      level: logging.level ?? spec.config.logLevel,
      format: logging.format,
      include_tenant_context: logging.includeTenantContext,
      audit: logging.auditLog.enabled
        ? { enabled: true, level: logging.auditLog.level ?? 'basic' }
        : undefined,
    }),
    metrics: metrics.enabled
      ? defined({
          enabled: true,
          path: '/metrics',
          interval: metrics.interval,
          per_tenant: metrics.perTenantMetrics,
        })
      : { enabled: false },
    tracing: tracing.enabled
      ? defined({
          enabled: true,
          endpoint: tracing.endpoint,
          sampling_rate: tracing.samplingRate,
          include_tenant_id: tracing.includeTenantId,
        })
      : undefined,
  });
}

/** The typed tuning settings of `spec.config` that are set, under their `server` keys. */
function serverTuning(spec: StreamBusClusterSpec): Section {
  return defined(
    Object.fromEntries(
      Object.entries(TYPED_SERVER_KEYS).map(([key, path]) => [
        path,
        spec.config[key as keyof typeof TYPED_SERVER_KEYS],
      ]),
    ),
  );
}

/** `base` with `extra` merged in: objects merge key by key, anything else in `extra` replaces. */
function merge(base: Section, extra: Section): Section {
  const out: Section = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? merge(b, v) : v;
  }
  return out;
}

/** The broker configuration of `spec`, as the object the YAML file is written from. */
export function brokerConfig(id: Pick<ClusterId, 'name' | 'namespace'>, spec: StreamBusClusterSpec): Section {
  return merge(ownedConfig(id, spec), spec.passThrough);
}

/** What Sluice writes itself (the paths of `OWNED_PATHS` and the typed settings). */
function ownedConfig(id: Pick<ClusterId, 'name' | 'namespace'>, spec: StreamBusClusterSpec): Section {
  return defined({
    server: {
      host: '0.0.0.0',
      port: spec.config.port,
      http_port: spec.config.httpPort,
      grpc_port: spec.config.grpcPort,
      ...serverTuning(spec),
    },
    storage: { data_dir: PATHS.dataDir },
    cluster: {
      raft: { data_dir: PATHS.raftDir, port: RAFT_PORT },
      peers: peers(id.name, id.namespace, spec.replicas),
    },
    security: securitySection(spec),
    multi_tenancy: multiTenancySection(spec),
    observability: observabilitySection(spec),
  });
}

/** The text of `broker.yaml`. Deterministic: the same spec always gives the same bytes. */
export function brokerConfigFile(
  id: Pick<ClusterId, 'name' | 'namespace'>,
  spec: StreamBusClusterSpec,
): string {
  const header = `# Broker configuration of StreamBusCluster ${id.namespace}/${id.name}, written by Sluice.\n# Edit the StreamBusCluster instead: changes here are overwritten.\n`;
  return (
    header +
    stringify(brokerConfig(id, spec), {
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN',
      lineWidth: 0,
    })
  );
}

/** The data of the ConfigMap. */
export function configData(
  id: Pick<ClusterId, 'name' | 'namespace'>,
  spec: StreamBusClusterSpec,
): Record<string, string> {
  return { [CONFIG_KEY]: brokerConfigFile(id, spec) };
}

/** A short, stable hash of ConfigMap data (keys sorted), for the pod-template annotation. */
export function configHash(data: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The ConfigMap `<name>-config`. */
export function desiredConfigMap(id: ClusterId, data: Readonly<Record<string, string>>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(id, names.configMap(id.name), 'config'),
    data: { ...data },
  };
}
