/**
 * @module runtime/kube/kubeconfig
 * Kubernetes credentials without loading `@kubernetes/client-node` up front: that package's
 * `KubeConfig` imports its whole generated API (≈ 70 MB of RSS and 0.5 s of start-up) for the two
 * methods {@link KubeRest} calls. {@link LightKubeConfig} reads the common cases itself:
 *
 * - a kubeconfig file's current context: the server, its CA (`certificate-authority` /
 *   `-data`), `insecure-skip-tls-verify`, `tls-server-name`, and a user with a bearer `token` /
 *   `token-file`, a client certificate and key (files or `-data`), or `as` (impersonation);
 *   relative file names are taken from the kubeconfig's folder, as kubectl does;
 * - in-cluster: the pod's ServiceAccount token (re-read on every use, so rotated tokens are
 *   picked up) and CA, the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`.
 *
 * A user with anything else (an `exec` plugin, an `auth-provider`, user name and password) is
 * handed to `@kubernetes/client-node`, imported only then, so those setups behave exactly as
 * before. A file that is not a kubeconfig, or has no usable current context, throws
 * {@link ConfigError} naming the file and what is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Environment } from '../config.js';
import { ConfigError } from '../errors.js';

/** What {@link KubeRest} needs of a kubeconfig (the `@kubernetes/client-node` `KubeConfig` has it too). */
export interface KubeCredentialSource {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

/** The ServiceAccount files of a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Cluster {
  readonly server: string;
  readonly caFile?: string | undefined;
  readonly caData?: string | undefined;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string | undefined;
}

interface User {
  readonly token?: string | undefined;
  /** Read on every use (in-cluster tokens rotate). */
  readonly tokenFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly certData?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly keyData?: string | undefined;
  readonly impersonate?: string | undefined;
}

type Entry = Readonly<Record<string, unknown>>;

/** User fields handled here; a user with any other field goes to `@kubernetes/client-node`. */
const KNOWN_USER_FIELDS = new Set([
  'token',
  'tokenFile',
  'token-file',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'as',
  'extensions',
]);

function isEntry(v: unknown): v is Entry {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(e: Entry, key: string): string | undefined {
  const v = e[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The YAML parser, loaded on the first kubeconfig file: a pod's in-cluster configuration never
 * needs it (its 70-odd modules cost ≈ 45 ms of CPU at start and some memory).
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text);
}

/** The `field` of the entry named `name` in a kubeconfig list (`clusters`, `users`, `contexts`). */
function named(doc: Entry, list: string, field: string, name: string | undefined): Entry | undefined {
  const items = doc[list];
  if (!Array.isArray(items) || name === undefined) return undefined;
  const found: unknown = items.find((i: unknown) => isEntry(i) && i.name === name);
  return isEntry(found) && isEntry(found[field]) ? found[field] : undefined;
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  return data ? Buffer.from(data, 'base64') : undefined;
}

export class LightKubeConfig implements KubeCredentialSource {
  private constructor(
    private readonly cluster: Cluster,
    private readonly user: User,
    private readonly context: { readonly name: string; readonly namespace?: string | undefined },
    /** Set when the user needs `@kubernetes/client-node` (exec plugins and the like). */
    private readonly delegateFile?: string,
  ) {}

  private delegate: Promise<KubeCredentialSource> | undefined;

  /** The current context of a kubeconfig file (the YAML parser is loaded only here). */
  static fromFile(file: string): LightKubeConfig {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`kubeconfig ${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    if (!isEntry(doc)) throw new ConfigError(`kubeconfig ${file} is not a YAML mapping`);
    const contextName = str(doc, 'current-context');
    const context = named(doc, 'contexts', 'context', contextName);
    if (!context)
      throw new ConfigError(
        `kubeconfig ${file}: no current context (current-context: ${contextName ?? 'unset'})`,
      );
    const c = named(doc, 'clusters', 'cluster', str(context, 'cluster'));
    const server = c && str(c, 'server');
    if (!c || !server)
      throw new ConfigError(
        `kubeconfig ${file}: the current context's cluster ${str(context, 'cluster') ?? '(none)'} has no server`,
      );
    const dir = path.dirname(file);
    const abs = (p: string | undefined): string | undefined => (p === undefined ? p : path.resolve(dir, p));
    const u = named(doc, 'users', 'user', str(context, 'user')) ?? {};
    const cluster: Cluster = {
      server: server.replace(/\/$/, ''),
      caFile: abs(str(c, 'certificate-authority')),
      caData: str(c, 'certificate-authority-data'),
      skipTLSVerify: c['insecure-skip-tls-verify'] === true,
      tlsServerName: str(c, 'tls-server-name'),
    };
    const tokenFile = abs(str(u, 'tokenFile') ?? str(u, 'token-file'));
    const user: User = {
      // As client-node: a token file of a kubeconfig is read once, when it is loaded.
      token: str(u, 'token') ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined),
      certFile: abs(str(u, 'client-certificate')),
      certData: str(u, 'client-certificate-data'),
      keyFile: abs(str(u, 'client-key')),
      keyData: str(u, 'client-key-data'),
      impersonate: str(u, 'as'),
    };
    const needsClientNode = Object.keys(u).some((k) => !KNOWN_USER_FIELDS.has(k));
    const ctx = { name: contextName ?? '', namespace: str(context, 'namespace') };
    return new LightKubeConfig(cluster, user, ctx, needsClientNode ? file : undefined);
  }

  /** The pod's ServiceAccount (as `KubeConfig.loadFromCluster`). */
  static inCluster(env: Environment, dir = SERVICE_ACCOUNT_DIR): LightKubeConfig {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port)
      throw new ConfigError(
        'no kubeconfig: KUBECONFIG is unset and KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set (not in a pod)',
      );
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    return new LightKubeConfig(
      {
        server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: `${dir}/ca.crt`,
        skipTLSVerify: false,
      },
      { tokenFile: `${dir}/token` },
      {
        name: 'inClusterContext',
        namespace: existsSync(`${dir}/namespace`) ? readFileSync(`${dir}/namespace`, 'utf8') : undefined,
      },
    );
  }

  /** True when this user's credentials come from `@kubernetes/client-node` (exec plugins and the like). */
  get delegated(): boolean {
    return this.delegateFile !== undefined;
  }

  getCurrentCluster(): { readonly server: string } | null {
    return { server: this.cluster.server };
  }

  /** The current context's name (as `KubeConfig.getCurrentContext`). */
  getCurrentContext(): string {
    return this.context.name;
  }

  /** The current context (the only one kept), with its default namespace. */
  getContextObject(name: string): { readonly name: string; readonly namespace?: string | undefined } | null {
    return name === this.context.name ? this.context : null;
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    if (this.delegateFile !== undefined) {
      const file = this.delegateFile;
      this.delegate ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
        const kc = new KubeConfig();
        kc.loadFromFile(file);
        return kc;
      });
      return (await this.delegate).applyToHTTPSOptions(opts);
    }
    const { cluster, user } = this;
    if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = fileOrData(cluster.caFile, cluster.caData);
    if (ca) opts.ca = ca;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) opts.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) opts.key = key;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    if (user.impersonate) headers['Impersonate-User'] = user.impersonate;
    const token = user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    opts.headers = headers;
    return Promise.resolve();
  }
}
