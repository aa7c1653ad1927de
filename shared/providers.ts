/**
 * @module shared/providers
 * The values Sluice's own functions need ({@link BROKER_CLIENTS}, {@link OPERATOR_SETTINGS}),
 * registered in a tsyringe container by the composition root. The broker clients are made on
 * first use, so a worker serving only StreamBusClusters opens no Kafka or NATS client. Loading this
 * module loads kafkajs and nats: the dispatcher never imports it.
 */
import type { DependencyContainer } from 'tsyringe';
import {
  provide,
  provideLazily,
  type Environment,
  type Logger,
  type ProvidedResources,
} from '../runtime/index.js';
import { createBrokerClients, type PooledBrokerClients } from './brokers/pool.js';
import { BROKER_CLIENTS } from './brokers/types.js';
import { OPERATOR_SETTINGS, loadOperatorSettings } from './settings.js';

/**
 * Provides the operator settings (read from `env`) and the broker clients in `container`.
 * @returns what closes the broker clients, if any were made.
 */
export function provideOperatorNeeds(
  container: DependencyContainer,
  env: Environment,
  log: Logger,
): ProvidedResources {
  const settings = loadOperatorSettings(env);
  provide(container, OPERATOR_SETTINGS, settings);
  let brokers: PooledBrokerClients | undefined;
  provideLazily(
    container,
    BROKER_CLIENTS,
    () => (brokers = createBrokerClients({ endpointOverrides: settings.endpointOverrides, logger: log })),
  );
  return { close: () => brokers?.close() ?? Promise.resolve() };
}
