/**
 * @module brokers/pool
 * {@link BrokerClients}: one Kafka admin client, one NATS connection and one RabbitMQ connection per
 * broker address set and credentials, shared by every reconcile in the process and closed after an idle period.
 *
 * Pool keys are the sorted addresses plus a keyed hash (HMAC with a per-process random key) of the
 * credentials, so no secret is ever a map key, a log field or a metric label. Every address is
 * rewritten through the endpoint overrides before it is dialed.
 */
import { ConfigError, TerminalError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/log.js';
import { hostOf, resolveAddress, resolveHostPort, splitHostPort } from './address.js';
import { credentialsFingerprint } from './fingerprint.js';
import { BrokerUnavailableError } from './errors.js';
import type { KafkaTuning } from './kafka-config.js';
import { createKafkaAdmin, type KafkaAdmin, type KafkaAdminStats } from './kafka.js';
import { connectJetStream, type JetStreamHandle, type NatsTuning } from './nats.js';
import { createRabbitAdmin, type RabbitAdminClient } from './rabbitmq.js';
import type { BrokerClients, BrokerCredentials } from './types.js';

/** How {@link createBrokerClients} pools and dials. */
export interface BrokerClientsOptions {
  /** Exact `host:port` → `host:port` rewrites (`SluiceConfig.endpointOverrides`). @defaultValue none */
  readonly endpointOverrides?: ReadonlyMap<string, string>;
  /** A pooled client unused for this long is closed, in ms. @defaultValue 60000 */
  readonly idleMs?: number;
  /** How often idle clients are looked for, in ms. @defaultValue `idleMs / 2`, at most 10000 */
  readonly sweepMs?: number;
  /** Kafka admin tuning (batching, timeouts). @defaultValue see {@link KafkaTuning} */
  readonly kafka?: KafkaTuning;
  /** NATS connection tuning. @defaultValue see {@link NatsTuning} */
  readonly nats?: NatsTuning;
  /** Pool events (open, idle close) at debug level, kafkajs lines at debug level. @defaultValue none */
  readonly logger?: Logger;
}

/** A pooled Kafka admin client, also reporting the batching of the client behind it. */
export interface PooledKafkaAdmin extends Omit<KafkaAdmin, 'close'> {
  /** The pool key: sorted addresses and a fingerprint of the credentials. */
  readonly key: string;
}

/** {@link BrokerClients} with pool introspection. */
export interface PooledBrokerClients extends BrokerClients {
  kafka(brokers: readonly string[], credentials?: BrokerCredentials): PooledKafkaAdmin;
  /** Open clients per protocol (for metrics and tests). */
  size(): { readonly kafka: number; readonly nats: number; readonly rabbitmq: number };
}

interface KafkaEntry {
  readonly client: KafkaAdmin;
  inFlight: number;
  lastUsed: number;
}

interface RabbitEntry {
  readonly client: RabbitAdminClient;
  lastUsed: number;
}

interface NatsEntry {
  readonly handle: Promise<JetStreamHandle>;
  settled: JetStreamHandle | undefined;
  lastUsed: number;
  lastMessages: number;
}

const EMPTY_STATS: KafkaAdminStats = {
  calls: { describeTopic: 0, createTopic: 0, alterTopicConfig: 0, createPartitions: 0, deleteTopic: 0 },
  batches: { describeTopic: 0, createTopic: 0, alterTopicConfig: 0, createPartitions: 0, deleteTopic: 0 },
  requests: {
    createTopics: 0,
    validateTopics: 0,
    fetchTopicMetadata: 0,
    describeConfigs: 0,
    alterConfigs: 0,
    createPartitions: 0,
    deleteTopics: 0,
  },
  wire: {},
  wireMs: {},
};

/**
 * Creates the process's broker clients.
 * @example const brokers = createBrokerClients({ endpointOverrides: config.endpointOverrides, logger });
 */
export function createBrokerClients(opts: BrokerClientsOptions = {}): PooledBrokerClients {
  const overrides = opts.endpointOverrides ?? new Map<string, string>();
  const idleMs = opts.idleMs ?? 60_000;
  if (!(idleMs > 0)) throw new ConfigError('idleMs must be greater than 0');
  const sweepMs = opts.sweepMs ?? Math.min(idleMs / 2, 10_000);
  const log = opts.logger;
  const kafkaPool = new Map<string, KafkaEntry>();
  const natsPool = new Map<string, NatsEntry>();
  const rabbitPool = new Map<string, RabbitEntry>();
  let closed = false;

  const resolve = (hostPort: string): string => resolveHostPort(hostPort, overrides);

  function ensureOpen(): void {
    if (closed) throw new BrokerUnavailableError('the broker clients were closed');
  }

  function kafkaEntry(key: string, brokers: readonly string[], credentials?: BrokerCredentials): KafkaEntry {
    ensureOpen();
    let entry = kafkaPool.get(key);
    if (entry === undefined) {
      const client = createKafkaAdmin({
        ...opts.kafka,
        brokers,
        ...(credentials === undefined ? {} : { credentials }),
        resolve,
        ...(log === undefined ? {} : { logger: log }),
      });
      entry = { client, inFlight: 0, lastUsed: Date.now() };
      kafkaPool.set(key, entry);
      log?.debug({ pool: 'kafka', key }, 'opened a pooled Kafka admin client');
    }
    return entry;
  }

  function kafka(brokers: readonly string[], credentials?: BrokerCredentials): PooledKafkaAdmin {
    const list = checkAddresses(brokers, 'Kafka');
    const key = `kafka|${[...list].sort().join(',')}|${credentialsFingerprint(credentials)}`;
    async function use<T>(call: (client: KafkaAdmin) => Promise<T>): Promise<T> {
      const entry = kafkaEntry(key, list, credentials);
      entry.inFlight++;
      try {
        return await call(entry.client);
      } finally {
        entry.inFlight--;
        entry.lastUsed = Date.now();
      }
    }
    return {
      key,
      clusterId: () => use((c) => c.clusterId()),
      describeTopic: (name) => use((c) => c.describeTopic(name)),
      createTopic: (spec) => use((c) => c.createTopic(spec)),
      alterTopicConfig: (name, set, reset) => use((c) => c.alterTopicConfig(name, set, reset)),
      createPartitions: (name, count) => use((c) => c.createPartitions(name, count)),
      deleteTopic: (name) => use((c) => c.deleteTopic(name)),
      stats: () => kafkaPool.get(key)?.client.stats() ?? EMPTY_STATS,
    };
  }

  async function jetstream(
    servers: readonly string[],
    credentials?: BrokerCredentials,
  ): Promise<JetStreamHandle> {
    ensureOpen();
    const list = checkAddresses(servers, 'NATS');
    const key = `nats|${[...list].sort().join(',')}|${credentialsFingerprint(credentials)}`;
    let entry = natsPool.get(key);
    if (entry === undefined) {
      const dialed = list.map((s) => resolveAddress(s, overrides));
      const rewritten = dialed.some((d, i) => d !== list[i]);
      const hosts = new Set(list.map(hostOf));
      const [onlyHost] = hosts;
      const handle = connectJetStream({
        ...opts.nats,
        servers: dialed,
        ...(credentials === undefined ? {} : { credentials }),
        ignoreClusterUpdates: rewritten,
        ...(rewritten && hosts.size === 1 && onlyHost !== undefined ? { tlsServerName: onlyHost } : {}),
      });
      const created: NatsEntry = { handle, settled: undefined, lastUsed: Date.now(), lastMessages: 0 };
      entry = created;
      natsPool.set(key, created);
      handle.then(
        (h) => {
          created.settled = h;
          log?.debug({ pool: 'nats', key }, 'opened a pooled NATS connection');
          void h.nc.closed().then(() => {
            if (natsPool.get(key) === created) natsPool.delete(key);
          });
        },
        () => {
          if (natsPool.get(key) === created) natsPool.delete(key);
        },
      );
    }
    entry.lastUsed = Date.now();
    return entry.handle;
  }

  function rabbitmq(servers: readonly string[], credentials?: BrokerCredentials): RabbitAdminClient {
    ensureOpen();
    const list = checkAddresses(servers, 'RabbitMQ');
    const key = `rabbitmq|${list[0] ?? ''}|${credentialsFingerprint(credentials)}`;
    let entry = rabbitPool.get(key);
    if (entry === undefined) {
      const target = splitHostPort(resolve(list[0] ?? ''));
      if (target === undefined)
        throw new TerminalError('InvalidBrokerAddress', 'RabbitMQ address is not host:port');
      const client = createRabbitAdmin({
        hostPort: target,
        ...(credentials === undefined ? {} : { credentials }),
      });
      entry = { client, lastUsed: Date.now() };
      rabbitPool.set(key, entry);
      log?.debug({ pool: 'rabbitmq', key }, 'opened a pooled RabbitMQ client');
    }
    entry.lastUsed = Date.now();
    return entry.client;
  }

  function sweep(): void {
    const now = Date.now();
    for (const [key, entry] of kafkaPool) {
      if (entry.inFlight === 0 && now - entry.lastUsed > idleMs) {
        kafkaPool.delete(key);
        log?.debug({ pool: 'kafka', key }, 'closing an idle Kafka admin client');
        void entry.client.close();
      }
    }
    for (const [key, entry] of rabbitPool) {
      if (now - entry.lastUsed > idleMs) {
        rabbitPool.delete(key);
        void entry.client.close();
      }
    }
    for (const [key, entry] of natsPool) {
      const h = entry.settled;
      if (h === undefined) continue;
      const s = h.nc.stats();
      const messages = s.inMsgs + s.outMsgs;
      // Traffic on the connection (a reconcile still using its manager) counts as use.
      if (messages !== entry.lastMessages) {
        entry.lastMessages = messages;
        entry.lastUsed = now;
      } else if (now - entry.lastUsed > idleMs) {
        natsPool.delete(key);
        log?.debug({ pool: 'nats', key }, 'closing an idle NATS connection');
        void h.nc.close().catch(() => undefined);
      }
    }
  }

  const timer = setInterval(sweep, Math.max(10, sweepMs));
  timer.unref();

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    const kafkaClients = [...kafkaPool.values()].map((e) => e.client.close());
    const natsClients = [...natsPool.values()].map((e) =>
      e.handle.then((h) => h.nc.close()).catch(() => undefined),
    );
    const rabbitClients = [...rabbitPool.values()].map((e) => e.client.close());
    kafkaPool.clear();
    natsPool.clear();
    rabbitPool.clear();
    await Promise.all([...kafkaClients, ...natsClients, ...rabbitClients]);
  }

  return {
    kafka,
    jetstream,
    rabbitmq,
    resolve,
    close,
    size: () => ({ kafka: kafkaPool.size, nats: natsPool.size, rabbitmq: rabbitPool.size }),
  };
}

