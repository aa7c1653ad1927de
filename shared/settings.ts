/**
 * @module shared/settings
 * The settings of Sluice's own functions (the brokers an auto-provisioned stream goes to, their
 * credentials, address rewrites), read from the environment snapshot the composition root takes
 * (`runtime/config.ts` is the one module that reads the process environment). A malformed value
 * throws {@link ConfigError} naming the variable, as the runtime's settings do.
 */
import { ConfigError, bool, environment, optional, token, type Environment } from '../runtime/index.js';

export interface OperatorSettings {
  /** `SLUICE_NAMESPACE`: where ClusterStream binding Secrets and broker credentials live. @defaultValue `sluice-system` */
  readonly namespace: string;
  /** `SLUICE_KAFKA_BROKERS`: comma-separated default Kafka brokers for auto-provisioned streams. */
  readonly kafkaBrokers: readonly string[];
  /** `SLUICE_KAFKA_BINDING`: optional Secret (in {@link namespace}) with credentials for those brokers. */
  readonly kafkaBinding: string | undefined;
  /** `SLUICE_NATS_URL`: the default NATS server for auto-provisioned streams. */
  readonly natsUrl: string | undefined;
  /** `SLUICE_NATS_BINDING`: optional Secret (in {@link namespace}) with credentials for that server. */
  readonly natsBinding: string | undefined;
  /** `SLUICE_AUTO_PROVISION`: whether a Stream may create its ClusterStream. @defaultValue `true` */
  readonly autoProvision: boolean;
  /**
   * `SLUICE_ENDPOINT_OVERRIDES`: `from=to` pairs, comma-separated, matched on the `host:port` the
   * operator would dial (used out of cluster, where Service DNS names do not resolve); `from` may
   * be `*.suffix:port` for every host under a domain (see `brokers/address.ts`).
   */
  readonly endpointOverrides: ReadonlyMap<string, string>;
}

/** The functions' settings, as a context property (`ctx.config`). */
export const OPERATOR_SETTINGS = token<OperatorSettings>('the operator settings (SLUICE_KAFKA_BROKERS, ...)');

/** Parses `a=b,c=d` into a map, rejecting entries without exactly one `=`. */
export function parseEndpointOverrides(raw: string | undefined): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  if (!raw) return map;
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parts = entry.split('=');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new ConfigError(
        `SLUICE_ENDPOINT_OVERRIDES entry ${JSON.stringify(entry)} is not of the form from=to`,
      );
    }
    map.set(parts[0].trim(), parts[1].trim());
  }
  return map;
}

/**
 * Reads and validates the functions' settings.
 * @param env the variables to read; defaults to a snapshot of the process environment.
 * @throws ConfigError naming the first malformed variable.
 */
export function loadOperatorSettings(env: Environment = environment()): OperatorSettings {
  const natsUrl = optional(env, 'SLUICE_NATS_URL');
  if (natsUrl !== undefined && !/^(nats|tls|wss?):\/\//.test(natsUrl)) {
    throw new ConfigError(`SLUICE_NATS_URL must be a nats:// or tls:// URL`);
  }
  return Object.freeze({
    namespace: optional(env, 'SLUICE_NAMESPACE') ?? 'sluice-system',
    kafkaBrokers: (optional(env, 'SLUICE_KAFKA_BROKERS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    kafkaBinding: optional(env, 'SLUICE_KAFKA_BINDING'),
    natsUrl,
    natsBinding: optional(env, 'SLUICE_NATS_BINDING'),
    autoProvision: bool(env, 'SLUICE_AUTO_PROVISION', true),
    endpointOverrides: parseEndpointOverrides(optional(env, 'SLUICE_ENDPOINT_OVERRIDES')),
  });
}
