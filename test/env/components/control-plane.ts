/**
 * @module test/env/components/control-plane
 * etcd, kube-apiserver (token auth, RBAC on), kube-controller-manager and kube-scheduler, as in
 * `../shared/notes/control-plane.md` §5, with the corrections recorded in the README.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { bins, buildEtcd, buildKubernetes } from '../build.js';
import type { Component } from '../component.js';
import { dataDir, stateDir } from '../paths.js';
import { livePid, startDetached, waitFor } from '../proc.js';
import type { EnvState } from '../state.js';

export const pkiDir = path.join(stateDir, 'pki');
export const kubeconfigPath = path.join(stateDir, 'kubeconfig');
const caPath = path.join(pkiDir, 'apiserver.crt');

/** A GET against the test API server as the admin user; resolves the status and body. */
export function apiGet(state: EnvState, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port: state.ports.apiserver,
        path: urlPath,
        ca: existsSync(caPath) ? readFileSync(caPath) : undefined,
        headers: { Authorization: `Bearer ${state.adminToken}` },
        timeout: 3000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function etcdHealthy(state: EnvState): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${state.ports.etcd}/health`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

export const etcd: Component = {
  name: 'etcd',
  async healthy(state) {
    return livePid('etcd') !== undefined && (await etcdHealthy(state));
  },
  async start(state) {
    await buildEtcd();
    const { etcd: client, etcdPeer: peer } = state.ports;
    const pid = startDetached('etcd', bins.etcd, [
      '--name=e0',
      `--data-dir=${path.join(dataDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=e0=http://127.0.0.1:${peer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd', () => etcdHealthy(state), 30_000, pid);
  },
  describe(state) {
    return `http://127.0.0.1:${state.ports.etcd}`;
  },
};

/** Writes the service-account key pair, the token file and the kubeconfig, once. */
function writeCredentials(state: EnvState): void {
  mkdirSync(pkiDir, { recursive: true });
  const saKey = path.join(pkiDir, 'sa.key');
  if (!existsSync(saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(path.join(pkiDir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  writeFileSync(path.join(pkiDir, 'tokens.csv'), `${state.adminToken},admin,admin,system:masters\n`, {
    mode: 0o600,
  });
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: sluice-test',
      '  cluster:',
      `    server: https://127.0.0.1:${state.ports.apiserver}`,
      `    certificate-authority: ${caPath}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${state.adminToken}`,
      'contexts:',
      '- name: sluice-test',
      '  context: {cluster: sluice-test, user: admin, namespace: default}',
      'current-context: sluice-test',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

async function apiReady(state: EnvState): Promise<boolean> {
  const res = await apiGet(state, '/readyz');
  return res.status === 200 && res.body.trim() === 'ok';
}

export const apiserver: Component = {
  name: 'kube-apiserver',
  async healthy(state) {
    return livePid('kube-apiserver') !== undefined && (await apiReady(state).catch(() => false));
  },
  async start(state) {
    await buildKubernetes();
    writeCredentials(state);
    const pid = startDetached('kube-apiserver', bins.k8s('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${state.ports.etcd}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${state.ports.apiserver}`,
      `--cert-dir=${pkiDir}`,
      `--token-auth-file=${path.join(pkiDir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(pkiDir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(pkiDir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--watch-cache=true',
      '--max-requests-inflight=1000',
      '--max-mutating-requests-inflight=500',
    ]);
    await waitFor('kube-apiserver', () => apiReady(state), 90_000, pid);
  },
  describe(state) {
    return `https://127.0.0.1:${state.ports.apiserver} (kubeconfig ${kubeconfigPath})`;
  },
};

async function defaultServiceAccount(state: EnvState): Promise<boolean> {
  const res = await apiGet(state, '/api/v1/namespaces/default/serviceaccounts/default');
  return res.status === 200;
}

export const controllerManager: Component = {
  name: 'kube-controller-manager',
  async healthy(state) {
    return (
      livePid('kube-controller-manager') !== undefined &&
      (await defaultServiceAccount(state).catch(() => false))
    );
  },
  async start(state) {
    await buildKubernetes();
    const pid = startDetached('kube-controller-manager', bins.k8s('kube-controller-manager'), [
      `--kubeconfig=${kubeconfigPath}`,
      '--secure-port=0',
      '--leader-elect=false',
      `--root-ca-file=${caPath}`,
      `--service-account-private-key-file=${path.join(pkiDir, 'sa.key')}`,
      '--use-service-account-credentials=false',
      '--controllers=*',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--concurrent-statefulset-syncs=10',
      '--concurrent-gc-syncs=50',
    ]);
    await waitFor('kube-controller-manager', () => defaultServiceAccount(state), 60_000, pid);
  },
  describe() {
    return 'no port (--secure-port=0)';
  },
};

export const scheduler: Component = {
  name: 'kube-scheduler',
  healthy() {
    return Promise.resolve(livePid('kube-scheduler') !== undefined);
  },
  async start() {
    await buildKubernetes();
    const config = path.join(stateDir, 'scheduler.yaml');
    writeFileSync(
      config,
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        `clientConnection: {kubeconfig: ${JSON.stringify(kubeconfigPath)}, qps: 200, burst: 400}`,
        'leaderElection: {leaderElect: false}',
        '',
      ].join('\n'),
    );
    const pid = startDetached('kube-scheduler', bins.k8s('kube-scheduler'), [
      `--config=${config}`,
      '--secure-port=0',
    ]);
    await waitFor('kube-scheduler', () => Promise.resolve(true), 5_000, pid);
  },
  describe() {
    return 'no port (--secure-port=0)';
  },
};
