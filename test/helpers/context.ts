/**
 * @module test/helpers/context
 * A real {@link ReconcileContext} for tests that call reconcilers directly: the admin's client on
 * the test API server, a quiet logger, Events recorded both on the server and in memory.
 */
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubeClient,
  KubeEventRecorder,
  KubeRest,
  SluiceMetrics,
  createLogger,
  loadConfig,
  systemClock,
  type EventType,
  type KindInfo,
  type KubeObject,
  type ObjectRef,
  type ReconcileContext,
  type SluiceConfig,
} from '../../runtime/index.js';
import { loadOperatorSettings, type BrokerClients, type OperatorSettings } from '../../shared/index.js';
import { testEnv } from './env.js';

export interface RecordedEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly object: string | undefined;
}

/**
 * A context with every need Sluice's functions declare (broker clients and operator settings), so
 * one context serves any of them.
 */
export interface TestContext extends ReconcileContext {
  readonly brokers: BrokerClients;
  readonly config: SluiceConfig & OperatorSettings;
  /** Events recorded through this context, in order. */
  readonly recorded: RecordedEvent[];
  /** The metrics the reconciler recorded through this context. */
  readonly metrics: SluiceMetrics;
}

let client: KubeClient | undefined;

/** A KubeClient authenticated as the test environment's admin. */
export function adminClient(): KubeClient {
  if (!client) {
    const kc = new KubeConfig();
    kc.loadFromFile(testEnv().kubeconfig);
    client = new KubeClient(new KubeRest(kc));
  }
  return client;
}

/** Brokers for reconcilers that need none: any use fails the test loudly. */
export const noBrokers: BrokerClients = {
  kafka() {
    throw new Error('this test context has no broker clients');
  },
  jetstream() {
    return Promise.reject(new Error('this test context has no broker clients'));
  },
  rabbitmq() {
    throw new Error('this test context has no broker clients');
  },
  resolve: (hostPort) => hostPort,
  close: () => Promise.resolve(),
};

export interface TestContextOptions {
  readonly brokers?: BrokerClients;
  /** Settings on top of the defaults, which point at the test environment's brokers. */
  readonly config?: Partial<SluiceConfig & OperatorSettings>;
  readonly signal?: AbortSignal;
  /** The object events are recorded on (normally the one reconciled). */
  readonly about?: ObjectRef;
}

/** Operator settings pointing at the test environment. */
/** The runtime's settings and the operator's, pointing at the test environment. */
export function testConfig(
  overrides: Partial<SluiceConfig & OperatorSettings> = {},
): SluiceConfig & OperatorSettings {
  const env = testEnv();
  const variables = {
    SLUICE_REDIS_URL: env.redisUrl,
    SLUICE_NATS_URL: env.natsUrl,
    SLUICE_KAFKA_BROKERS: env.kafkaBrokers.join(','),
  };
  return {
    ...loadConfig(variables),
    ...loadOperatorSettings(variables),
    kubeconfig: env.kubeconfig,
    ...overrides,
  };
}

export function testContext(kind: KindInfo, opts: TestContextOptions = {}): TestContext {
  const kube = adminClient();
  const recorder = new KubeEventRecorder(kube, { component: 'sluice-test' });
  const recorded: RecordedEvent[] = [];
  const ctx: TestContext = {
    kind,
    kube,
    log: createLogger({ level: 'silent' }),
    clock: systemClock,
    signal: opts.signal ?? new AbortController().signal,
    brokers: opts.brokers ?? noBrokers,
    config: testConfig(opts.config),
    metrics: new SluiceMetrics(),
    recorded,
    async event(type, reason, message, about?: KubeObject) {
      recorded.push({ type, reason, message, object: about?.metadata.name ?? opts.about?.name });
      const target =
        about ?? (opts.about ? await kube.get(kind, opts.about.namespace, opts.about.name) : undefined);
      if (target) await recorder.record(kind, target, type, reason, message);
    },
  };
  return ctx;
}
