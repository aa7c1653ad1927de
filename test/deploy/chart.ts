/**
 * @module test/deploy/chart
 * The Helm chart as the tests (and the render command) see it: `helm` built from the Go module
 * proxy, rendering with values, the chart's copy of the CRDs, and the plain manifests in
 * `deploy/manifests/` (the chart rendered with its defaults).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { buildHelm } from '../env/build-helm.js';
import { repoRoot } from '../env/paths.js';

const execFileP = promisify(execFile);

export const chartDir = path.join(repoRoot, 'deploy', 'helm', 'sluice');
export const chartCrdsDir = path.join(chartDir, 'crds');
export const repoCrdsDir = path.join(repoRoot, 'crds');
export const manifestsDir = path.join(repoRoot, 'deploy', 'manifests');

/** The release the plain manifests are rendered as. */
export const MANIFESTS_RELEASE = { release: 'sluice', namespace: 'sluice-system' } as const;
/** The values the plain manifests add to the defaults: the token Secret is created by the user. */
export const MANIFESTS_VALUES = { apiToken: { existingSecret: 'sluice-api-token' } } as const;

/** Runs the built `helm` with `args`; resolves its standard output. */
export async function helm(args: readonly string[]): Promise<string> {
  const bin = await buildHelm();
  const { stdout } = await execFileP(bin, [...args], {
    maxBuffer: 32 << 20,
    env: { HOME: os.tmpdir(), PATH: '/usr/bin:/bin', HELM_CACHE_HOME: path.join(os.tmpdir(), 'helm-cache') },
  });
  return stdout;
}

export interface RenderOptions {
  readonly release: string;
  readonly namespace: string;
  /** Values on top of the chart's defaults. */
  readonly values?: Record<string, unknown>;
  /** Put the CRDs (the chart's `crds/`) first. @defaultValue false */
  readonly includeCrds?: boolean;
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export async function renderChart(opts: RenderOptions): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-values-'));
  try {
    const file = path.join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(opts.values ?? {}));
    return await helm([
      'template',
      opts.release,
      chartDir,
      '--namespace',
      opts.namespace,
      '--values',
      file,
      ...(opts.includeCrds ? ['--include-crds'] : []),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The objects of a multi-document YAML text (empty documents left out). */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is KubeObject => isRecord(o) && isRecord(o.metadata));
}

/** The one object of `kind` named `name`; throws naming what was there instead. */
/** The namespace the chart tests render into. */
export const CHART_NAMESPACE = 'sluice-system';

/** Renders the chart with `values` (release `sluice` unless told) and parses the objects. */
export async function renderObjects(
  values: Record<string, unknown> = {},
  release = 'sluice',
): Promise<KubeObject[]> {
  return parseObjects(await renderChart({ release, namespace: CHART_NAMESPACE, values }));
}

export function pick(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    const have = objects.map((o) => `${String(o.kind)}/${o.metadata.name ?? ''}`).join(', ');
    throw new Error(`no ${kind}/${name} in the rendering; it has ${have}`);
  }
  return found;
}

/** The CRD file names of a folder, sorted. */
export function crdFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/** Copies the repository's `crds/` into the chart (the chart's copy is never edited by hand). */
export function syncChartCrds(): void {
  for (const f of crdFiles(chartCrdsDir)) {
    if (!crdFiles(repoCrdsDir).includes(f)) rmSync(path.join(chartCrdsDir, f));
  }
  for (const f of crdFiles(repoCrdsDir)) copyFileSync(path.join(repoCrdsDir, f), path.join(chartCrdsDir, f));
}

const HEADER = (what: string): string =>
  `# ${what} of Sluice, rendered from deploy/helm/sluice with its default values (release\n` +
  `# "${MANIFESTS_RELEASE.release}", namespace ${MANIFESTS_RELEASE.namespace}, the API token from the Secret\n` +
  `# ${MANIFESTS_VALUES.apiToken.existingSecret}). Generated: do not edit; see deploy/README.md to regenerate.\n`;

const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** Splits a rendering into its documents, keeping each one's text (and helm's `# Source:` line). */
function documents(text: string): string[] {
  return text
    .split(/^---\s*$/m)
    .map((d) => d.trim())
    .filter((d) => /^kind:/m.test(d));
}

function kindOf(doc: string): string {
  return /^kind:\s*(\S+)/m.exec(doc)?.[1] ?? '';
}

/** The plain manifests, by file name: `crds.yaml`, `rbac.yaml` and `sluice.yaml`. */
export async function renderManifests(): Promise<Record<string, string>> {
  const docs = documents(
    await renderChart({ ...MANIFESTS_RELEASE, values: { ...MANIFESTS_VALUES }, includeCrds: true }),
  );
  const join = (ds: string[]): string => ds.map((d) => `---\n${d}\n`).join('');
  return {
    'crds.yaml':
      HEADER('The CustomResourceDefinitions') +
      join(docs.filter((d) => kindOf(d) === 'CustomResourceDefinition')),
    'rbac.yaml': HEADER('The ServiceAccounts and RBAC') + join(docs.filter((d) => RBAC_KINDS.has(kindOf(d)))),
    'sluice.yaml':
      HEADER('The workloads and configuration') +
      join(docs.filter((d) => kindOf(d) !== 'CustomResourceDefinition' && !RBAC_KINDS.has(kindOf(d)))),
  };
}

/** The committed plain manifests, by file name. */
export function committedManifests(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(manifestsDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, readFileSync(path.join(manifestsDir, f), 'utf8')]),
  );
}

/** Writes the plain manifests. */
export async function writeManifests(): Promise<string[]> {
  const files = await renderManifests();
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(manifestsDir, f), text);
  return Object.keys(files);
}
