/**
 * @module test/helpers/kube
 * Kubernetes clients for tests, bound to the test API server, plus namespace isolation,
 * `kubectl` and polling helpers.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  ApiextensionsV1Api,
  RbacAuthorizationV1Api,
  StorageV1Api,
} from '@kubernetes/client-node';
import type { ExecutionContext } from 'ava';
import { testEnv } from './env.js';

const execFileP = promisify(execFile);

export interface Kube {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
  readonly ext: ApiextensionsV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly storage: StorageV1Api;
}

let cached: Kube | undefined;

/** Clients authenticated as the environment's admin. */
export function kube(): Kube {
  if (cached) return cached;
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kubeconfig);
  cached = {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    ext: kc.makeApiClient(ApiextensionsV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    storage: kc.makeApiClient(StorageV1Api),
  };
  return cached;
}

/** The HTTP status of an error thrown by @kubernetes/client-node, if it carries one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number')
    return err.code;
  return undefined;
}

/** Creates a namespace for this test and deletes it when the test ends. */
export async function useNamespace(t: ExecutionContext, name: string): Promise<string> {
  await kube().core.createNamespace({ body: { metadata: { name, labels: { 'sluice.io/test': 'true' } } } });
  t.teardown(async () => {
    await kube()
      .core.deleteNamespace({ name })
      .catch(() => undefined);
  });
  return name;
}

/** Runs the environment's kubectl against the test API server. */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const env = testEnv();
  const child = execFileP(env.kubectl, ['--kubeconfig', env.kubeconfig, ...args], { maxBuffer: 16 << 20 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

/**
 * Polls `probe` until it returns a value other than `undefined` or `false`, and returns it.
 * @throws naming `what` and the last error when `timeoutMs` passes.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
