/**
 * @module functions
 * The catalogue: every function Sluice ships, one declaration per kind. The dispatcher reads their
 * controllers; the worker host loads the handlers of the kinds it runs. Importing this module loads
 * no handler code.
 */
import type { FunctionDeclaration } from '../runtime/index.js';
import { clusterStreamFunction } from './cluster-stream/index.js';
import { directiveFunction } from './directive/index.js';
import { streamStoreFunction } from './stream-store/index.js';
import { streamBusClusterFunction } from './streambus-cluster/index.js';
import { tanzuStreamFunction } from './tanzu-stream/index.js';
import { tawonStreamFunction } from './tawon-stream/index.js';

export const SLUICE_FUNCTIONS: readonly FunctionDeclaration[] = [
  clusterStreamFunction,
  tanzuStreamFunction,
  streamBusClusterFunction,
  streamStoreFunction,
  tawonStreamFunction,
  directiveFunction,
];
