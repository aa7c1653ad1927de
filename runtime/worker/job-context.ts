/**
 * @module runtime/worker/job-context
 * The context a function gets for one job: the core (kube, a logger bound to the object and
 * job, the clock, the abort signal, Events about the object) and the values of its needs.
 */
import type { ReconcileContext } from '../controller/context.js';
import { systemClock } from '../controller/context.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { ReconcileJobData } from '../queue/payload.js';
import type { KindInfo } from '../registry.js';
import type { KindWorkerDeps } from './kind-worker.js';

/**
 * Builds the context of job `jobId`; `current` is the object as last read (Events are about it);
 * `kube` is the client its reconciler reads and writes with (one reading parents from the worker's
 * cache, when the job may).
 * The logger is made on first use: a converged reconcile never logs, and a child logger with
 * redaction costs about 7 µs per job.
 */
export function jobContext(
  kind: KindInfo,
  deps: KindWorkerDeps,
  jobId: string | undefined,
  data: ReconcileJobData,
  signal: AbortSignal,
  current: () => KubeObject,
  kube: KubeClient = deps.kube,
): ReconcileContext<object> {
  const parent = deps.log;
  const bindings = {
    kind: kind.kind,
    group: kind.group,
    namespace: data.ref.namespace,
    name: data.ref.name,
    jobId,
  };
  let log: Logger | undefined;
  return {
    kind,
    kube,
    get log(): Logger {
      return (log ??= parent.child(bindings));
    },
    clock: systemClock,
    signal,
    ...deps.needs,
    event: (type, reason, message, about) =>
      deps.events.record(kind, about ?? current(), type, reason, message),
  };
}
