/**
 * @module brokers/rabbitmq
 * The admin operations Sluice needs on a RabbitMQ broker (amqplib, AMQP 0-9-1): look at exchanges
 * and queues without creating them, declare them, bind them, delete them. One connection per
 * broker address, credentials and virtual host (pooled in `pool.ts`); each operation runs on a
 * channel of its own, because RabbitMQ closes a channel on any refused request (a passive declare
 * of a missing queue is a 404 that ends its channel).
 *
 * Errors: a broker that cannot be reached (a socket error) is {@link BrokerUnavailableError}; a
 * connection RabbitMQ refuses during the handshake (credentials, virtual host, permissions) is
 * {@link BrokerAuthError}; a request refused because the object exists with other arguments
 * (406 PRECONDITION_FAILED) is reported as `different`, never thrown. Classified by the socket
 * error code and the AMQP reply code, never by message text. No message carries a credential.
 */
import { connect, type Channel, type ChannelModel, type Options } from 'amqplib';
import { BrokerUnavailableError } from './errors.js';
import { BrokerAuthError, BrokerOperationError } from './failures.js';
import type { BrokerCredentials } from './types.js';

/** The AMQP reply codes Sluice tells apart. */
const NOT_FOUND = 404;
const PRECONDITION_FAILED = 406;
const ACCESS_REFUSED = 403;

/** One queue of a layout and how it is bound to the exchange. */
export interface RabbitQueueSpec {
  readonly name: string;
  /** The binding's routing key (ignored by a fanout exchange). */
  readonly routingKey: string;
  /** Queue arguments (`x-queue-type`, `x-max-age`, ...), as declared. */
  readonly arguments: Readonly<Record<string, string | number>>;
  /** Binding arguments (`x-stream-partition-order` of a super stream partition). */
  readonly bindingArguments: Readonly<Record<string, string | number>>;
}

/** What answers an active redeclare of an existing queue. */
export type QueueComparison = 'same' | 'different';

/** Admin operations on one RabbitMQ virtual host. */
export interface RabbitAdminClient {
  /** The name the cluster gives itself (`cluster_name`), which identifies it whatever address reached it. */
  clusterName(): Promise<string>;
  /** The virtual host the client works in. */
  readonly vhost: string;
  exchangeExists(name: string): Promise<boolean>;
  queueExists(name: string): Promise<boolean>;
  /**
   * Declares an existing queue again with `spec`'s arguments: RabbitMQ answers `same` when they
   * are equivalent (nothing changes) and refuses when they differ (`different`, nothing changes).
   */
  compareQueue(spec: RabbitQueueSpec): Promise<QueueComparison>;
  /** Declares the durable exchange (idempotent). */
  declareExchange(name: string, type: 'fanout' | 'direct'): Promise<void>;
  /** Declares the durable queue and binds it to `exchange` (idempotent). */
  declareQueue(exchange: string, spec: RabbitQueueSpec): Promise<void>;
  /** Deletes the queues and the exchange; false when none of them existed. */
  deleteObjects(exchange: string, queues: readonly string[]): Promise<boolean>;
  close(): Promise<void>;
}

/** Everything {@link createRabbitAdmin} needs. */
export interface RabbitConnectOptions {
  /** `host:port` to dial, already rewritten through the endpoint overrides. */
  readonly hostPort: { readonly host: string; readonly port: number };
  readonly credentials?: BrokerCredentials;
  /** Deadline for dialing and the handshake, in ms. @defaultValue 5000 */
  readonly connectTimeoutMs?: number;
}

function socketCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function replyCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Maps a failed operation (after connecting) to Sluice's classes. */
function operationError(err: unknown, what: string): Error {
  if (socketCode(err) !== undefined)
    return new BrokerUnavailableError(`${what}: the broker did not answer`, { cause: err });
  if (replyCode(err) === ACCESS_REFUSED)
    return new BrokerAuthError(`${what}: RabbitMQ denied it (permissions)`, { cause: err });
  return new BrokerOperationError(
    'RabbitMQError',
    `${what}: RabbitMQ refused it (reply code ${replyCode(err) ?? 'none'})`,
    {
      cause: err,
    },
  );
}

