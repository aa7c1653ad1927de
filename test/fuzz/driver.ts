/**
 * @module test/fuzz/driver
 * Runs fuzzed specs of one kind through the API server and the worker host's per-object logic
 * (`reconcileObject`, with real brokers), and sorts what happened to each:
 * - refused: the API server's schema said no (400/422) — fine;
 * - reconciled: the reconcile returned — fine;
 * - conditioned: it threw a TerminalError or RetryableError and the object's `Ready` is False with
 *   that error's reason and a message — fine;
 * - crash: anything else (a TypeError, an API error, an error with no condition) — a bug: the
 *   object would be retried forever without a word to its owner.
 * A valid control object in the same place must come out untouched.
 */
import type { ExecutionContext } from 'ava';
import fc from 'fast-check';
import { reconcileObject } from '../../runtime/worker/reconcile-object.js';
import {
  KubeApiError,
  RetryableError,
  TerminalError,
  findCondition,
  messageOf,
  refOf,
  type KubeObject,
  type ObjectRef,
} from '../../runtime/index.js';
import { ClusterStreamKind, createBrokerClients } from '../../shared/index.js';
import { natsStreamName } from '../../shared/tanzu/index.js';
import { kafkaAdmin, natsConnection } from '../fixtures/tanzu/fixtures.js';
import { adminClient, testContext } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { isolation, suffix } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';
import { storeManifest, type FuzzEnv, type FuzzKind } from './kinds.js';
import { applyMutations, describeMutations, mutations } from './mutations.js';

/** A fuzzed spec that broke the contract. */
export interface Crash {
  readonly mutations: string;
  readonly spec: string;
  readonly error: string;
}

export interface FuzzReport {
  readonly env: FuzzEnv;
  refused: number;
  reconciled: number;
  readonly reasons: Map<string, number>;
  readonly crashes: Crash[];
  /** Objects whose reconcile ended in a TerminalError (left in place for a worker to run). */
  readonly terminal: ObjectRef[];
}

/** A namespace (with a StreamStore) for fuzzing `kind`, cleaned up after the test. */
export async function fuzzEnv(t: ExecutionContext, kind: FuzzKind): Promise<FuzzEnv> {
  await installCrds();
  const iso = isolation(`fz-${kind.fn.kind.plural}`);
  await useNamespace(t, iso.namespace);
  const env: FuzzEnv = {
    namespace: iso.namespace,
    prefix: `fz-${suffix()}-`,
    topicPrefix: iso.topicPrefix,
    store: 'store',
  };
  await adminClient().create(
    {
      group: 'tawon.mantisnet.com',
      version: 'v1alpha1',
      kind: 'StreamStore',
      plural: 'streamstores',
      namespaced: true,
    },
    { ...storeManifest(env.store), metadata: { name: env.store, namespace: env.namespace } },
  );
  t.teardown(() => sweep(kind, env));
  // Topics and JetStream streams the fuzzed objects made on the shared brokers go at the end.
  await kafkaAdmin(t, env.topicPrefix);
  await natsConnection(t, `${env.namespace}_`);
  await natsConnection(t, natsStreamName(env.topicPrefix));
  return env;
}

/**
 * Drops Sluice's finalizers from what the fuzzing left (so the namespace can go) and deletes
 * cluster-scoped leftovers: the fuzzed kind's, and the ClusterStreams that fuzzed Streams had
 * provisioned (named after them, so under the same prefix).
 */
async function sweep(kind: FuzzKind, env: FuzzEnv): Promise<void> {
  const kube = adminClient();
  for (const type of new Set([kind.fn.kind, ClusterStreamKind])) {
    const items = await kube.listAll(type, type.namespaced ? env.namespace : undefined).catch(() => []);
    for (const o of items) {
      const name = o.metadata.name ?? '';
      if (!type.namespaced && !name.startsWith(env.prefix)) continue;
      if ((o.metadata.finalizers ?? []).length > 0)
        await kube
          .patch(type, o.metadata.namespace, name, { metadata: { finalizers: null } })
          .catch(() => undefined);
      if (!type.namespaced) await kube.delete(type, undefined, name).catch(() => undefined);
    }
  }
}

function objectOf(kind: FuzzKind, env: FuzzEnv, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    metadata: { name, ...(kind.fn.kind.namespaced ? { namespace: env.namespace } : {}) },
    spec,
  };
}

function isRefusal(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 422 || err.status === 400);
}

/**
 * Creates `runs` fuzzed objects of `kind` and reconciles each once.
 * @returns what happened; the caller asserts on it.
 */
export async function fuzzKind(
  t: ExecutionContext,
  kind: FuzzKind,
  env: FuzzEnv,
  runs: number,
): Promise<FuzzReport> {
  const kube = adminClient();
  const type = kind.fn.kind;
  const brokers = createBrokerClients({ endpointOverrides: kind.overrides(env), idleMs: 5_000 });
  t.teardown(() => brokers.close());
  const report: FuzzReport = {
    env,
    refused: 0,
    reconciled: 0,
    reasons: new Map(),
    crashes: [],
    terminal: [],
  };
  const context = (ref: ObjectRef) =>
    testContext(type, {
      about: ref,
      brokers,
      config: { namespace: env.namespace, endpointOverrides: kind.overrides(env) },
    });

  const control = await kube.create(
    type,
    objectOf(kind, env, `${env.prefix}control`, kind.base(env, 'control')),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(mutations(kind.base(env, 'shape')), async (muts) => {
      const id = `c${n++}`;
      const spec = applyMutations(kind.base(env, id), muts, (path, value) =>
        kind.guard(env, id, path, value),
      );
      const name = `${env.prefix}${id}`;
      try {
        await kube.create(type, objectOf(kind, env, name, spec));
      } catch (err) {
        if (isRefusal(err)) {
          report.refused++;
          return;
        }
        throw err;
      }
      const ref = refOf(type, objectOf(kind, env, name, spec));
      const crash = (error: string): void => {
        report.crashes.push({ mutations: describeMutations(muts), spec: JSON.stringify(spec), error });
      };
      try {
        await reconcileObject(kind.fn, ref, context(ref));
        report.reconciled++;
      } catch (err) {
        if (!(err instanceof TerminalError || err instanceof RetryableError)) {
          crash(`${err instanceof Error ? err.name : typeof err}: ${messageOf(err)}`);
          return;
        }
        const ready = findCondition((await kube.get(type, ref.namespace, ref.name))?.status, 'Ready');
        if (ready?.status !== 'False' || ready.reason !== err.reason || !ready.message) {
          crash(`${err.reason} without its condition (Ready: ${JSON.stringify(ready)})`);
          return;
        }
        report.reasons.set(err.reason, (report.reasons.get(err.reason) ?? 0) + 1);
        if (err instanceof TerminalError) report.terminal.push(ref);
      }
    }),
    { numRuns: runs, endOnFailure: true },
  );
  const after = await kube.get(type, control.metadata.namespace, control.metadata.name ?? '');
  if (after?.metadata.resourceVersion !== control.metadata.resourceVersion)
    report.crashes.push({ mutations: '(control object)', spec: '', error: 'the control object was changed' });
  return report;
}

/** A one-line summary of a report. */
export function summary(r: FuzzReport): string {
  const reasons = [...r.reasons.entries()].map(([k, v]) => `${k}=${v}`).join(' ');
  return `refused=${r.refused} reconciled=${r.reconciled} conditions: ${reasons || 'none'} crashes=${r.crashes.length}`;
}
