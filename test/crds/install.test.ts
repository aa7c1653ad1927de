/**
 * The CRDs install on the real API server: each becomes Established with its names accepted, the
 * server keeps exactly the schema of `crds/`, finds it structural, and publishes it in OpenAPI v3
 * (which the server does only for structural schemas).
 */
import test from 'ava';
import { crdNames, installCrds } from '../helpers/crds.js';
import { kubectl } from '../helpers/kube.js';
import { loadCrd, rootSchema, type SchemaNode } from './schema.js';

interface ServedCrd {
  readonly spec: {
    readonly versions: readonly { readonly schema: { readonly openAPIV3Schema: SchemaNode } }[];
  };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

async function served(name: string): Promise<ServedCrd> {
  return JSON.parse(await kubectl(['get', 'customresourcedefinition', name, '-o', 'json'])) as ServedCrd;
}

test.before(async () => {
  await installCrds();
});

test('installing twice in one process does the work once', async (t) => {
  const first = installCrds();
  t.is(installCrds(), first);
  await first;
});

for (const name of crdNames()) {
  test(`${name} is Established, its names accepted and its schema structural`, async (t) => {
    const crd = await served(name);
    const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
    t.is(conditions['Established'], 'True');
    t.is(conditions['NamesAccepted'], 'True');
    t.false('NonStructuralSchema' in conditions, 'the server found the schema non-structural');
  });

  test(`${name} is served with exactly the schema of crds/`, async (t) => {
    const crd = await served(name);
    t.deepEqual(crd.spec.versions[0]?.schema.openAPIV3Schema, rootSchema(loadCrd(name)));
  });
}

test('each group publishes every kind of Sluice in its OpenAPI v3 document', async (t) => {
  const kinds: Record<string, string[]> = {
    'streaming.tanzu.vmware.com': ['ClusterStream', 'Stream'],
    'streambus.io': ['StreamBusCluster'],
    'tawon.mantisnet.com': ['StreamStore', 'Stream', 'Directive'],
  };
  for (const [group, names] of Object.entries(kinds)) {
    const doc = JSON.parse(await kubectl(['get', '--raw', `/openapi/v3/apis/${group}/v1alpha1`])) as {
      components: { schemas: Record<string, SchemaNode> };
    };
    const reversed = group.split('.').reverse().join('.');
    for (const kind of names) {
      const published = doc.components.schemas[`${reversed}.v1alpha1.${kind}`];
      t.truthy(published?.properties?.['spec'], `${group} ${kind} is published with its spec`);
      t.truthy(published?.description, `${group} ${kind} is published with its description`);
    }
  }
});
