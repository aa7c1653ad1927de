/**
 * @module bench/lib/nack
 * NACK, the nats-io JetStream controller, as the peer of `jetstream-1000`: its
 * `cmd/jetstream-controller` at {@link NACK_VERSION}, with its own CRDs (`deploy/crds.yml`) and
 * default settings (the informer-based controller, no `--control-loop`).
 *
 * Where the binary comes from, first that works:
 * 1. the cache (`<cache>/nack-<version>/jetstream-controller`, with `crds.yml` beside it);
 * 2. `go install github.com/nats-io/nack/cmd/jetstream-controller@<version>` from the Go module
 *    proxy (its go.mod has no replace directive, so no wrapper module is needed);
 * 3. `go mod download <module>@<version>` and `go build` inside the downloaded module, with its own
 *    go.mod/go.sum: where the proxy serves the module's zip but refuses its version list (403), which
 *    `go install` reads for deprecation notices and fails on;
 * 4. `--nack-src <dir>`: a checkout of the same tag, built the same way (its dependencies still
 *    come from the Go module proxy). Used where the proxy refuses the module itself.
 * The CRDs (`deploy/crds.yml` of the same version) are copied into the cache beside the binary.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { environment } from '../../runtime/config.js';
import { cacheDir, logsDir } from '../../test/env/paths.js';
import { run } from '../../test/env/proc.js';
import { testEnv } from '../../test/helpers/env.js';
import { kubectl } from '../../test/helpers/kube.js';
import { startProgram, stopChild } from './procs.js';

export const NACK_VERSION = 'v0.22.4';
const MODULE = 'github.com/nats-io/nack';
const binDir = path.join(cacheDir, `nack-${NACK_VERSION}`);
const binary = path.join(binDir, 'jetstream-controller');
const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '-modcacherw', CGO_ENABLED: '0' };

function moduleCacheDir(): string {
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return path.join(modcache, `${MODULE}@${NACK_VERSION}`);
}

export interface Nack {
  readonly binary: string;
  /** `deploy/crds.yml` of the same version. */
  readonly crds: string;
}

/** Builds `./cmd/jetstream-controller` of the module in `dir` with its own go.mod/go.sum, CRDs beside it. */
async function buildIn(dir: string, log: string): Promise<Nack> {
  const crds = path.join(binDir, 'crds.yml');
  await run(
    log,
    'go',
    ['build', '-trimpath', '-ldflags', '-s -w', '-o', binary, './cmd/jetstream-controller'],
    {
      cwd: dir,
      env: goEnv,
    },
  );
  copyFileSync(path.join(dir, 'deploy', 'crds.yml'), crds);
  return { binary, crds };
}

/** The directory of the module downloaded into the module cache (`go mod download -json`). */
function downloadedModule(): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${NACK_VERSION}`], {
    encoding: 'utf8',
    cwd: binDir,
    env: { ...environment(), ...goEnv },
  });
  const dir: unknown = (JSON.parse(out) as Record<string, unknown>).Dir;
  if (typeof dir !== 'string' || dir === '') throw new Error(`go mod download named no directory: ${out}`);
  return dir;
}

/** Finds or builds NACK (see the module documentation for the order); its CRDs are kept beside it. */
export async function ensureNack(sourceDir?: string): Promise<Nack> {
  mkdirSync(binDir, { recursive: true });
  const crds = path.join(binDir, 'crds.yml');
  if (existsSync(binary) && existsSync(crds)) return { binary, crds };
  const failures: string[] = [];
  try {
    await run(
      'bench-nack-install',
      'go',
      ['install', '-trimpath', '-ldflags', '-s -w', `${MODULE}/cmd/jetstream-controller@${NACK_VERSION}`],
      { env: { ...goEnv, GOBIN: binDir } },
    );
    copyFileSync(path.join(moduleCacheDir(), 'deploy', 'crds.yml'), crds);
    return { binary, crds };
  } catch (err) {
    failures.push(`go install: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  try {
    return await buildIn(downloadedModule(), 'bench-nack-build');
  } catch (err) {
    failures.push(
      `go mod download + build: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
    if (!sourceDir) {
      throw new Error(
        `NACK ${NACK_VERSION} could not be obtained from the Go module proxy (${failures.join('; ')}; ` +
          `see .sluice/logs/bench-nack-*.log); pass --nack-src <checkout of ${MODULE} at ${NACK_VERSION}> to build it from source`,
        { cause: err },
      );
    }
  }
  return buildIn(sourceDir, 'bench-nack-build');
}

/** Installs NACK's CRDs; returns whether they were absent before (so cleanup removes only what it added). */
export async function installNackCrds(nack: Nack): Promise<boolean> {
  const existed = await kubectl([
    'get',
    'crd',
    'streams.jetstream.nats.io',
    '--ignore-not-found',
    '-o',
    'name',
  ]);
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', nack.crds]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/streams.jetstream.nats.io']);
  return existed.trim() === '';
}

export async function removeNackCrds(nack: Nack): Promise<void> {
  await kubectl(['delete', '--ignore-not-found', '--wait=true', '-f', nack.crds]);
}

/** Runs the controller with default settings against `natsUrl`, watching `namespace` only. */
export function startNack(
  nack: Nack,
  natsUrl: string,
  namespace: string,
): { pid: number; stop: () => Promise<void> } {
  const child = startProgram(
    nack.binary,
    ['-s', natsUrl, '--namespace', namespace, '--health-probe-bind-address', '127.0.0.1:0'],
    path.join(logsDir, 'bench-nack.log'),
    { KUBECONFIG: testEnv().kubeconfig },
  );
  return { pid: child.pid ?? 0, stop: () => stopChild(child, 10_000) };
}
