/**
 * @module test/env/components/kwok
 * kwok keeps fake Nodes Ready and moves scheduled Pods to Running and Ready without a kubelet. Its
 * volume stages act as the provisioner of every StorageClass whose provisioner is
 * `kwok.x-k8s.io/volume`, so claims bind as in a real cluster.
 *
 * The stages come from the kwok module in the Go module cache. Upstream's volume stages select
 * claims by the class name `kwok-volume`; we select them by the provisioner annotation that the
 * controller-manager's volume binder sets, so that a class of any name (the seeds use `standard`
 * and `ssd-csi`) binds through the same provisioner.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { bins, buildKwok, kwokStagesDir } from '../build.js';
import type { Component } from '../component.js';
import { stateDir } from '../paths.js';
import { livePid, run, startDetached, waitFor } from '../proc.js';
import type { EnvState } from '../state.js';
import { apiGet, kubeconfigPath } from './control-plane.js';

export const PROVISIONER = 'kwok.x-k8s.io/volume';
export const DEFAULT_STORAGE_CLASS = 'kwok-volume';

/** The other classes the environment has: those the source documents' examples name. */
export const SEED_STORAGE_CLASSES = ['standard', 'ssd-csi'] as const;
export const NODE_COUNT = 3;

const STAGE_FILES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
  'volume/fast/pvc-provision.yaml',
  'volume/fast/pv-bind.yaml',
  'volume/fast/pvc-delete.yaml',
  'volume/fast/pv-delete.yaml',
];

const CLASS_TEST = "self.spec.storageClassName == 'kwok-volume'";

function annotationIs(key: string, value: string): string {
  return `has(self.metadata.annotations) && '${key}' in self.metadata.annotations && self.metadata.annotations['${key}'] == '${value}'`;
}

/** Rewrites the class-name selector of a volume stage into a provisioner selector. */
function retarget(stage: unknown): unknown {
  const text = JSON.stringify(stage);
  if (!text.includes(CLASS_TEST)) return stage;
  const kind = (stage as { spec?: { resourceRef?: { kind?: string } } }).spec?.resourceRef?.kind;
  const replacement =
    kind === 'PersistentVolume'
      ? annotationIs('pv.kubernetes.io/provisioned-by', PROVISIONER)
      : annotationIs('volume.kubernetes.io/storage-provisioner', PROVISIONER);
  return JSON.parse(text.split(CLASS_TEST).join(replacement.replace(/"/g, '\\"'))) as unknown;
}

function writeStages(): string {
  const dir = kwokStagesDir();
  const docs: unknown[] = [];
  for (const file of STAGE_FILES) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const value: unknown = doc.toJS();
      if (value) docs.push(retarget(value));
    }
  }
  const out = path.join(stateDir, 'kwok-stages.yaml');
  writeFileSync(out, docs.map((d) => stringify(d)).join('---\n'));
  return out;
}

function clusterObjects(): string {
  const objects: unknown[] = [];
  for (let i = 0; i < NODE_COUNT; i++) {
    const name = `kwok-node-${i}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          type: 'kwok',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
        },
      },
    });
  }
  objects.push({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: DEFAULT_STORAGE_CLASS,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });
  const out = path.join(stateDir, 'cluster-objects.yaml');
  writeFileSync(out, objects.map((o) => stringify(o)).join('---\n'));
  return out;
}

async function nodesReady(state: EnvState): Promise<boolean> {
  const res = await apiGet(state, '/api/v1/nodes');
  if (res.status !== 200) return false;
  const items = (
    JSON.parse(res.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }
  ).items;
  const ready = items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return ready.length >= NODE_COUNT;
}

export const kwok: Component = {
  name: 'kwok',
  async healthy(state) {
    return livePid('kwok') !== undefined && (await nodesReady(state).catch(() => false));
  },
  async start(state) {
    await buildKwok();
    const stages = writeStages();
    const pid = startDetached('kwok', bins.kwok, [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${stages}`,
      '--manage-all-nodes=true',
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
      '--node-ip=10.244.0.1',
    ]);
    await run('cluster-setup', bins.k8s('kubectl'), [
      '--kubeconfig',
      kubeconfigPath,
      'apply',
      '--server-side',
      '-f',
      clusterObjects(),
    ]);
    await waitFor('kwok', () => nodesReady(state), 60_000, pid);
  },
  describe() {
    return `${NODE_COUNT} fake nodes; StorageClass ${DEFAULT_STORAGE_CLASS} (default, provisioner ${PROVISIONER})`;
  },
};
