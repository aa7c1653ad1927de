/**
 * @module functions/streambus-cluster/reconcile
 * The I/O of a StreamBusCluster reconcile: read, apply the children, write the status.
 *
 * Expected flow:
 * 1. Parse the spec. Invalid: phase Failed, `Ready=False/InvalidSpec`, TerminalError (no retry).
 * 2. Read the StatefulSet. Controlled by another object, or its claim templates differ from
 *    spec.storage (which cannot change): phase Failed, the StatefulSet left as it is, TerminalError.
 * 3. Check the Secrets TLS and JWT name (warning SecretNotFound when one is missing) and the
 *    StorageClass of the claims (warning StorageClassNotFound). Server-side apply
 *    the ConfigMap, both Services and the PodDisruptionBudget; apply or delete the NetworkPolicy
 *    and the ServiceMonitor as the spec asks (a ServiceMonitor is attempted only when the
 *    monitoring.coreos.com/v1 API serves it, else warning ServiceMonitorCRDMissing). A warning
 *    leaves the phase to the StatefulSet but sets `Ready=False` and `Degraded=True` with its
 *    reason, records one Warning Event, and retries every 30 s (Secrets and CRDs are not
 *    watched), so a ServiceMonitor appears within 30 s of its CRD. Then apply the StatefulSet
 *    last, so that its pods find their ConfigMap. The API server refusing one of them (422) is
 *    terminal: phase Failed with reason ObjectRejected. While not every broker is ready, list
 *    the broker pods: any the scheduler cannot place is warning Unschedulable, with the
 *    scheduler's words.
 * 4. Compute the phase and conditions from the StatefulSet the apply returned, write the status
 *    (skipped when unchanged), and record an Event when the phase changed.
 * 5. Not Running: poll every 10 s. Running: wait for a change (the owned objects' events bring
 *    it back), or retry in 30 s while a warning stands.
 *
 * Guarantees: a converged cluster's reconcile writes nothing (applies of unchanged objects are
 * no-ops, an equal status is not written, no Event without a phase change). Only objects that
 * this cluster controls are ever deleted.
 */
import {
  Builtin,
  KubeApiError,
  TerminalError,
  awaitChange,
  findCondition,
  requeueAfter,
  retryOnConflict,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
  type ResourceType,
} from '../../runtime/index.js';
import { StreamBusClusterKind } from '../../shared/index.js';
import {
  SERVICE_MONITOR_CRD_MISSING,
  combine,
  missingSecrets,
  missingStorageClass,
  serviceMonitorServed,
  unschedulablePods,
} from './checks.js';
import { desiredObjects, type DesiredObjects } from './desired.js';
import { parseSpec, statusRecord, type StreamBusCluster } from './parse.js';
import type { StreamBusClusterSpec } from './spec.js';
import { clusterStatus, readStatefulSet, type Phase, type Problem, type StatusInput } from './status.js';
import { storageChange } from './storage.js';
import { endpoints, names, type ClusterId } from './topology.js';

/** Poll interval while the cluster is not Running. */
export const NOT_RUNNING_REQUEUE_MS = 10_000;
/** Retry interval while a dependency is missing (a named Secret, the ServiceMonitor CRD). */
export const WARNING_REQUEUE_MS = 30_000;

/**
 * Writes the status for `input` (re-reading on a conflict). Records an Event when the phase
 * changed, and a Warning when a warning first appears.
 */
