/**
 * @module test/env/build
 * Builds or fetches every server binary the environment runs, into the cache, through package
 * registries only: the Go module proxy (Kubernetes, etcd, kwok), Maven Central (Kafka) and Debian
 * (Redis, NATS). Each step is skipped when its output is already in the cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { environment } from '../../runtime/config.js';
import { buildDir, cacheDir } from './paths.js';
import { buildHelm } from './build-helm.js';
import { run } from './proc.js';

export const VERSIONS = {
  kubernetes: 'v1.34.10',
  etcd: 'v3.6.4',
  kwok: 'v0.8.0',
  kafka: '4.1.1',
} as const;

const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '-modcacherw', CGO_ENABLED: '0' };

export const bins = {
  k8sDir: path.join(cacheDir, `k8s-${VERSIONS.kubernetes}`),
  etcd: path.join(cacheDir, `etcd-${VERSIONS.etcd}`, 'etcd'),
  kwok: path.join(cacheDir, `kwok-${VERSIONS.kwok}`, 'kwok'),
  kafkaLib: path.join(cacheDir, `kafka-${VERSIONS.kafka}`, 'lib'),
  debRoot: path.join(cacheDir, 'debian-root'),
  k8s(name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl'): string {
    return path.join(this.k8sDir, name);
  },
};

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds a program on PATH. */
export function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** kube-apiserver, -controller-manager, -scheduler and kubectl, from k8s.io/kubernetes via a wrapper module. */
export async function buildKubernetes(): Promise<void> {
  const names = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;
  if (names.every((n) => isFile(bins.k8s(n)))) return;
  const v = VERSIONS.kubernetes;
  const minor = v.split('.')[1] ?? '0';
  const stamp: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    stamp.push(`-X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}`);
    stamp.push(`-X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z`);
  }
  const tmp = `${bins.k8sDir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run(
    'build-kubernetes',
    'go',
    [
      'build',
      '-mod=mod',
      '-p',
      '2',
      '-trimpath',
      '-tags=selinux,notest,grpcnotrace',
      '-ldflags',
      `-s -w ${stamp.join(' ')}`,
      '-o',
      `${tmp}/`,
      ...names.map((n) => `k8s.io/kubernetes/cmd/${n}`),
    ],
    { cwd: path.join(buildDir, 'k8s'), env: goEnv },
  );
  rmSync(bins.k8sDir, { recursive: true, force: true });
  renameSync(tmp, bins.k8sDir);
}

/** etcd, from go.etcd.io/etcd/server/v3 via its own wrapper module (so it keeps its own dependency versions). */
export async function buildEtcd(): Promise<void> {
  if (isFile(bins.etcd)) return;
  mkdirSync(path.dirname(bins.etcd), { recursive: true });
  await run(
    'build-etcd',
    'go',
    [
      'build',
      '-mod=mod',
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      `${bins.etcd}.partial`,
      'go.etcd.io/etcd/server/v3',
    ],
    { cwd: path.join(buildDir, 'etcd'), env: goEnv },
  );
  renameSync(`${bins.etcd}.partial`, bins.etcd);
}

/** kwok, installed from the Go module proxy. */
export async function buildKwok(): Promise<void> {
  if (isFile(bins.kwok)) return;
  const dir = path.dirname(bins.kwok);
  mkdirSync(dir, { recursive: true });
  await run(
    'build-kwok',
    'go',
    ['install', '-trimpath', '-ldflags', '-s -w', `sigs.k8s.io/kwok/cmd/kwok@${VERSIONS.kwok}`],
    {
      env: { ...goEnv, GOBIN: dir },
    },
  );
}

/** The kwok module's stage definitions, from the Go module cache that installing kwok filled. */
export function kwokStagesDir(): string {
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(modcache, `sigs.k8s.io/kwok@${VERSIONS.kwok}`, 'kustomize', 'stage');
  if (!existsSync(dir)) {
    execFileSync('go', ['mod', 'download', `sigs.k8s.io/kwok@${VERSIONS.kwok}`], {
      env: { ...environment(), ...goEnv },
    });
  }
  return dir;
}

/** The Kafka broker's jars, from Maven Central. */
export async function fetchKafka(): Promise<void> {
  if (existsSync(bins.kafkaLib) && readdirSync(bins.kafkaLib).some((f) => f.startsWith('kafka_2.13-')))
    return;
  const tmp = `${bins.kafkaLib}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  await run('fetch-kafka', 'mvn', [
    '-B',
    '-q',
    '-f',
    path.join(buildDir, 'kafka', 'pom.xml'),
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
  ]);
  rmSync(bins.kafkaLib, { recursive: true, force: true });
  renameSync(tmp, bins.kafkaLib);
}

/** Debian packages fetched (not installed) when their programs are not on PATH. */
const DEBIAN_PACKAGES = ['redis-server', 'redis-tools', 'liblzf1', 'libjemalloc2', 'nats-server'];

/**
 * Finds `redis-server` and `nats-server`: on PATH when installed, else extracted from Debian's
 * packages into the cache with `apt-get download` and `dpkg-deb -x` (no maintainer scripts run,
 * so no daemon starts on the default ports).
 */
export async function debianPrograms(): Promise<{
  redisServer: string;
  natsServer: string;
  libraryPath?: string;
}> {
  const redis = which('redis-server');
  const nats = which('nats-server');
  if (redis && nats) return { redisServer: redis, natsServer: nats };
  const root = bins.debRoot;
  const redisCached = path.join(root, 'usr', 'bin', 'redis-server');
  const natsCached = path.join(root, 'usr', 'sbin', 'nats-server');
  if (!isFile(redisCached) || !isFile(natsCached)) {
    const debs = path.join(cacheDir, 'debs');
    mkdirSync(debs, { recursive: true });
    await run('fetch-debian', 'apt-get', ['download', ...DEBIAN_PACKAGES], { cwd: debs });
    for (const f of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
      await run('fetch-debian', 'dpkg-deb', ['-x', path.join(debs, f), root]);
    }
  }
  return {
    redisServer: redis ?? redisCached,
    natsServer: nats ?? natsCached,
    libraryPath: path.join(root, 'usr', 'lib', 'x86_64-linux-gnu'),
  };
}

/** Builds or fetches everything: the network-bound fetches run beside the CPU-bound Go builds. */
export async function buildAll(progress: (msg: string) => void): Promise<void> {
  const timed = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    const t0 = Date.now();
    await step();
    progress(`${what} ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  };
  const fetches = Promise.all([timed('kafka jars', fetchKafka), timed('redis and nats', debianPrograms)]);
  await timed('kubernetes binaries', buildKubernetes);
  await timed('etcd', buildEtcd);
  await timed('kwok', buildKwok);
  await timed('helm', buildHelm);
  await fetches;
}
