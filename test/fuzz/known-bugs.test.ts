/**
 * Specs the fuzzing found that the API server accepts but whose reconcile throws an error that is
 * neither a TerminalError nor a RetryableError: no condition is written, and the worker retries
 * the object forever with backoff. Each is marked failing until the reconciler (owned elsewhere)
 * turns it into a condition; the fuzz guards in kinds.ts keep these inputs out meanwhile.
 */
import test, { type ExecutionContext } from 'ava';
import { reconcileObject } from '../../functions/host/reconcile-object.js';
import { streamBusClusterFunction } from '../../functions/streambus-cluster/index.js';
import { tanzuStreamFunction } from '../../functions/tanzu-stream/index.js';
import {
  ClusterStreamKind,
  OperatorError,
  RetryableError,
  TerminalError,
  findCondition,
  refOf,
  type SluiceFunction,
} from '../../shared/index.js';
import { adminClient, testContext } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { isolation } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';

/** Creates the object, reconciles it once, and asserts the contract: a condition with the error's reason. */
async function conditioned(
  t: ExecutionContext,
  fn: SluiceFunction,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await adminClient().create(fn.kind, { metadata: { name, namespace }, spec });
  const ref = refOf(fn.kind, { metadata: { name, namespace } });
  let error: unknown;
  try {
    await reconcileObject(fn, ref, testContext(fn.kind, { about: ref, config: { namespace } }));
  } catch (err) {
    error = err;
  }
  t.log(error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 300)}` : 'no error');
  if (error !== undefined) {
    t.true(
      error instanceof TerminalError || error instanceof RetryableError,
      `a ${error instanceof OperatorError ? error.constructor.name : 'plain error'} is retried forever without a condition`,
    );
  }
  const ready = findCondition((await adminClient().get(fn.kind, namespace, name))?.status, 'Ready');
  t.truthy(ready?.reason, 'the owner is told why');
}

async function namespace(t: ExecutionContext, label: string): Promise<string> {
  await installCrds();
  const iso = isolation(label);
  await useNamespace(t, iso.namespace);
  return iso.namespace;
}

test.failing(
  'bug: a tanzu Stream naming a ClusterStream that is not a DNS name gets a condition (functions/tanzu-stream/reconcile.ts:141)',
  async (t) => {
    // provision() creates the ClusterStream named by spec.storage.clusterStream; the API server
    // refuses the name with 422, which is rethrown as a KubeApiError. The CRD has no pattern for
    // the field, and the reconciler does not check it: InvalidSpec is what the owner should see.
    const ns = await namespace(t, 'bug-cs-name');
    const csName = `bad-${ns.slice(-8)}..`;
    t.teardown(() =>
      adminClient()
        .delete(ClusterStreamKind, undefined, csName)
        .then(() => undefined),
    );
    await conditioned(t, tanzuStreamFunction, ns, 's', {
      name: 'orders',
      protocol: 'kafka',
      storage: { clusterStream: csName },
    });
  },
);

test.failing(
  'bug: a StreamBusCluster with hundreds of thousands of replicas gets a condition (functions/streambus-cluster/reconcile.ts:197)',
  async (t) => {
    // The ConfigMap lists every broker; with 726120 replicas it passes 3 MiB and the API server
    // answers 413 RequestEntityTooLarge. Only 422 becomes ObjectRejected, so the 413 is retried
    // forever. The CRD has no maximum for spec.replicas.
    const ns = await namespace(t, 'bug-replicas');
    await conditioned(t, streamBusClusterFunction, ns, 'huge', { replicas: 726120 });
  },
);

test.failing(
  'bug: a StreamBusCluster whose TLS Secret is named "." gets a condition (functions/streambus-cluster/checks.ts:53)',
  async (t) => {
    // missingSecrets reads `secrets/.` metadata-only; the URL resolves to the Secret list, and the
    // API server answers 406 (a list cannot be PartialObjectMetadata): a KubeApiError, retried
    // forever. See test/security/kube-names.test.ts for the client bug underneath.
    const ns = await namespace(t, 'bug-secret-dot');
    await conditioned(t, streamBusClusterFunction, ns, 'dot', {
      security: { tls: { enabled: true, certSecretName: '.', caSecretName: 'ca' } },
    });
  },
);
