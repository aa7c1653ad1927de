/**
 * @module functions/registrations
 * Every function Sluice runs, one per kind. The worker host and (through the command-line
 * composition root) the dispatcher both take this list.
 */
import type { SluiceFunction } from '../shared/index.js';
import { clusterStreamFunction } from './cluster-stream/index.js';
import { directiveFunction } from './directive/index.js';
import { streamStoreFunction } from './stream-store/index.js';
import { streamBusClusterFunction } from './streambus-cluster/index.js';
import { tanzuStreamFunction } from './tanzu-stream/index.js';
import { tawonStreamFunction } from './tawon-stream/index.js';

export const SLUICE_FUNCTIONS: readonly SluiceFunction[] = [
  clusterStreamFunction,
  tanzuStreamFunction,
  streamBusClusterFunction,
  streamStoreFunction,
  tawonStreamFunction,
  directiveFunction,
];