/**
 * Checks a non-empty address list: `host:port` for Kafka and RabbitMQ; `host:port`, a bare host or a
 * `nats://` / `tls://` / `ws://` / `wss://` URL for NATS. Addresses come from resources, so a bad
 * one is a {@link TerminalError} (reason `InvalidBrokerAddress`). Credentials inside a URL are
 * refused (they would end up in pool keys and messages) without being echoed.
 */
function checkAddresses(
  addresses: readonly string[],
  protocol: 'Kafka' | 'NATS' | 'RabbitMQ',
): readonly string[] {
  const list = addresses.map((a) => a.trim()).filter(Boolean);
  const bad = (why: string): TerminalError =>
    new TerminalError('InvalidBrokerAddress', `${protocol} address ${why}`);
  if (list.length === 0) throw bad('list is empty');
  for (const a of list) {
    const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)\/?$/.exec(a);
    if (url?.[2]?.includes('@') || (url === null && a.includes('@'))) {
      throw bad('embeds credentials; put them in a binding Secret');
    }
    const ok =
      protocol !== 'NATS'
        ? url === null && splitHostPort(a) !== undefined
        : url === null
          ? hostOf(a) !== undefined
          : /^(nats|tls|ws|wss)$/i.test(url[1] ?? '') && hostOf(a) !== undefined;
    if (!ok) {
      throw bad(
        `${JSON.stringify(a)} is not ${protocol === 'NATS' ? 'host:port or a nats:// or tls:// URL' : 'host:port'}`,
      );
    }
  }
  return list;
}
