/**
 * @module test/shared/kube/kubeconfig
 * The light kubeconfig loader: the fields it reads itself, in-cluster credentials, clear errors,
 * and users it hands to `@kubernetes/client-node` (an exec plugin), against the real API server.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { stringify, parse } from 'yaml';
import {
  ConfigError,
  KubeClient,
  KubeRest,
  LightKubeConfig,
  kubeClientFrom,
} from '../../../runtime/index.js';
import { testEnv } from '../../helpers/env.js';

interface TestKubeconfig {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  'current-context': string;
}

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-kubeconfig-'));

/** The test environment's kubeconfig, parsed (token user, CA file). */
function envKubeconfig(): TestKubeconfig {
  return parse(readFileSync(testEnv().kubeconfig, 'utf8')) as TestKubeconfig;
}

function write(name: string, doc: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  return file;
}

type Applied = https.RequestOptions & { headers: Record<string, unknown> };

async function optionsOf(kc: LightKubeConfig): Promise<Applied> {
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const headers = opts.headers;
  return { ...opts, headers: headers && !Array.isArray(headers) ? { ...headers } : {} };
}

async function namespacesVia(kc: LightKubeConfig): Promise<number> {
  const kube = new KubeClient(new KubeRest(kc));
  try {
    const list = await kube.rest.request<{ items: unknown[] }>({
      path: '/api/v1/namespaces',
      query: { limit: 1 },
    });
    return list.items.length;
  } finally {
    kube.rest.close();
  }
}

test('a token user with a CA file reaches the real API server', async (t) => {
  const kube = kubeClientFrom({ kubeconfig: testEnv().kubeconfig });
  try {
    const list = await kube.rest.request<{ items: unknown[] }>({
      path: '/api/v1/namespaces',
      query: { limit: 1 },
    });
    t.is(list.items.length, 1);
  } finally {
    kube.rest.close();
  }
});

test('the current context chooses the cluster, the user and the namespace', async (t) => {
  const doc = envKubeconfig();
  const user = doc.users[0]?.user ?? {};
  const file = write('contexts.yaml', {
    ...doc,
    clusters: [{ name: 'other', cluster: { server: 'https://other.invalid:6443' } }, ...doc.clusters],
    users: [{ name: 'nobody', user: { token: 'wrong' } }, ...doc.users],
    contexts: [
      { name: 'first', context: { cluster: 'other', user: 'nobody' } },
      {
        name: 'chosen',
        context: { cluster: doc.clusters[0]?.name, user: doc.users[0]?.name, namespace: 'team-a' },
      },
    ],
    'current-context': 'chosen',
  });
  const kc = LightKubeConfig.fromFile(file);
  t.is(kc.getCurrentCluster()?.server, String(doc.clusters[0]?.cluster.server).replace(/\/$/, ''));
  t.is(kc.getContextObject(kc.getCurrentContext())?.namespace, 'team-a');
  t.is((await optionsOf(kc)).headers.Authorization, `Bearer ${String(user.token)}`);
  t.is(await namespacesVia(kc), 1);
});

test('relative file names are read from the kubeconfig folder, data fields are decoded', async (t) => {
  writeFileSync(path.join(dir, 'ca.pem'), 'CA-PEM');
  writeFileSync(path.join(dir, 'client.pem'), 'CERT-PEM');
  writeFileSync(path.join(dir, 'token.txt'), 'file-token\n');
  const file = write('relative.yaml', {
    clusters: [
      { name: 'c', cluster: { server: 'https://api.example:6443/', 'certificate-authority': 'ca.pem' } },
    ],
    users: [
      {
        name: 'u',
        user: {
          'client-certificate': 'client.pem',
          'client-key-data': Buffer.from('KEY-PEM').toString('base64'),
          'token-file': 'token.txt',
          as: 'someone',
        },
      },
    ],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  const kc = LightKubeConfig.fromFile(file);
  const opts = await optionsOf(kc);
  t.is(kc.getCurrentCluster()?.server, 'https://api.example:6443');
  t.is(String(opts.ca as Buffer), 'CA-PEM');
  t.is(String(opts.cert as Buffer), 'CERT-PEM');
  t.is(String(opts.key as Buffer), 'KEY-PEM');
  t.is(opts.headers.Authorization, 'Bearer file-token');
  t.is(opts.headers['Impersonate-User'], 'someone');
  t.false(kc.delegated);
});

test('insecure-skip-tls-verify turns certificate checks off', async (t) => {
  const file = write('insecure.yaml', {
    clusters: [{ name: 'c', cluster: { server: 'https://a:1', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  t.false((await optionsOf(LightKubeConfig.fromFile(file))).rejectUnauthorized);
});

test('in a pod, the ServiceAccount token is re-read on every use and the server comes from the environment', async (t) => {
  const sa = mkdtempSync(path.join(dir, 'sa-'));
  writeFileSync(path.join(sa, 'ca.crt'), 'SA-CA');
  writeFileSync(path.join(sa, 'token'), 'first\n');
  writeFileSync(path.join(sa, 'namespace'), 'sluice-system');
  const kc = LightKubeConfig.inCluster(
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    sa,
  );
  t.is(kc.getCurrentCluster()?.server, 'https://[fd00::1]:443');
  t.is(kc.getContextObject(kc.getCurrentContext())?.namespace, 'sluice-system');
  const first = await optionsOf(kc);
  t.is(first.headers.Authorization, 'Bearer first');
  t.is(String(first.ca as Buffer), 'SA-CA');
  writeFileSync(path.join(sa, 'token'), 'rotated\n');
  t.is((await optionsOf(kc)).headers.Authorization, 'Bearer rotated');
});

test('outside a pod without a kubeconfig, the error says what is missing', (t) => {
  const err = t.throws(() => LightKubeConfig.inCluster({}, dir), { instanceOf: ConfigError });
  t.regex(err.message, /KUBECONFIG is unset/);
});

test('a kubeconfig without a usable current context is refused with a ConfigError naming the file', (t) => {
  const noContext = write('no-context.yaml', {
    clusters: [],
    users: [],
    contexts: [],
    'current-context': 'gone',
  });
  t.regex(
    t.throws(() => LightKubeConfig.fromFile(noContext), { instanceOf: ConfigError }).message,
    /no current context/,
  );
  const noServer = write('no-server.yaml', {
    clusters: [{ name: 'c', cluster: {} }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  t.regex(
    t.throws(() => LightKubeConfig.fromFile(noServer), { instanceOf: ConfigError }).message,
    /has no server/,
  );
  const notYaml = write('not-yaml.yaml', '- just\n- a list\n');
  t.regex(
    t.throws(() => LightKubeConfig.fromFile(notYaml), { instanceOf: ConfigError }).message,
    /not a YAML mapping/,
  );
});

test('an exec plugin user is handed to @kubernetes/client-node and reaches the real API server', async (t) => {
  const doc = envKubeconfig();
  const token = String(doc.users[0]?.user.token);
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token },
  });
  const file = write('exec.yaml', {
    ...doc,
    users: [
      {
        name: doc.users[0]?.name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: process.execPath,
            args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
            interactiveMode: 'Never',
          },
        },
      },
    ],
  });
  const kc = LightKubeConfig.fromFile(file);
  t.true(kc.delegated);
  t.is((await optionsOf(kc)).headers.Authorization, `Bearer ${token}`);
  t.is(await namespacesVia(kc), 1);
});
