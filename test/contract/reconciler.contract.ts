/**
 * @module test/contract/reconciler
 * The contract every reconciler passes, run against the real API server through the worker host's
 * per-object logic ({@link reconcileObject}):
 * - a reference to an object that does not exist is done, with nothing written;
 * - a valid object converges, after which three more reconciles change nothing: the
 *   resourceVersion of the object and of every object it owns stays the same;
 * - a spec the API server accepts but that cannot work ends in a TerminalError and `Ready=False`
 *   with the error's reason, and is not retried;
 * - a failure that is none of Sluice's error classes (here: a write that fails with an error class
 *   of the test's own) gives `Ready=False` with reason `ReconcileError` and the message with its
 *   credentials redacted, is written once however often it repeats, and the next success replaces it.
 */
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { RECONCILE_ERROR, reconcileObject } from '../../runtime/worker/reconcile-object.js';
import {
  TerminalError,
  findCondition,
  refOf,
  type KubeObject,
  type ObjectRef,
  type ResourceType,
  type FunctionDeclaration,
} from '../../runtime/index.js';
import { adminClient, type TestContext } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';

export interface ContractCase {
  readonly fn: FunctionDeclaration;
  /** A valid object (any name) in namespace `ns` (ignored for cluster-scoped kinds). */
  readonly valid: (ns: string) => KubeObject;
  /** An object the API server accepts but whose spec cannot work; omit when none exists. */
  readonly invalid?: (ns: string) => KubeObject;
  /** The expected condition reason of `invalid`. */
  readonly invalidReason?: string;
  /** A context for reconciling `ref` in namespace `ns`. */
  readonly context: (ns: string, ref: ObjectRef) => TestContext;
  /** Kinds of the objects the reconciler creates, whose resourceVersions must also stay put. */
  readonly children?: readonly ResourceType[];
  /** Prepares the namespace (dependencies such as a store or a Secret). */
  readonly setup?: (ns: string) => Promise<void>;
  /** Reconciles allowed before the object must be converged. @defaultValue 10 */
  readonly maxRounds?: number;
  /**
   * Whether the object shows that the world its status follows has settled (for a kind whose
   * status quotes other controllers, such as the scheduler): "converged" then also needs this,
   * since a quiet round can come before their last word. @defaultValue always true
   */
  readonly settled?: (obj: KubeObject) => boolean;
}

