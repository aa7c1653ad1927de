/**
 * @module test/shared/kube/rest
 * The REST layer against the real API server: calls go over HTTP/2 where the server offers it
 * (HTTP/1.1 otherwise), a kubeconfig's `tls-server-name` reaches the TLS handshake, and a watch
 * delivers non-ASCII text byte-identical however the stream is chunked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { parse, stringify } from 'yaml';
import {
  Builtin,
  KubeApiError,
  KubeRest,
  LightKubeConfig,
  type KubeClient,
  type KubeObject,
} from '../../../runtime/index.js';
import { makeTestPki } from '../../env/private-tls.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { useNamespace } from '../../helpers/kube.js';

interface EnvKubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority': string } }[];
  users: { user: { token: string } }[];
}

const TLS_NAME = 'kube.sluice.test';

/**
 * A TLS-terminating proxy in front of the real API server that presents a certificate valid only
 * for {@link TLS_NAME} (no IP address), signed by a CA of its own.
 */
async function nameOnlyProxy(t: ExecutionContext): Promise<{ port: number; caPath: string }> {
  const env = parse(readFileSync(testEnv().kubeconfig, 'utf8')) as EnvKubeconfig;
  const upstream = new URL(env.clusters[0]?.cluster.server ?? '');
  const upstreamCa = readFileSync(env.clusters[0]?.cluster['certificate-authority'] ?? '');
  const pki = await makeTestPki({ altNames: [`DNS:${TLS_NAME}`] });
  t.teardown(() => pki.remove());
  const server = tls.createServer(
    { cert: readFileSync(pki.serverCertPath), key: readFileSync(pki.serverKeyPath) },
    (client) => {
      const api = tls.connect({ host: upstream.hostname, port: Number(upstream.port), ca: upstreamCa });
      client.pipe(api).pipe(client);
      const end = (): void => {
        client.destroy();
        api.destroy();
      };
      client.on('error', end);
      api.on('error', end);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, caPath: pki.caPath };
}

function kubeconfigFile(dir: string, name: string, cluster: Record<string, unknown>): string {
  const env = parse(readFileSync(testEnv().kubeconfig, 'utf8')) as EnvKubeconfig;
  const file = path.join(dir, name);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user: { token: env.users[0]?.user.token } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

async function version(file: string, protocols: string[] = []): Promise<string> {
  const rest = new KubeRest(LightKubeConfig.fromFile(file));
  try {
    const answer = await rest.request<{ gitVersion: string }>({ path: '/version', timeoutMs: 10_000 });
    protocols.push(rest.protocol ?? 'none');
    return answer.gitVersion;
  } finally {
    rest.close();
  }
}

test('calls go over HTTP/2 when the API server offers it, and keep working across many at once', async (t) => {
  const rest = new KubeRest(LightKubeConfig.fromFile(testEnv().kubeconfig));
  t.teardown(() => rest.close());
  t.is(rest.protocol, undefined, 'nothing negotiated before the first call');
  const answers = await Promise.all(
    Array.from({ length: 40 }, () => rest.request<{ gitVersion: string }>({ path: '/version' })),
  );
  t.is(rest.protocol, 'h2');
  t.true(answers.every((a) => /^v1\./.test(a.gitVersion)));
  const missing = await t.throwsAsync(rest.request({ path: '/api/v1/namespaces/no-such-namespace-h2' }));
  t.true(missing instanceof KubeApiError && missing.isNotFound, 'an error status is still a KubeApiError');
});

test('tls-server-name is the name the API server certificate is verified against', async (t) => {
  const proxy = await nameOnlyProxy(t);
  const dir = path.dirname(proxy.caPath);
  const server = `https://127.0.0.1:${proxy.port}`;
  const named = kubeconfigFile(dir, 'named.yaml', {
    server,
    'certificate-authority': proxy.caPath,
    'tls-server-name': TLS_NAME,
  });
  const protocols: string[] = [];
  t.regex(
    await version(named, protocols),
    /^v1\./,
    'verified against the name, through to the real API server',
  );
  // The proxy terminates TLS without offering HTTP/2: the calls fall back to HTTP/1.1.
  t.deepEqual(protocols, ['http/1.1']);

  // Without the name, the same certificate does not match the address dialed: the check is real.
  const unnamed = kubeconfigFile(dir, 'unnamed.yaml', { server, 'certificate-authority': proxy.caPath });
  const err = await t.throwsAsync(version(unnamed));
  t.regex(err?.message ?? '', /altnames|IP: 127\.0\.0\.1/i);
});

test('a watched object with a large non-ASCII annotation arrives byte-identical', async (t) => {
  const ns = await useNamespace(t, isolation('rest-utf8').namespace);
  // Three- and four-byte characters, long enough to span many chunks of the HTTP stream.
  const text = 'Zürich–東京–🚀'.repeat(4000);
  const kube: KubeClient = adminClient();
  const watch = kube.watch(Builtin.ConfigMap, ns, { timeoutSeconds: 30 });
  const created = kube.create(Builtin.ConfigMap, {
    metadata: { name: 'utf8', namespace: ns, annotations: { text } },
  });
  let seen: string | undefined;
  for await (const raw of watch) {
    const event = raw as { type?: string; object?: KubeObject };
    if (event.type === 'ADDED' && event.object?.metadata.name === 'utf8') {
      seen = event.object.metadata.annotations?.text;
      break;
    }
  }
  await created;
  t.is(seen?.length, text.length);
  t.true(seen === text, 'no character was replaced by U+FFFD');
});

test('a write into a namespace that does not exist fails with details naming the namespace', async (t) => {
  const missing = isolation('rest-no-namespace').namespace;
  const err = await t.throwsAsync(
    adminClient().apply(Builtin.Secret, { metadata: { name: 'x', namespace: missing } }),
  );
  t.true(err instanceof KubeApiError && err.isNamespaceNotFound, String(err));
  t.is((err as KubeApiError).details.name, missing);
  const objectMissing = await t.throwsAsync(
    adminClient().patch(Builtin.Secret, 'default', 'no-such-secret', { data: {} }),
  );
  t.false(objectMissing instanceof KubeApiError && objectMissing.isNamespaceNotFound);
});
