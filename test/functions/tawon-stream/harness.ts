/**
 * @module test/functions/tawon-stream/harness
 * What the Tawon Stream tests share: one pool of broker clients per test process whose endpoint
 * overrides send each test's `<store>.<ns>.svc:4222` to the test NATS (standing in for the
 * StreamStore's Pod), a JetStream manager to read the server back, and cleanup that runs the
 * finalizer of the Streams a test leaves behind.
 */
import type { ExecutionContext } from 'ava';
import { connect, type JetStreamManager, type NatsConnection, type StreamInfo } from 'nats';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { createBrokerClients, type PooledBrokerClients } from '../../../shared/brokers/pool.js';
import { type ObjectRef } from '../../../runtime/index.js';
import { TawonStreamKind } from '../../../shared/index.js';
import { adminClient, testContext, type TestContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { useNamespace } from '../../helpers/kube.js';
import { applyExample, ensureStorageClass, natsHostPort, refIn } from '../../fixtures/tawon/fixtures.js';

/** Overrides shared by the pool; each namespace adds its stores. */
const overrides = new Map<string, string>();
let pool: PooledBrokerClients | undefined;
let verifier: Promise<NatsConnection> | undefined;

/** The process's broker clients (closed by {@link closeHarness}). */
export function brokers(): PooledBrokerClients {
  pool ??= createBrokerClients({ endpointOverrides: overrides, idleMs: 600_000 });
  return pool;
}

/** Sends store `store` of `namespace` to `hostPort` (the test NATS unless told otherwise). */
export function routeStore(namespace: string, store: string, hostPort = natsHostPort()): void {
  overrides.set(`${store}.${namespace}.svc:4222`, hostPort);
}

/** A JetStream manager on the test NATS, to read the server back. */
export async function verifierJsm(): Promise<JetStreamManager> {
  verifier ??= connect({ servers: testEnv().natsUrl, name: 'tawon-test-verifier' });
  return (await verifier).jetstreamManager();
}

/** The stream's info on the test NATS, or `undefined` when it does not exist. */
export async function serverStream(name: string): Promise<StreamInfo | undefined> {
  const jsm = await verifierJsm();
  return jsm.streams.info(name).catch(() => undefined);
}

/** A context for reconciling `ref`, with the pooled brokers and the overrides in its config. */
export function streamContext(ref: ObjectRef, opts: { now?: () => Date } = {}): TestContext {
  const ctx = testContext(TawonStreamKind, {
    about: ref,
    brokers: brokers(),
    config: { endpointOverrides: overrides },
  });
  return opts.now ? Object.assign(ctx, { clock: { now: opts.now } }) : ctx;
}

/**
 * A namespace for one test with the CRDs, the `ssd-csi` class and the seed StreamStore in it,
 * routed to the test NATS. Streams left in it are deleted and finalized when the test ends.
 */
export async function streamNamespace(t: ExecutionContext, label: string): Promise<string> {
  await installCrds();
  await ensureStorageClass('ssd-csi');
  const { namespace } = isolation(`tawonstream-${label}`);
  await useNamespace(t, namespace);
  const store = await applyExample('streamstore', namespace);
  routeStore(namespace, store);
  t.teardown(() => finalizeAll(namespace));
  return namespace;
}

/** Deletes every Tawon Stream of `namespace` and runs their finalizers, forcing where needed. */
export async function finalizeAll(namespace: string): Promise<void> {
  const kube = adminClient();
  for (const s of await kube.listAll(TawonStreamKind, namespace)) {
    const name = s.metadata.name ?? '';
    const ref = refIn(tawonStreamFunction, namespace, name);
    await kube.delete(TawonStreamKind, namespace, name);
    try {
      await reconcileObject(tawonStreamFunction, ref, streamContext(ref));
    } catch {
      await kube
        .patch(TawonStreamKind, namespace, name, { metadata: { finalizers: null } })
        .catch(() => undefined);
    }
  }
}

/** Closes the pool and the verifier connection. */
export async function closeHarness(): Promise<void> {
  await pool?.close();
  pool = undefined;
  const nc = await verifier?.catch(() => undefined);
  verifier = undefined;
  await nc?.close();
}