/** Opens a connection to one RabbitMQ virtual host; the connection opens on first use. */
export function createRabbitAdmin(opts: RabbitConnectOptions): RabbitAdminClient {
  const c = opts.credentials ?? {};
  const vhost = c.vhost ?? '/';
  const where = `RabbitMQ ${opts.hostPort.host}:${opts.hostPort.port}`;
  let model: Promise<ChannelModel> | undefined;

  function open(): Promise<ChannelModel> {
    if (model) return model;
    const tls = c.tls;
    const connectOptions: Options.Connect = {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: opts.hostPort.host,
      port: opts.hostPort.port,
      vhost,
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
      heartbeat: 30,
    };
    const socket = {
      timeout: opts.connectTimeoutMs ?? 5000,
      clientProperties: { connection_name: 'sluice' },
      ...(tls?.ca === undefined ? {} : { ca: [tls.ca] }),
      ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls?.key === undefined ? {} : { key: tls.key }),
    };
    const opened = connect(connectOptions, socket).then(
      (m) => {
        // A connection the broker closes (restart, heartbeat) is dropped; the next call dials again.
        m.on('error', () => undefined);
        m.on('close', () => {
          if (model === opened) model = undefined;
        });
        return m;
      },
      (err: unknown) => {
        if (model === opened) model = undefined;
        throw socketCode(err) !== undefined
          ? new BrokerUnavailableError(`${where} cannot be reached`, { cause: err })
          : new BrokerAuthError(
              `${where} refused the connection to virtual host ${vhost} (credentials, virtual host or permissions)`,
              { cause: err },
            );
      },
    );
    model = opened;
    return opened;
  }

  /** Runs `call` on a fresh channel; a refusal with reply code `tolerated` resolves `onRefused`. */
  async function onChannel<T>(
    what: string,
    call: (ch: Channel) => Promise<T>,
    tolerated?: { readonly code: number; readonly value: T },
  ): Promise<T> {
    const ch = await (await open()).createChannel().catch((err: unknown) => {
      throw operationError(err, what);
    });
    // A refused request closes the channel with an error event; the promise carries the error.
    ch.on('error', () => undefined);
    try {
      return await call(ch);
    } catch (err) {
      if (tolerated !== undefined && replyCode(err) === tolerated.code) return tolerated.value;
      throw operationError(err, `${what} on ${where}`);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  return {
    vhost,
    async clusterName() {
      const props = (await open()).connection.serverProperties;
      return props.cluster_name ?? `${opts.hostPort.host}:${opts.hostPort.port}`;
    },
    exchangeExists: (name) =>
      onChannel(`look at exchange ${name}`, (ch) => ch.checkExchange(name).then(() => true), {
        code: NOT_FOUND,
        value: false,
      }),
    queueExists: (name) =>
      onChannel(`look at queue ${name}`, (ch) => ch.checkQueue(name).then(() => true), {
        code: NOT_FOUND,
        value: false,
      }),
    compareQueue: (spec) =>
      onChannel<QueueComparison>(
        `compare queue ${spec.name}`,
        (ch) =>
          ch.assertQueue(spec.name, { durable: true, arguments: { ...spec.arguments } }).then(() => 'same'),
        { code: PRECONDITION_FAILED, value: 'different' },
      ),
    declareExchange: (name, type) =>
      onChannel(`declare exchange ${name}`, async (ch) => {
        await ch.assertExchange(name, type, { durable: true, autoDelete: false });
      }),
    declareQueue: (exchange, spec) =>
      onChannel(`declare queue ${spec.name}`, async (ch) => {
        await ch.assertQueue(spec.name, { durable: true, arguments: { ...spec.arguments } });
        await ch.bindQueue(spec.name, exchange, spec.routingKey, { ...spec.bindingArguments });
      }),
    async deleteObjects(exchange, queues) {
      let existed = false;
      for (const queue of queues) {
        if (await this.queueExists(queue)) {
          existed = true;
          await onChannel(`delete queue ${queue}`, (ch) => ch.deleteQueue(queue));
        }
      }
      if (await this.exchangeExists(exchange)) {
        existed = true;
        await onChannel(`delete exchange ${exchange}`, (ch) => ch.deleteExchange(exchange));
      }
      return existed;
    },
    async close() {
      const m = model;
      model = undefined;
      if (m) await m.then((x) => x.close()).catch(() => undefined);
    },
  };
}
