/**
 * Objects that use every spec and status field of each kind (examples.ts) round-trip through the
 * API server unchanged: no field is pruned, none is altered, so whatever a user or the operator
 * writes is what the other side reads.
 */
import test from 'ava';
import { stringify } from 'yaml';
import { isolation, uniqueName } from '../helpers/env.js';
import { installCrds } from '../helpers/crds.js';
import { useNamespace } from '../helpers/kube.js';
import { examples } from './examples.js';
import { apply, getObject, patchStatus, remove } from './objects.js';
import { loadCrd, nodeAt, type SchemaNode, withDefaults } from './schema.js';

/** The property paths a schema declares, not descending into maps' values. */
function declared(node: SchemaNode, at: string, out: Set<string>): Set<string> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = `${at}.${key}`;
    out.add(path);
    declared(child, path, out);
  }
  if (node.items) declared(node.items, `${at}[]`, out);
  return out;
}

/** The declared property paths that `value` sets. */
function used(node: SchemaNode, value: unknown, at: string, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    const items = node.items;
    if (items) for (const v of value) used(items, v, `${at}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const child = node.properties?.[key];
      if (!child) continue;
      out.add(`${at}.${key}`);
      used(child, v, `${at}.${key}`, out);
    }
  }
  return out;
}

for (const [name, list] of Object.entries(examples)) {
  test(`the examples of ${name} use every spec and status field`, (t) => {
    const crd = loadCrd(name);
    for (const part of ['spec', 'status'] as const) {
      const schema = nodeAt(crd, part);
      const seen = new Set<string>();
      for (const ex of list) used(schema, ex[part], part, seen);
      t.deepEqual(
        [...declared(schema, part, new Set())].filter((p) => !seen.has(p)),
        [],
        `${part} fields no example uses`,
      );
    }
  });

  test(`every spec and status field of ${name} is kept by the server`, async (t) => {
    await installCrds();
    const crd = loadCrd(name);
    const namespaced = crd.spec.scope === 'Namespaced';
    const namespace = namespaced
      ? await useNamespace(t, isolation(`all-${crd.spec.names.singular}`).namespace)
      : undefined;
    for (const [i, ex] of list.entries()) {
      const objName = namespaced ? `example-${i}` : uniqueName(`example-${i}`);
      if (!namespaced) t.teardown(() => remove(name, objName));
      const object = {
        apiVersion: `${crd.spec.group}/v1alpha1`,
        kind: crd.spec.names.kind,
        metadata: { name: objName },
        spec: ex.spec,
      };
      await apply(stringify(object), namespace);
      if (Object.keys(ex.status).length > 0) await patchStatus(name, objName, namespace, ex.status);
      const stored = await getObject(name, objName, namespace);
      t.deepEqual(stored.spec, withDefaults(nodeAt(crd, 'spec'), ex.spec), `example ${i}: spec`);
      if (Object.keys(ex.status).length > 0) t.deepEqual(stored.status, ex.status, `example ${i}: status`);
    }
  });
}
