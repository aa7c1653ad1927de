/**
 * @module functions/watches
 * What the dispatcher needs of every function: kind, watch configuration and finalizer, without the
 * handlers. Loading this instead of `registrations.ts` keeps kafkajs, nats and class-validator out of
 * the dispatcher process (memory and start-up; see bench/results/findings.md). A test checks that
 * it lists the same kinds, watches and finalizers as `SLUICE_FUNCTIONS`.
 */
import type { WatchRegistration } from '../shared/runtime/registration.js';
import { clusterStreamWatchRegistration } from './cluster-stream/watch.js';
import { directiveWatchRegistration } from './directive/watch.js';
import { streamStoreWatchRegistration } from './stream-store/watch.js';
import { streamBusClusterWatchRegistration } from './streambus-cluster/watch.js';
import { tanzuStreamWatchRegistration } from './tanzu-stream/watch.js';
import { tawonStreamWatchRegistration } from './tawon-stream/watch.js';

export const SLUICE_WATCHES: readonly WatchRegistration[] = [
  clusterStreamWatchRegistration,
  tanzuStreamWatchRegistration,
  streamBusClusterWatchRegistration,
  streamStoreWatchRegistration,
  tawonStreamWatchRegistration,
  directiveWatchRegistration,
];
