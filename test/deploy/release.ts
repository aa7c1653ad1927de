/**
 * @module test/deploy/release
 * A chart release on the test API server, as the pods would see it but run in the test process:
 * the rendering applied with server-side apply; a kubeconfig per ServiceAccount holding a token
 * from the TokenRequest API; and each Deployment's environment (ConfigMap, values, downward API,
 * mounted token file) turned into a {@link SluiceConfig} with `loadConfig`, as the container would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ExecutionContext } from 'ava';
import {
  Builtin,
  KubeClient,
  KubeRest,
  isRecord,
  loadConfig,
  type KubeObject,
  type SluiceConfig,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { testEnv } from '../helpers/env.js';
import { kubectl } from '../helpers/kube.js';
import { parseObjects, pick, renderChart } from './chart.js';
import { containersOf, podSpecOf } from './objects.js';

/** The field manager of the CRDs (the same as test/helpers/crds.ts, so ownership does not change). */
const CRD_MANAGER = 'sluice-crds';
const MANAGER = 'sluice-deploy-test';

export interface Release {
  readonly name: string;
  readonly namespace: string;
  /** Every object of the rendering (CRDs included). */
  readonly objects: readonly KubeObject[];
  /** A kubeconfig file authenticating as the ServiceAccount `sa` of the release. */
  kubeconfigFor(sa: string): Promise<string>;
  /** A client authenticated as the ServiceAccount `sa`. */
  clientFor(sa: string): Promise<KubeClient>;
  /** The settings the first container of Deployment `name` would load, as ServiceAccount of its pod. */
  configFor(deployment: string): Promise<SluiceConfig>;
  /** The environment variables that settings come from (see {@link configFor}). */
  variablesFor(deployment: string): Promise<Record<string, string>>;
  /** The arguments of the first container of Deployment `name`. */
  argsOf(deployment: string): string[];
}

function split(objects: readonly KubeObject[]): { crds: KubeObject[]; rest: KubeObject[] } {
  return {
    crds: objects.filter((o) => o.kind === 'CustomResourceDefinition'),
    rest: objects.filter((o) => o.kind !== 'CustomResourceDefinition'),
  };
}

async function apply(objects: readonly KubeObject[], manager: string): Promise<string> {
  if (objects.length === 0) return '';
  return kubectl(
    ['apply', '--server-side', '--force-conflicts', `--field-manager=${manager}`, '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}

/** Writes a kubeconfig for the test API server that authenticates with `token`. */
function writeKubeconfig(dir: string, name: string, token: string): string {
  const admin = new KubeConfig();
  admin.loadFromFile(testEnv().kubeconfig);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  const file = path.join(dir, `${name}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/**
 * Renders the chart as `name` into `namespace` (which must exist) with `values`, applies it with
 * server-side apply, and registers the deletion of its cluster-scoped objects (never the CRDs,
 * which every test shares).
 * @returns the release, and what kubectl printed for the apply.
 */
export async function installRelease(
  t: ExecutionContext,
  name: string,
  namespace: string,
  values: Record<string, unknown>,
): Promise<{ release: Release; applied: string }> {
  const objects = parseObjects(await renderChart({ release: name, namespace, values, includeCrds: true }));
  const { crds, rest } = split(objects);
  t.teardown(async () => {
    await kubectl([
      'delete',
      'clusterrole,clusterrolebinding',
      '-l',
      `app.kubernetes.io/instance=${name}`,
      '--ignore-not-found',
    ]).catch(() => undefined);
  });
  const applied = (await apply(crds, CRD_MANAGER)) + (await apply(rest, MANAGER));

  const dir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfigs = new Map<string, Promise<string>>();
  const kubeconfigFor = (sa: string): Promise<string> => {
    let file = kubeconfigs.get(sa);
    if (!file) {
      file = kubectl(['create', 'token', sa, '-n', namespace, '--duration=1h']).then((token) =>
        writeKubeconfig(dir, sa, token.trim()),
      );
      kubeconfigs.set(sa, file);
    }
    return file;
  };

  const release: Release = {
    name,
    namespace,
    objects,
    kubeconfigFor,
    async clientFor(sa) {
      const kc = new KubeConfig();
      kc.loadFromFile(await kubeconfigFor(sa));
      return new KubeClient(new KubeRest(kc));
    },
    argsOf(deployment) {
      return containersOf(pick(objects, 'Deployment', deployment))[0]?.args ?? [];
    },
    async variablesFor(deployment) {
      const d = pick(objects, 'Deployment', deployment);
      const sa = podSpecOf(d).serviceAccountName ?? 'default';
      const env = await containerEnv(d, objects, namespace, dir);
      return { ...env, KUBECONFIG: await kubeconfigFor(sa) };
    },
    async configFor(deployment) {
      return loadConfig(await release.variablesFor(deployment));
    },
  };
  return { release, applied };
}

/**
 * The environment of a Deployment's first container: its ConfigMaps, its values, the downward
 * API (namespace and a pod name), and mounted Secret files copied from the server into `dir`.
 */
async function containerEnv(
  d: KubeObject,
  objects: readonly KubeObject[],
  namespace: string,
  dir: string,
): Promise<Record<string, string>> {
  const pod = podSpecOf(d);
  const [c] = containersOf(d);
  const env: Record<string, string> = {};
  for (const from of c?.envFrom ?? []) {
    const ref = isRecord(from) && isRecord(from.configMapRef) ? String(from.configMapRef.name) : '';
    const cm = pick(objects, 'ConfigMap', ref);
    for (const [k, v] of Object.entries(isRecord(cm.data) ? cm.data : {})) env[k] = String(v);
  }
  const mounts = await mountedSecrets(pod, c?.volumeMounts ?? [], namespace, dir);
  for (const e of c?.env ?? []) {
    const field =
      isRecord(e.valueFrom) && isRecord(e.valueFrom.fieldRef) ? e.valueFrom.fieldRef.fieldPath : undefined;
    if (e.value !== undefined) {
      const mount = [...mounts.entries()].find(([at]) => e.value?.startsWith(`${at}/`));
      env[e.name] = mount ? path.join(mount[1], e.value.slice(mount[0].length + 1)) : e.value;
    } else if (field === 'metadata.namespace') env[e.name] = namespace;
    else if (field === 'metadata.name') env[e.name] = `${d.metadata.name ?? 'pod'}-test-0`;
    else throw new Error(`env ${e.name} of ${d.metadata.name ?? ''}: unsupported source`);
  }
  return env;
}

/** Copies each mounted Secret volume's items from the server into `dir`; returns mountPath → local dir. */
async function mountedSecrets(
  pod: ReturnType<typeof podSpecOf>,
  mounts: readonly { name: string; mountPath: string }[],
  namespace: string,
  dir: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of mounts) {
    const volume = (pod.volumes ?? []).find((v) => v.name === m.name);
    const secret = isRecord(volume?.secret) ? volume.secret : undefined;
    if (!secret) continue;
    const found = await adminClient().get(Builtin.Secret, namespace, String(secret.secretName));
    const data = isRecord(found?.data) ? found.data : {};
    const local = mkdtempSync(path.join(dir, 'mount-'));
    const items = Array.isArray(secret.items) ? secret.items.filter(isRecord) : [];
    for (const item of items) {
      const value = data[String(item.key)];
      if (typeof value === 'string')
        writeFileSync(path.join(local, String(item.path)), Buffer.from(value, 'base64'));
    }
    out.set(m.mountPath, local);
  }
  return out;
}