async function versions(c: ContractCase, obj: KubeObject, ns: string): Promise<Record<string, string>> {
  const kube = adminClient();
  const out: Record<string, string> = {};
  const self = await kube.get(c.fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
  out.self = self?.metadata.resourceVersion ?? 'gone';
  for (const t of c.children ?? []) {
    for (const child of await kube.listAll(t, t.namespaced ? ns : undefined)) {
      if ((child.metadata.ownerReferences ?? []).some((r) => r.uid === self?.metadata.uid)) {
        out[`${t.kind}/${child.metadata.name ?? ''}`] = child.metadata.resourceVersion ?? '';
      }
    }
  }
  return out;
}

/** An error class that is not Sluice's, as a library or a bug would throw. */
class ForeignError extends Error {}

const WRITES = new Set<PropertyKey>([
  'apply',
  'create',
  'patch',
  'fencedPatch',
  'writeStatus',
  'delete',
  'addFinalizer',
  'removeFinalizer',
]);

/**
 * `ctx` with a kube client whose next write fails with a {@link ForeignError} once per `arm()`;
 * the message carries a URL password and a token, which must not reach the object.
 */
function failingWrites(ctx: TestContext): { ctx: TestContext; arm(): void } {
  let armed = false;
  const kube = new Proxy(ctx.kube, {
    get(target, prop, receiver): unknown {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (WRITES.has(prop) && armed) {
        return () => {
          armed = false;
          return Promise.reject(
            new ForeignError('socket hang up on https://svc:hunter2@api.example:443/x?token=abc123'),
          );
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { ctx: { ...ctx, kube }, arm: () => (armed = true) };
}

/** A namespace of its own, the case's setup, and `manifest(ns)` created there (deleted at teardown). */
async function created(
  t: ExecutionContext,
  c: ContractCase,
  label: string,
  manifest: (ns: string) => KubeObject,
): Promise<{ namespace: string; obj: KubeObject; ref: ObjectRef; ctx: TestContext }> {
  const { namespace } = isolation(label);
  await useNamespace(t, namespace);
  await c.setup?.(namespace);
  const obj = await adminClient().create(c.fn.kind, manifest(namespace));
  t.teardown(() =>
    adminClient()
      .delete(c.fn.kind, obj.metadata.namespace, obj.metadata.name ?? '')
      .then(() => undefined),
  );
  const ref = refOf(c.fn.kind, obj);
  return { namespace, obj, ref, ctx: c.context(namespace, ref) };
}

export function runReconcilerContract(title: string, c: ContractCase): void {
  test(`${title}: a reference to a missing object is done without writing anything`, async (t) => {
    const { namespace } = isolation(`${title}-missing`);
    await useNamespace(t, namespace);
    const ref: ObjectRef = {
      group: c.fn.kind.group,
      version: c.fn.kind.version,
      kind: c.fn.kind.kind,
      name: 'does-not-exist',
      ...(c.fn.kind.namespaced ? { namespace } : {}),
    };
    const outcome = await reconcileObject(c.fn, ref, c.context(namespace, ref));
    t.is(outcome.kind, 'gone');
  });

  test(`${title}: a converged object is reconciled three more times without any write`, async (t) => {
    const { namespace, obj, ref, ctx } = await created(t, c, `${title}-idem`, c.valid);
    // Converged: two rounds in a row (a reconcile, then a second of settling) changed no version.
    let before = await versions(c, obj, namespace);
    let quiet = 0;
    for (let round = 0; round < (c.maxRounds ?? 10) && quiet < 2; round++) {
      await reconcileObject(c.fn, ref, ctx);
      await sleep(1000);
      const after = await versions(c, obj, namespace);
      const current = await adminClient().get(c.fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
      const settled = current !== undefined && (c.settled?.(current) ?? true);
      quiet = settled && JSON.stringify(after) === JSON.stringify(before) ? quiet + 1 : 0;
      before = after;
    }
    const converged = quiet >= 2;
    t.true(converged, `did not converge: ${JSON.stringify(before)}`);
    for (let i = 0; i < 3; i++) await reconcileObject(c.fn, ref, ctx);
    t.deepEqual(await versions(c, obj, namespace), before);
  });

  test(`${title}: a failure of a foreign error class gives Ready=False ReconcileError once, and the next success replaces it`, async (t) => {
    const { obj, ref, ctx } = await created(t, c, `${title}-foreign`, c.valid);
    const failing = failingWrites(ctx);
    const read = (): Promise<KubeObject | undefined> =>
      adminClient().get(c.fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');

    failing.arm();
    const err = await t.throwsAsync(reconcileObject(c.fn, ref, failing.ctx));
    t.true(err instanceof ForeignError, `the error is passed on for a retry: ${String(err)}`);
    const failed = await read();
    const ready = findCondition(failed?.status, 'Ready');
    t.is(ready?.status, 'False');
    t.is(ready?.reason, RECONCILE_ERROR);
    t.regex(ready?.message ?? '', /socket hang up/);
    t.notRegex(ready?.message ?? '', /hunter2|abc123/, 'credentials are redacted');

    failing.arm();
    await t.throwsAsync(reconcileObject(c.fn, ref, failing.ctx));
    t.is(
      (await read())?.metadata.resourceVersion,
      failed?.metadata.resourceVersion,
      'the same failure again writes nothing',
    );

    for (let round = 0; round < (c.maxRounds ?? 10); round++) {
      await reconcileObject(c.fn, ref, ctx);
      if (findCondition((await read())?.status, 'Ready')?.reason !== RECONCILE_ERROR) break;
    }
    t.not(findCondition((await read())?.status, 'Ready')?.reason, RECONCILE_ERROR, 'a success replaced it');
  });

  const invalid = c.invalid;
  if (invalid) {
    test(`${title}: a spec that cannot work gives Ready=False and a terminal error`, async (t) => {
      const { obj, ref, ctx } = await created(t, c, `${title}-invalid`, invalid);
      const err = await t.throwsAsync(reconcileObject(c.fn, ref, ctx));
      t.true(err instanceof TerminalError, `expected a TerminalError, got ${String(err)}`);
      const current = await adminClient().get(c.fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
      const ready = findCondition(current?.status, 'Ready');
      t.is(ready?.status, 'False');
      if (c.invalidReason) t.is(ready?.reason, c.invalidReason);
      t.is(ready?.observedGeneration, current?.metadata.generation);
    });
  }
}
