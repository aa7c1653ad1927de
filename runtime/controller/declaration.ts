/**
 * @module runtime/controller/declaration
 * A function is declared once: its kind, its finalizer, what triggers it (on the controller
 * builder), what it needs besides the core context, and a lazy handle on its handlers.
 *
 * ```ts
 * export const mirrorFunction = declareFunction(MirrorKind, {
 *   finalizer: 'example.com/mirror',
 *   needs: { settings: MIRROR_SETTINGS },
 *   controller: (c) => c.owns(Builtin.Secret).watches(Builtin.ConfigMap, enqueueMapped(toMirrors)),
 *   handlers: () => import('./handlers.js'),
 * });
 * ```
 *
 * The dispatcher reads only `controller()`; the worker host calls `load()`, which imports the
 * handlers module (and with it the libraries the handlers use) the first time. So a declaration
 * module must stay light: kinds, predicates and mappers, no handler code.
 */
import { ConfigError } from '../errors.js';
import { METRIC_PREFIX } from '../metrics.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/types.js';
import type { KindInfo } from '../registry.js';
import type { ResourceType } from '../kube/resources.js';
import type { ReconcileResult } from '../result.js';
import { controller, type ControllerBuilder, type ControllerSpec } from './builder.js';
import { CORE_CONTEXT_KEYS, type ReconcileContext } from './context.js';
import type { Needs, Token } from './tokens.js';

/** What a handlers module exports. */
export interface FunctionHandlers<K extends KubeObject, D> {
  /**
   * Narrows the object read from the API server. Throws `TerminalError` for a spec that cannot
   * work (the worker sets `Ready=False` with its reason and does not retry).
   */
  readonly parse: (obj: KubeObject) => K;
  readonly reconcile: (obj: K, ctx: ReconcileContext<D>) => Promise<ReconcileResult>;
  /**
   * Cleans up what lives outside Kubernetes. When present, the declaration names a finalizer: the
   * worker keeps it on every object and calls this once the object is being deleted, removing the
   * finalizer when it returns `awaitChange()`. It must never wedge: a broker that is gone counts
   * as cleaned up.
   */
  readonly finalize?: (obj: K, ctx: ReconcileContext<D>) => Promise<ReconcileResult>;
}

/** One RBAC rule: verbs on resources of API groups (`""` is the core group). */
export interface AccessRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /**
   * The resources are cluster-scoped (StorageClasses, Nodes): the chart grants them with a
   * ClusterRole in every mode, also when `config.watchNamespace` narrows the rest to a Role,
   * which cannot grant them.
   * @defaultValue false
   */
  readonly clusterScoped?: boolean;
}

/**
 * What a function's worker does on the API server beyond reading and writing its own objects
 * (get, patch, and update of their status and finalizers, which every function gets). The chart's
 * worker RBAC is generated from it (`node dist/test/deploy/cli.js render`).
 */
export interface FunctionAccess {
  readonly rules?: readonly AccessRule[];
  /** Verbs on Secrets in the namespaces of the objects (bound per `rbac.secretNamespaces`). */
  readonly secrets?: readonly string[];
  /** Verbs on Secrets in the operator's namespace (broker credentials, binding Secrets). */
  readonly operatorSecrets?: readonly string[];
}

export interface DeclarationOptions<K extends KubeObject, D> {
  /** The finalizer through which `finalize` runs; required with it. */
  readonly finalizer?: string;
  /**
   * Whether the object needs the finalizer now (it reads metadata only: it runs before `parse`).
   * When it answers false, none is added, and one already there is removed after a successful
   * reconcile, as for an object Sluice has let go of. @defaultValue always true
   */
  readonly keepsFinalizer?: (obj: KubeObject) => boolean;
  /** What the handlers need besides the core context, by context property. @defaultValue none */
  readonly needs?: Needs<D>;
  /**
   * What triggers a reconcile besides the kind's own changes. `kube` is the dispatcher's client,
   * for the stream forms' prepared watchers (streams are lazy: nothing is requested until the
   * dispatcher runs them). @defaultValue the kind's own changes only
   */
  readonly controller?: (c: ControllerBuilder, kube: KubeClient) => ControllerBuilder;
  /** Loads the handlers, usually `() => import('./handlers.js')`. */
  readonly handlers: () => Promise<FunctionHandlers<K, D>>;
  /** What the worker does on the API server beyond its own objects. @defaultValue nothing */
  readonly access?: FunctionAccess;
  /**
   * Kinds the worker reads from a watch-fed cache instead of one GET per read: parents the
   * function reads on every reconcile (a store, a cluster-wide stream). Only hits are served, jobs
   * queued because such a parent changed read it fresh, and a hit may lag the API server by the
   * watch's delay (`runtime/worker/read-cache.ts` says what staleness that allows). The worker
   * needs `list` and `watch` on them (name them in `access`). @defaultValue none
   */
  readonly cachedReads?: readonly ResourceType[];
  /**
   * A second name prefix for this kind's reconcile metrics: the worker records every reconcile
   * under `<alias>_reconcile_total`, `<alias>_reconcile_errors_total` and
   * `<alias>_reconcile_duration_seconds` too, beside the `sluice_reconcile_*` series (for
   * dashboards written for another operator of the kind). A Prometheus name prefix, not
   * `sluice`. @defaultValue none
   */
  readonly metricsAlias?: string;
}