async function publish(
  obj: StreamBusCluster,
  input: Omit<StatusInput, 'generation' | 'previous'>,
  ctx: ReconcileContext,
): Promise<Phase> {
  let current: KubeObject | undefined = obj;
  let attempt = 0;
  const outcome = await retryOnConflict(async () => {
    if (attempt++ > 0) {
      current = await ctx.kube.get(StreamBusClusterKind, obj.metadata.namespace, obj.metadata.name);
    }
    if (!current) return undefined;
    const previous = statusRecord(current);
    const next = clusterStatus(
      { ...input, generation: obj.metadata.generation, previous: stringOf(previous.phase) },
      previous,
      ctx.clock.now(),
    );
    await ctx.kube.writeStatus(StreamBusClusterKind, current, next.status);
    return { previous, next };
  });
  if (!outcome) return 'Pending';
  const { previous, next } = outcome;
  const before = stringOf(previous.phase);
  if (before !== next.phase) {
    const type = next.phase === 'Failed' || next.phase === 'Degraded' ? 'Warning' : 'Normal';
    const detail = findCondition(next.status, 'Ready')?.message ?? '';
    await ctx.event(type, next.phase, `phase ${before ?? 'none'} → ${next.phase}: ${detail}`);
  }
  const warning = input.warning;
  if (warning && findCondition(previous, 'Ready')?.reason !== warning.reason) {
    await ctx.event('Warning', warning.reason, warning.message);
  }
  return next.phase;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reports a terminal problem as phase Failed and throws it for the worker host. */
async function fail(
  obj: StreamBusCluster,
  failure: Problem,
  sts: KubeObject | undefined,
  ctx: ReconcileContext,
): Promise<never> {
  await publish(obj, { want: 0, sts: readStatefulSet(sts), failure, endpoints: [] }, ctx);
  throw new TerminalError(failure.reason, failure.message);
}

async function parseOrFail(obj: StreamBusCluster, ctx: ReconcileContext): Promise<StreamBusClusterSpec> {
  try {
    return parseSpec(obj.spec, obj.metadata.name);
  } catch (err) {
    if (err instanceof TerminalError)
      await fail(obj, { reason: err.reason, message: err.message }, undefined, ctx);
    throw err;
  }
}

/** Why the existing StatefulSet cannot be brought to the desired one, if it cannot. */
function statefulSetProblem(
  existing: KubeObject | undefined,
  obj: StreamBusCluster,
  desired: DesiredObjects,
): Problem | undefined {
  const controller = existing?.metadata.ownerReferences?.find((r) => r.controller);
  if (controller && controller.uid !== obj.metadata.uid) {
    return {
      reason: 'ResourceConflict',
      message: `StatefulSet ${obj.metadata.name} is controlled by ${controller.kind} ${controller.name}, not by this cluster`,
    };
  }
  const changes = storageChange(existing, desired.statefulSet);
  if (changes.length === 0) return undefined;
  return {
    reason: 'StorageImmutable',
    message: `spec.storage cannot change once the StatefulSet exists (its volumeClaimTemplates are immutable): ${changes.join('; ')}; the StatefulSet is left as it is until spec.storage is reverted`,
  };
}

/** Deletes the object `name` of `type` if this cluster controls it (a missing kind counts as absent). */
async function prune(type: ResourceType, id: ClusterId, name: string, ctx: ReconcileContext): Promise<void> {
  const existing = await ctx.kube.get(type, id.namespace, name, { metadataOnly: true });
  const owner = existing?.metadata.ownerReferences?.find((r) => r.controller);
  if (!existing || owner?.uid !== id.owner.metadata.uid) return;
  await ctx.kube.delete(type, id.namespace, name, {
    ...(existing.metadata.uid ? { uid: existing.metadata.uid } : {}),
  });
}

/** Applies or deletes the optional children; returns a warning when the ServiceMonitor cannot be made. */
async function syncOptional(
  id: ClusterId,
  desired: DesiredObjects,
  ctx: ReconcileContext,
): Promise<Problem | undefined> {
  if (desired.networkPolicy) await ctx.kube.apply(Builtin.NetworkPolicy, desired.networkPolicy);
  else await prune(Builtin.NetworkPolicy, id, names.networkPolicy(id.name), ctx);
  if (!desired.serviceMonitor) {
    await prune(Builtin.ServiceMonitor, id, names.serviceMonitor(id.name), ctx);
    return undefined;
  }
  if (!(await serviceMonitorServed(ctx))) return SERVICE_MONITOR_CRD_MISSING;
  await ctx.kube.apply(Builtin.ServiceMonitor, desired.serviceMonitor);
  return undefined;
}

/** Applies every child; the StatefulSet last. Returns the applied StatefulSet and any warning. */
async function applyAll(
  id: ClusterId,
  desired: DesiredObjects,
  ctx: ReconcileContext,
): Promise<{ sts: KubeObject; warning: Problem | undefined }> {
  await ctx.kube.apply(Builtin.ConfigMap, desired.configMap);
  await ctx.kube.apply(Builtin.Service, desired.headlessService);
  await ctx.kube.apply(Builtin.Service, desired.clientService);
  await ctx.kube.apply(Builtin.PodDisruptionBudget, desired.podDisruptionBudget);
  const warning = await syncOptional(id, desired, ctx);
  const sts = await ctx.kube.apply(Builtin.StatefulSet, desired.statefulSet);
  return { sts, warning };
}

/** Reconciles one StreamBusCluster (see the module documentation for the flow). */
export async function reconcile(obj: StreamBusCluster, ctx: ReconcileContext): Promise<ReconcileResult> {
  const { name, namespace } = obj.metadata;
  const spec = await parseOrFail(obj, ctx);
  const id: ClusterId = { name, namespace, owner: obj };
  const desired = desiredObjects(id, spec);
  const existing = await ctx.kube.get(Builtin.StatefulSet, namespace, names.statefulSet(name));
  const problem = statefulSetProblem(existing, obj, desired);
  if (problem) return fail(obj, problem, existing, ctx);

  const secretWarning = await missingSecrets(spec, namespace, ctx);
  const classWarning = await missingStorageClass(spec, ctx);
  let applied: { sts: KubeObject; warning: Problem | undefined };
  try {
    applied = await applyAll(id, desired, ctx);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 422) {
      return fail(obj, { reason: 'ObjectRejected', message: err.message }, existing, ctx);
    }
    throw err;
  }
  const sts = readStatefulSet(applied.sts);
  const scheduling =
    (sts?.readyReplicas ?? 0) < spec.replicas
      ? await unschedulablePods(name, namespace, spec, ctx)
      : undefined;
  const warning = combine([secretWarning, classWarning, applied.warning, scheduling]);
  const phase = await publish(
    obj,
    {
      want: spec.replicas,
      sts,
      warning,
      endpoints: endpoints(name, namespace, spec.replicas, spec.config.port),
    },
    ctx,
  );
  if (phase !== 'Running') return requeueAfter(NOT_RUNNING_REQUEUE_MS);
  return warning ? requeueAfter(WARNING_REQUEUE_MS) : awaitChange();
}
