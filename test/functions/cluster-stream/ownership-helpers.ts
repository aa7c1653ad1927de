/**
 * @module test/functions/cluster-stream/ownership-helpers
 * What the one-owner-per-topic tests (`ownership*.test.ts`) share: provisioning a ClusterStream
 * with one reconcile, and reading its Ready condition.
 */
import type { ExecutionContext } from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { findCondition, type KubeObject } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import {
  attempt,
  cleanupClusterStream,
  create,
  csContext,
  csRef,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';

/** Storage settings that delete the topic with its owner. */
export const DELETE = { reclaimPolicy: 'Delete' };

/** The Ready condition of a ClusterStream (empty when it has none). */
export function ready(obj: KubeObject | undefined): { status?: string; reason?: string; message?: string } {
  return findCondition(statusOf(obj), 'Ready') ?? {};
}

/** Creates and reconciles a ClusterStream once; fails the test on an error. */
export async function provision(
  t: ExecutionContext,
  namespace: string,
  manifest: KubeObject,
): Promise<string> {
  const name = manifest.metadata.name ?? '';
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, manifest);
  const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(namespace, name));
  t.is(error, undefined, `first reconcile of ${name}`);
  return name;
}
