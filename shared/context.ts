/**
 * @module shared/context
 * What Sluice's own functions need besides the core context, and their contexts: each function
 * declares exactly the needs it uses (`needs` of its declaration) and types its handlers with the
 * matching context.
 */
import type { ReconcileContext } from '../runtime/index.js';
import { BROKER_CLIENTS, type BrokerClients } from './brokers/types.js';
import { OPERATOR_SETTINGS, type OperatorSettings } from './settings.js';

/** The broker clients, as `ctx.brokers`. */
export const BROKER_NEEDS = { brokers: BROKER_CLIENTS } as const;
export type BrokerContext = ReconcileContext<{ readonly brokers: BrokerClients }>;

/** The operator settings, as `ctx.config`. */
export const SETTINGS_NEEDS = { config: OPERATOR_SETTINGS } as const;
export type SettingsContext = ReconcileContext<{ readonly config: OperatorSettings }>;

/** Both. */
export const BROKER_SETTINGS_NEEDS = { ...BROKER_NEEDS, ...SETTINGS_NEEDS } as const;
export type BrokerSettingsContext = ReconcileContext<{
  readonly brokers: BrokerClients;
  readonly config: OperatorSettings;
}>;
