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
  /** `SLUICE_RABBITMQ_URL`: the default RabbitMQ broker (`host:port`) for auto-provisioned streams. */
  readonly rabbitmqUrl: string | undefined;
  /** `SLUICE_RABBITMQ_BINDING`: optional Secret (in {@link namespace}) with credentials and virtual host for it. */
  readonly rabbitmqBinding: string | undefined;
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
  const rabbitmqUrl = optional(env, 'SLUICE_RABBITMQ_URL');
  if (rabbitmqUrl !== undefined && !/^[^\s,/:]+:[0-9]{1,5}$/.test(rabbitmqUrl)) {
    throw new ConfigError(`SLUICE_RABBITMQ_URL must be host:port`);
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
    rabbitmqUrl,
    rabbitmqBinding: optional(env, 'SLUICE_RABBITMQ_BINDING'),
    autoProvision: bool(env, 'SLUICE_AUTO_PROVISION', true),
    endpointOverrides: parseEndpointOverrides(optional(env, 'SLUICE_ENDPOINT_OVERRIDES')),
  });
}

/** The operator's default broker for one protocol, from its settings. */
export interface DefaultBroker {
  /** Addresses (Kafka and RabbitMQ `host:port`, NATS URLs); empty when none is configured. */
  readonly servers: readonly string[];
  /** The binding Secret with its credentials, if any. */
  readonly binding: string | undefined;
  /** The variable that names the servers, for messages. */
  readonly variable: string;
}

/** The default broker of `protocol` (`kafka`, `nats` or `rabbitmq`). */
export function defaultBrokerOf(
  settings: Pick<
    OperatorSettings,
    'kafkaBrokers' | 'kafkaBinding' | 'natsUrl' | 'natsBinding' | 'rabbitmqUrl' | 'rabbitmqBinding'
  >,
  protocol: 'kafka' | 'nats' | 'rabbitmq',
): DefaultBroker {
  const list = (raw: string | undefined): string[] =>
    (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  switch (protocol) {
    case 'kafka':
      return {
        servers: settings.kafkaBrokers,
        binding: settings.kafkaBinding,
        variable: 'SLUICE_KAFKA_BROKERS',
      };
    case 'nats':
      return { servers: list(settings.natsUrl), binding: settings.natsBinding, variable: 'SLUICE_NATS_URL' };
    case 'rabbitmq':
      return {
        servers: list(settings.rabbitmqUrl),
        binding: settings.rabbitmqBinding,
        variable: 'SLUICE_RABBITMQ_URL',
      };
  }
}