/** A function as the worker host runs it: handlers loaded, `parse` paired with each. */
export interface SluiceFunction {
  readonly kind: KindInfo;
  readonly finalizer: string | undefined;
  /** Whether the object needs the finalizer now (see {@link DeclarationOptions.keepsFinalizer}). */
  keepsFinalizer(obj: KubeObject): boolean;
  reconcile(obj: KubeObject, ctx: ReconcileContext<object>): Promise<ReconcileResult>;
  /** See {@link DeclarationOptions.metricsAlias}. */
  readonly metricsAlias?: string | undefined;
  /** See {@link DeclarationOptions.cachedReads}. */
  readonly cachedReads?: readonly ResourceType[];
  readonly finalize:
    ((obj: KubeObject, ctx: ReconcileContext<object>) => Promise<ReconcileResult>) | undefined;
}

/** A declared function, its dependency types erased (the hosts hold lists of them). */
export interface FunctionDeclaration {
  readonly kind: KindInfo;
  readonly finalizer: string | undefined;
  /** Tokens of the context properties the handlers need. */
  readonly needs: Readonly<Record<string, Token<unknown>>>;
  /** What the worker does on the API server beyond its own objects. */
  readonly access: FunctionAccess;
  /** See {@link DeclarationOptions.cachedReads}. */
  readonly cachedReads: readonly ResourceType[];
  /** See {@link DeclarationOptions.metricsAlias}. */
  readonly metricsAlias?: string | undefined;
  /** The controller: what the dispatcher watches for this function. */
  controller(kube: KubeClient): ControllerSpec;
  /** Imports the handlers (once) and checks them against the declaration. */
  load(): Promise<SluiceFunction>;
}

/** A client for checking a declaration's controller at once: its streams are never iterated. */
const UNUSED_CLIENT = new Proxy({} as KubeClient, {
  get(_t, prop) {
    throw new ConfigError(
      `a controller declaration used the kube client (${String(prop)}) while being declared`,
    );
  },
});

/**
 * Declares the function of `kind`.
 * @throws ConfigError at once for a misconfigured controller (see {@link ControllerBuilder.build})
 *   or a need named like a core context property; `load()` rejects with one when `finalize` and
 *   `finalizer` do not come together.
 */
export function declareFunction<K extends KubeObject, D = object>(
  kind: KindInfo,
  opts: DeclarationOptions<K, D>,
): FunctionDeclaration {
  const needs = (opts.needs ?? {}) as Readonly<Record<string, Token<unknown>>>;
  for (const key of Object.keys(needs)) {
    if ((CORE_CONTEXT_KEYS as readonly string[]).includes(key))
      throw new ConfigError(`${kind.kind}.${kind.group}: the need ${key} is a core context property`);
  }
  const alias = opts.metricsAlias;
  if (alias !== undefined && (!METRIC_PREFIX.test(alias) || /^sluice(_|$)/.test(alias)))
    throw new ConfigError(
      `${kind.kind}.${kind.group}: metricsAlias ${JSON.stringify(alias)} must be a Prometheus name prefix other than sluice`,
    );
  const build = (kube: KubeClient): ControllerSpec => {
    const c = controller(kind).finalizer(opts.finalizer);
    return (opts.controller ? opts.controller(c, kube) : c).build();
  };
  build(UNUSED_CLIENT);
  let loaded: Promise<SluiceFunction> | undefined;
  return {
    kind,
    finalizer: opts.finalizer,
    needs,
    access: opts.access ?? {},
    cachedReads: opts.cachedReads ?? [],
    metricsAlias: alias,
    controller: build,
    load: () =>
      (loaded ??= opts.handlers().then((h) => ({
        ...bind(kind, opts.finalizer, opts.keepsFinalizer ?? (() => true), h),
        metricsAlias: alias,
        cachedReads: opts.cachedReads ?? [],
      }))),
  };
}

/**
 * Pairs `parse` with the handlers and erases their types. The context the host passes holds every
 * declared need (the host resolves them before it starts), which is what makes the one narrowing
 * below sound.
 */
function bind<K extends KubeObject, D>(
  kind: KindInfo,
  finalizer: string | undefined,
  keepsFinalizer: (obj: KubeObject) => boolean,
  h: FunctionHandlers<K, D>,
): SluiceFunction {
  if ((h.finalize === undefined) !== (finalizer === undefined)) {
    throw new ConfigError(`${kind.kind}.${kind.group}: finalize and finalizer must be given together`);
  }
  const finalize = h.finalize;
  const narrow = (ctx: ReconcileContext<object>): ReconcileContext<D> => ctx as ReconcileContext<D>;
  return {
    kind,
    finalizer,
    keepsFinalizer,
    reconcile: (obj, ctx) => h.reconcile(h.parse(obj), narrow(ctx)),
    finalize: finalize ? (obj, ctx) => finalize(h.parse(obj), narrow(ctx)) : undefined,
  };
}
