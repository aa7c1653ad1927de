/**
 * @module bench/lib/noop-kind
 * The queue benchmark's kind and reconciler: a reconcile that does nothing but note when it
 * started, and a KubeClient whose `get` answers from memory. With them the worker host runs its
 * whole path (payload validation, logger, metrics, trace span, the read of the object, the
 * outcome mapping) while the time measured is the queue's, not the API server's.
 */
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubeClient,
  KubeRest,
  SluiceMetrics,
  awaitChange,
  createLogger,
  defineKind,
  type KindInfo,
  type KubeObject,
  type ResourceType,
  type SluiceFunction,
} from '../../runtime/index.js';
import type { KindWorkerDeps } from '../../runtime/worker/kind-worker.js';

/**
 * What a benchmark's worker process gives the worker host: its own metrics, a logger that says
 * only warnings, and no Events (they would be API server writes the benchmark does not measure).
 */
export function benchHostDeps(kube: KubeClient): KindWorkerDeps {
  return {
    kube,
    metrics: new SluiceMetrics(),
    log: createLogger({ level: 'warn' }),
    events: { record: () => Promise.resolve(), flush: () => Promise.resolve() },
  };
}

/** A no-op kind named `kind` (its queue is `{<kind>.bench.sluice.io}`). */
export function noopKind(kind: string): KindInfo {
  return defineKind({
    group: 'bench.sluice.io',
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced: true,
  });
}

export const NoopKind = noopKind('Noop');

/** A reconciler of `kind` that calls `onStart(name)` and asks for nothing more. */
export function noopFunction(onStart: (name: string) => void, kind: KindInfo = NoopKind): SluiceFunction {
  // The loaded form the worker host runs (no declaration: the benchmark drives the queue itself).
  return {
    kind,
    finalizer: undefined,
    keepsFinalizer: () => true,
    finalize: undefined,
    reconcile(obj) {
      onStart(obj.metadata.name ?? '');
      return Promise.resolve(awaitChange());
    },
  };
}

/** A KubeClient that never talks to a server: every object exists, at generation 1. */
export class MemoryKube extends KubeClient {
  constructor() {
    super(new KubeRest(new KubeConfig()));
  }

  override get<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Promise<K | undefined> {
    const obj: KubeObject = {
      apiVersion: `${type.group}/${type.version}`,
      kind: type.kind,
      metadata: {
        name,
        ...(namespace ? { namespace } : {}),
        uid: `uid-${name}`,
        resourceVersion: '1',
        generation: 1,
      },
    };
    return Promise.resolve(obj as K);
  }
}
