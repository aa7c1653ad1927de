/**
 * @module shared/context
 * What Sluice's own functions need besides the core context, and their contexts: each function
 * declares exactly the needs it uses (`needs` of its declaration) and types its handlers with the
 * matching context.
 */
import { SLUICE_METRICS, type ReconcileContext, type SluiceMetrics } from '../runtime/index.js';
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

/** The process metrics, as `ctx.metrics` (for the drift counter). */
export const DRIFT_NEEDS = { metrics: SLUICE_METRICS } as const;
export type DriftContext = ReconcileContext<{ readonly metrics: Pick<SluiceMetrics, 'drift'> }>;

/** Broker clients and drift metrics (the Tawon Stream function). */
export const BROKER_DRIFT_NEEDS = { ...BROKER_NEEDS, ...DRIFT_NEEDS } as const;
export type BrokerDriftContext = BrokerContext & DriftContext;

/** Broker clients, operator settings and drift metrics (the ClusterStream function). */
export const BROKER_SETTINGS_DRIFT_NEEDS = { ...BROKER_SETTINGS_NEEDS, ...DRIFT_NEEDS } as const;
export type BrokerSettingsDriftContext = BrokerSettingsContext & DriftContext;
