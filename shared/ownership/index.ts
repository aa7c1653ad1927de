/**
 * @module ownership
 * One owner per broker object: BrokerClaims (who owns which topic or JetStream stream), the
 * hands-off annotations and the `Managed` condition, drift records, and the watch through which a
 * waiting object takes over. See `claims.ts` for the owner rule and why it is race-free.
 */
export * from './broker-object.js';
export * from './claim-kind.js';
export * from './claim-status.js';
export * from './claims.js';
export * from './deletion.js';
export * from './drift.js';
export * from './management.js';
export * from './session.js';
export * from './watch.js';
