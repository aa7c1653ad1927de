/**
 * @module bench/proto/kubeconfig
 * PROTOTYPE (benchmark only, not shipped): the part of `@kubernetes/client-node`'s `KubeConfig`
 * that Sluice uses (`loadFromFile`, `loadFromCluster`, `getCurrentCluster`, `applyToHTTPSOptions`
 * for token and client-certificate users), in ~100 lines over the `yaml` package. The real
 * package's `config.js` imports its whole generated API (`gen/index.js`): about 68 MB of RSS and
 * 30 MB of heap in every Sluice process, for these four methods.
 *
 * `bench/proto/no-client-node` makes a process load this module in place of the package, so the
 * memory and restart scenarios can measure the production dispatcher without it.
 */
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { parse } from 'yaml';

interface Named<T> {
  readonly name: string;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}

interface ClusterEntry {
  readonly server: string;
  readonly 'certificate-authority'?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
}

interface UserEntry {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly 'client-certificate'?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-key'?: string;
  readonly 'client-key-data'?: string;
}

interface ContextEntry {
  readonly cluster: string;
  readonly user: string;
}

interface Document {
  readonly clusters?: readonly Named<ClusterEntry>[];
  readonly users?: readonly Named<UserEntry>[];
  readonly contexts?: readonly Named<ContextEntry>[];
  readonly 'current-context'?: string;
}

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  return file ? readFileSync(file) : undefined;
}

export class KubeConfig {
  private cluster: (ClusterEntry & { name: string }) | undefined;
  private user: UserEntry = {};

  loadFromFile(file: string): void {
    const doc = parse(readFileSync(file, 'utf8')) as Document;
    const current = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
    const cluster = doc.clusters?.find((c) => c.name === current?.cluster)?.cluster;
    if (!current || !cluster) throw new Error(`kubeconfig ${file}: no current context with a cluster`);
    this.cluster = { ...cluster, name: current.cluster };
    this.user = doc.users?.find((u) => u.name === current.user)?.user ?? {};
  }

  /** In-cluster: the pod's ServiceAccount, the API server from the default Service address. */
  loadFromCluster(): void {
    this.cluster = {
      name: 'in-cluster',
      server: 'https://kubernetes.default.svc',
      'certificate-authority': `${SA}/ca.crt`,
    };
    this.user = { tokenFile: `${SA}/token` };
  }

  getCurrentCluster(): { name: string; server: string; skipTLSVerify: boolean } | null {
    const c = this.cluster;
    return c
      ? { name: c.name, server: c.server, skipTLSVerify: c['insecure-skip-tls-verify'] === true }
      : null;
  }

  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const c = this.cluster;
    if (!c) return Promise.reject(new Error('no cluster loaded'));
    const ca = fileOrData(c['certificate-authority'], c['certificate-authority-data']);
    if (ca) opts.ca = ca;
    if (c['insecure-skip-tls-verify']) opts.rejectUnauthorized = false;
    const cert = fileOrData(this.user['client-certificate'], this.user['client-certificate-data']);
    const key = fileOrData(this.user['client-key'], this.user['client-key-data']);
    if (cert && key) {
      opts.cert = cert;
      opts.key = key;
    }
    const token =
      this.user.token ?? (this.user.tokenFile ? readFileSync(this.user.tokenFile, 'utf8').trim() : undefined);
    if (token) opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
    return Promise.resolve();
  }
}
