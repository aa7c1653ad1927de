/**
 * @module test/helpers/crds
 * Installs Sluice's CustomResourceDefinitions (the YAML files of `crds/`) on the test API server,
 * so that any test can create the six kinds. The API server is shared by every test process, so
 * installing is idempotent (server-side apply) and never deletes anything.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../env/paths.js';
import { kubectl } from './kube.js';

/** The folder of the CRD files, one `<plural>.<group>.yaml` per kind. */
export const crdsDir: string = path.join(repoRoot, 'crds');

/** The field manager of the CRDs on the server, distinct from the operator's own (`sluice`). */
const FIELD_MANAGER = 'sluice-crds';

/** The names of the CRDs in `crds/`, taken from the file names (`<plural>.<group>`), sorted. */
export function crdNames(): string[] {
  return readdirSync(crdsDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

let installing: Promise<void> | undefined;

/**
 * Applies every CRD of `crds/` with the environment's kubectl (`apply --server-side
 * --force-conflicts`) and waits until each one is Established, so its kinds are served.
 *
 * Guarantees:
 * 1. Memoised per process: the first call does the work, later calls share its promise.
 * 2. A failed install is not memoised, so the next call tries again.
 * 3. Safe to run from several processes at once: applying the same files twice changes nothing.
 *
 * @throws the kubectl error, with its stderr, when a CRD is refused or does not become Established in 60 s.
 */
export function installCrds(): Promise<void> {
  installing ??= install().catch((err: unknown) => {
    installing = undefined;
    throw err;
  });
  return installing;
}

async function install(): Promise<void> {
  await kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    `--field-manager=${FIELD_MANAGER}`,
    '-f',
    crdsDir,
  ]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...crdNames().map((name) => `customresourcedefinition/${name}`),
  ]);
}
