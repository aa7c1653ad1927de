/**
 * @module test/env/build-helm
 * The `helm` binary the chart tests use, built from the Go module proxy (`helm.sh/helm/v3/cmd/helm`)
 * into the build cache, once. Helm's go.mod has no replace directives, so `go install pkg@version`
 * builds it as released, without a wrapper module.
 */
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './paths.js';
import { run } from './proc.js';

export const HELM_VERSION = 'v3.22.0';

/** Where the built `helm` lives. */
export const helmPath = path.join(cacheDir, `helm-${HELM_VERSION}`, 'helm');

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

let building: Promise<string> | undefined;

/**
 * Builds `helm` unless the cache has it (about three minutes on two cores the first time).
 * @returns the path of the binary.
 */
export function buildHelm(): Promise<string> {
  building ??= (async () => {
    if (isFile(helmPath)) return helmPath;
    const dir = path.dirname(helmPath);
    const tmp = `${dir}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await run(
      'build-helm',
      'go',
      [
        'install',
        '-p',
        '2',
        '-trimpath',
        '-ldflags',
        `-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
        `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
      ],
      { env: { GOTOOLCHAIN: 'local', GOFLAGS: '-modcacherw', CGO_ENABLED: '0', GOBIN: tmp } },
    );
    // Another process may have finished first: its binary stays, this one is dropped.
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      if (!isFile(helmPath)) throw new Error(`build-helm: ${helmPath} is missing after the build`);
    }
    return helmPath;
  })();
  return building;
}
