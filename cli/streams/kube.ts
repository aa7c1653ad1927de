/**
 * @module cli/streams/kube
 * The Kubernetes side of the Tawon commands: finding a kubeconfig the way kubectl does, the
 * default namespace, reading a Stream, and API errors turned into sentences.
 *
 * Where the kubeconfig comes from, in order: `KUBECONFIG` (through `loadConfig()`), the Pod's
 * ServiceAccount when running in a cluster, `~/.kube/config`. None of them: a {@link CliError}
 * that says so.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  KubeApiError,
  kubeClientFrom,
  kubeConfigFrom,
  type KubeClient,
  type KubeObject,
  type SluiceConfig,
} from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { CliError } from './errors.js';

/** The ServiceAccount token a Pod has mounted. */
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A client and what the commands need to know about the cluster. */
export interface KubeSession {
  readonly kube: KubeClient;
  /** The current context's namespace, else `default`. */
  readonly namespace: string;
  /** The API server, for messages. */
  readonly server: string;
  close(): void;
}

/** Where the kubeconfig is read from; `undefined` means in-cluster. */
export function kubeconfigPath(
  config: Pick<SluiceConfig, 'kubeconfig'>,
  fs: { exists(p: string): boolean; home(): string } = { exists: existsSync, home: homedir },
): string | undefined {
  if (config.kubeconfig) {
    if (!fs.exists(config.kubeconfig)) {
      throw new CliError(`KUBECONFIG names ${config.kubeconfig}, which does not exist`);
    }
    return config.kubeconfig;
  }
  if (fs.exists(IN_CLUSTER_TOKEN)) return undefined;
  const home = path.join(fs.home(), '.kube', 'config');
  if (fs.exists(home)) return home;
  throw new CliError(
    'no kubeconfig: set KUBECONFIG to a kubeconfig file or create ~/.kube/config (or run inside a cluster)',
  );
}

/** Opens a session on the cluster the configuration names. */
export function openKube(config: Pick<SluiceConfig, 'kubeconfig'>): KubeSession {
  const file = kubeconfigPath(config);
  let kc;
  try {
    kc = kubeConfigFrom({ kubeconfig: file });
  } catch (err) {
    throw new CliError(`cannot load the kubeconfig ${file ?? '(in-cluster)'}: ${messageText(err)}`, {
      cause: err,
    });
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)';
  const kube = kubeClientFrom({ kubeconfig: file });
  return {
    kube,
    namespace: context?.namespace ?? 'default',
    server,
    close: () => kube.rest.close(),
  };
}

function messageText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one API call, turning what the API server says into a {@link CliError}: unreachable
 * (naming the server), the Tawon CRDs missing, forbidden.
 */
export async function kubeCall<T>(session: KubeSession, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (err.status === 0) {
      throw new CliError(
        `cannot reach the Kubernetes API server at ${session.server} (${what}): ${err.message}`,
        {
          cause: err,
        },
      );
    }
    if (err.status === 404 && /\/apis\/tawon\.mantisnet\.com\//.test(err.message)) {
      throw new CliError(
        `${what}: the Tawon resources (tawon.mantisnet.com/v1alpha1) are not installed on ${session.server}; apply the CRDs in crds/`,
        { cause: err },
      );
    }
    if (err.status === 401 || err.status === 403) {
      throw new CliError(`${what}: the API server refused it: ${err.message}`, { cause: err });
    }
    throw new CliError(`${what}: ${err.message}`, { cause: err });
  }
}

/**
 * Reads a Tawon Stream.
 * @throws CliError when there is no such Stream, naming the namespace looked in.
 */
export async function getStream(session: KubeSession, namespace: string, name: string): Promise<KubeObject> {
  const stream = await kubeCall(session, `read Stream ${name}`, () =>
    session.kube.get(TawonStreamKind, namespace, name),
  );
  if (!stream) {
    throw new CliError(
      `Stream ${name} not found in namespace ${namespace} (sluice streams ls -n ${namespace} lists the Streams there)`,
    );
  }
  return stream;
}
