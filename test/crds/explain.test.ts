/**
 * `kubectl explain` shows the descriptions of `crds/` for nested fields of every kind, with the
 * enums and required markers a user needs.
 */
import test from 'ava';
import { installCrds } from '../helpers/crds.js';
import { kubectl } from '../helpers/kube.js';
import { loadCrd, nodeAt } from './schema.js';

test.before(async () => {
  await installCrds();
});

const fields: Readonly<Record<string, readonly string[]>> = {
  'clusterstreams.streaming.tanzu.vmware.com': [
    'spec.storage.server.protocol',
    'spec.storage.reclaimPolicy',
    'spec.claimRef.uid',
    'status.storageAddress.server',
  ],
  'streams.streaming.tanzu.vmware.com': [
    'spec.streamMode',
    'spec.storage.clusterStream',
    'spec.dataSchemaContext.schema.fields.watermark',
    'status.binding.name',
  ],
  'streambusclusters.streambus.io': [
    'spec.storage.raftSize',
    'spec.security.tls.clientAuthRequired',
    'spec.multiTenancy.tenantOverrides.quotas.maxBandwidthMBps',
    'spec.observability.tracing.samplingRate',
    'status.phase',
  ],
  'streamstores.tawon.mantisnet.com': [
    'spec.volumeClaimTemplate.spec.storageClassName',
    'spec.defaults.maxsize',
    'spec.limits.maxbytes',
    'spec.replicas',
  ],
  'streams.tawon.mantisnet.com': ['spec.store.name', 'spec.maxage', 'status.limits.maxbytes'],
  'directives.tawon.mantisnet.com': [
    'spec.condition.equal.field',
    'spec.tasks.config',
    'spec.streams.retentionPolicy',
    'status.streams.created',
  ],
};

/** Collapses the line wrapping and indentation of explain's output. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The schema path of an explain path: explain steps into list items implicitly. */
function schemaPath(name: string, explainPath: string): string {
  const crd = loadCrd(name);
  const steps: string[] = [];
  for (const step of explainPath.split('.')) {
    const here = [...steps, step].join('.');
    steps.push(
      nodeAt(crd, here).type === 'array' && nodeAt(crd, here).items?.type === 'object' ? `${step}[]` : step,
    );
  }
  return steps.join('.');
}

async function explain(name: string, field: string): Promise<string> {
  const crd = loadCrd(name);
  return kubectl([
    'explain',
    `${crd.spec.names.plural}.${field}`,
    `--api-version=${crd.spec.group}/v1alpha1`,
  ]);
}

for (const [name, paths] of Object.entries(fields)) {
  test(`kubectl explain shows the descriptions of nested ${name} fields`, async (t) => {
    for (const field of paths) {
      const out = await explain(name, field);
      const description = nodeAt(loadCrd(name), schemaPath(name, field)).description ?? '';
      t.true(description.length > 0, field);
      t.true(flat(out).includes(flat(description)), `${field}: explain shows\n${out}`);
    }
  });
}

test('kubectl explain lists enum values and required fields', async (t) => {
  const reclaim = await explain('clusterstreams.streaming.tanzu.vmware.com', 'spec.storage.reclaimPolicy');
  t.regex(reclaim, /ENUM:\s+Retain\s+Delete\s/);
  const spec = await explain('clusterstreams.streaming.tanzu.vmware.com', 'spec');
  t.regex(spec, /name\s+<string> -required-/);
  const phase = await explain('streambusclusters.streambus.io', 'status.phase');
  t.regex(phase, /ENUM:\s+Pending\s+Creating\s+Running\s+Updating\s+Degraded\s+Failed\s/);
  const storage = await explain('clusterstreams.streaming.tanzu.vmware.com', 'spec.storage');
  t.regex(storage, /reclaimPolicy\s+<string>\s+enum: Retain, Delete/);
});
