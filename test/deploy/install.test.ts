/**
 * The plain manifests and the optional KEDA objects against the real API server: the committed
 * `deploy/manifests/` pass a server-side dry-run apply as they are, and the ScaledObjects and the
 * TriggerAuthentication the chart renders are accepted by KEDA's own CRDs (taken from the KEDA Go
 * module, through the Go module proxy).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { Builtin, environment, isRecord, type KubeObject } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { suffix } from '../helpers/env.js';
import { kubectl, useNamespace } from '../helpers/kube.js';
import { MANIFESTS_RELEASE, manifestsDir, parseObjects, renderChart } from './chart.js';
import { buildHelm } from '../env/build-helm.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

const execFileP = promisify(execFile);
const KEDA_MODULE = 'github.com/kedacore/keda/v2@v2.21.0';

/** The folder of KEDA's CRDs, from the module cache (downloaded through the Go module proxy once). */
async function kedaCrdDir(): Promise<string> {
  const { stdout } = await execFileP('go', ['mod', 'download', '-json', KEDA_MODULE], {
    env: { ...environment(), GOFLAGS: '-modcacherw' },
    maxBuffer: 4 << 20,
  });
  const info: unknown = JSON.parse(stdout);
  if (!isRecord(info) || typeof info.Dir !== 'string')
    throw new Error(`go mod download gave no Dir: ${stdout}`);
  return path.join(info.Dir, 'config', 'crd', 'bases');
}

test('the committed plain manifests pass a server-side dry-run apply as they are', async (t) => {
  await installCrds();
  const ns = MANIFESTS_RELEASE.namespace;
  if (!(await adminClient().get(Builtin.Namespace, undefined, ns))) await useNamespace(t, ns);
  for (const file of ['crds.yaml', 'rbac.yaml', 'sluice.yaml']) {
    const out = await kubectl([
      'apply',
      '--server-side',
      '--dry-run=server',
      '--force-conflicts',
      '--field-manager=sluice-deploy-test',
      '-f',
      path.join(manifestsDir, file),
    ]);
    const lines = out.trim().split('\n');
    t.true(lines.length > 0 && lines.every((l) => l.endsWith('serverside-applied (server dry run)')), out);
    t.log(`${file}: ${lines.length} objects accepted`);
  }
});

test("the chart's KEDA objects are accepted by KEDA's own CRDs", async (t) => {
  const dir = await kedaCrdDir();
  await kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=sluice-deploy-test',
    '-f',
    path.join(dir, 'keda.sh_scaledobjects.yaml'),
    '-f',
    path.join(dir, 'keda.sh_triggerauthentications.yaml'),
  ]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/scaledobjects.keda.sh',
    'crd/triggerauthentications.keda.sh',
  ]);
  const ns = await useNamespace(t, `t-keda-${suffix()}`);
  const objects = parseObjects(
    await renderChart({
      release: 'sluice',
      namespace: ns,
      values: { keda: { enabled: true, minReplicaCount: 0 } },
    }),
  ).filter((o) => o.apiVersion === 'keda.sh/v1alpha1');
  t.deepEqual(objects.map((o) => o.kind).sort(), [
    'ScaledObject',
    'ScaledObject',
    'ScaledObject',
    'TriggerAuthentication',
  ]);
  const out = await kubectl(
    ['apply', '--server-side', '--field-manager=sluice-deploy-test', '-o', 'yaml', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
  const stored = parse(out) as { items?: KubeObject[] };
  const scaled = (stored.items ?? []).filter((o) => o.kind === 'ScaledObject');
  t.is(scaled.length, 3);
  for (const so of scaled) {
    t.like(so.spec, { minReplicaCount: 0, scaleTargetRef: { name: so.metadata.name } });
  }
});
