/**
 * Regressions of what the fuzzing found: specs the API server accepted but whose reconcile threw
 * an API error that was neither terminal nor retryable with a condition, so the worker retried the
 * object forever without telling its owner. The worker host now classifies such refusals
 * (functions/host/reconcile-object.ts `classify`), and the CRD bounds replicas.
 */
import test, { type ExecutionContext } from 'ava';
import { classify, reconcileObject } from '../../runtime/worker/reconcile-object.js';
import { streamBusClusterFunction } from '../../functions/streambus-cluster/index.js';
import { tanzuStreamFunction } from '../../functions/tanzu-stream/index.js';
import {
  KubeApiError,
  OperatorError,
  RetryableError,
  TerminalError,
  findCondition,
  refOf,
  type FunctionDeclaration,
} from '../../runtime/index.js';
import { ClusterStreamKind } from '../../shared/index.js';
import { adminClient, testContext } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { isolation } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';

/** Creates the object, reconciles it once, and asserts the contract: a condition with the error's reason. */
async function conditioned(
  t: ExecutionContext,
  fn: FunctionDeclaration,
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

test('a tanzu Stream naming a ClusterStream that is not a DNS name gets a condition (functions/tanzu-stream/reconcile.ts:141)', async (t) => {
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
});

test('the API server refuses a StreamBusCluster with hundreds of thousands of replicas', async (t) => {
  // Every broker is listed in each broker's configuration: 726120 replicas overflowed the
  // ConfigMap (413). The CRD now caps replicas at 999.
  const ns = await namespace(t, 'bug-replicas');
  const err = await t.throwsAsync(
    adminClient().create(streamBusClusterFunction.kind, {
      metadata: { name: 'huge', namespace: ns },
      spec: { replicas: 726120 },
    }),
  );
  t.regex(err?.message ?? '', /replicas/);
});

test('an API request refused for its content ends as a terminal condition, a 403 as a retried one', (t) => {
  const tooLarge = classify(
    new KubeApiError(413, 'RequestEntityTooLarge', 'PATCH configmaps/x: 413: too large'),
  );
  t.true(tooLarge instanceof TerminalError);
  t.is((tooLarge as TerminalError).reason, 'ObjectRejected');
  t.true(classify(new KubeApiError(403, 'Forbidden', 'no')) instanceof RetryableError);
  // Fenced writes fail with 409 (never 422), so a conflict stays retryable whatever its message.
  t.false(classify(new KubeApiError(409, 'Conflict', 'conflict')) instanceof TerminalError);
  t.true(classify(new KubeApiError(422, 'Invalid', 'test operation failed')) instanceof TerminalError);
});

test('a StreamBusCluster whose TLS Secret is named "." gets a condition (functions/streambus-cluster/checks.ts:53)', async (t) => {
  // missingSecrets reads `secrets/.` metadata-only; the URL resolves to the Secret list, and the
  // API server answers 406 (a list cannot be PartialObjectMetadata): a KubeApiError, retried
  // forever. See test/security/kube-names.test.ts for the client bug underneath.
  const ns = await namespace(t, 'bug-secret-dot');
  await conditioned(t, streamBusClusterFunction, ns, 'dot', {
    security: { tls: { enabled: true, certSecretName: '.', caSecretName: 'ca' } },
  });
});
