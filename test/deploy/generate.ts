/**
 * @module test/deploy/generate
 * The part of the Helm chart that the function declarations determine, generated from them
 * (`deploy/helm/sluice/templates/_generated.tpl`): each kind's queue and worker RBAC, the
 * dispatcher's read rules, and which resources are cluster-scoped. `node dist/test/deploy/cli.js
 * render` writes it; chart.test.ts fails when the checked-in file differs from what the
 * declarations produce.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AccessRule, FunctionDeclaration, KubeClient, ResourceType } from '../../runtime/index.js';
import { chartDir } from './chart.js';

export const GENERATED_TEMPLATE = path.join(chartDir, 'templates', '_generated.tpl');

/** A client for reading declarations: their controllers' watchers are built, never iterated. */
const UNUSED_CLIENT = new Proxy({} as KubeClient, {
  get(_t, prop) {
    throw new Error(`generating the chart used the kube client (${String(prop)})`);
  },
});

const flow = (items: readonly string[]): string => `[${items.map((i) => (i === '' ? '""' : i)).join(', ')}]`;

function rule(r: AccessRule, indent: string): string {
  return [
    `${indent}- apiGroups: ${flow(r.apiGroups)}`,
    `${indent}  resources: ${flow(r.resources)}`,
    `${indent}  verbs: ${flow(r.verbs)}`,
  ].join('\n');
}

/** What every function does with its own objects: read them, patch finalizers, write status. */
function ownRules(kind: ResourceType): AccessRule[] {
  return [
    { apiGroups: [kind.group], resources: [kind.plural], verbs: ['get', 'patch'] },
    {
      apiGroups: [kind.group],
      resources: [`${kind.plural}/status`, `${kind.plural}/finalizers`],
      verbs: ['update'],
    },
  ];
}

function kindsBlock(functions: readonly FunctionDeclaration[]): string {
  const out: string[] = [];
  for (const f of functions) {
    const k = f.kind;
    out.push(`${k.plural}.${k.group}:`, `  queue: ${JSON.stringify(k.queue)}`, '  rules:');
    for (const r of [...ownRules(k), ...(f.access.rules ?? [])]) out.push(rule(r, '    '));
    out.push(`  secrets: ${flow(f.access.secrets ?? [])}`);
    out.push(`  operatorSecrets: ${flow(f.access.operatorSecrets ?? [])}`);
  }
  return out.join('\n');
}

/** Every kind a declaration's controller watches: `read` for its own kind (the HTTP API reads it). */
function watchedKinds(f: FunctionDeclaration): { type: ResourceType; read: boolean }[] {
  const spec = f.controller(UNUSED_CLIENT);
  return [
    { type: f.kind, read: true },
    ...spec.owns.map((o) => ({ type: o.kind, read: false })),
    ...spec.watches.map((w) => ({ type: w.kind, read: false })),
    ...spec.streams.flatMap((s) => (s.stream.source ? [{ type: s.stream.source.type, read: false }] : [])),
  ];
}

function dispatcherBlock(functions: readonly FunctionDeclaration[]): string {
  // Per API group: the resources with list/watch, and those the HTTP API also gets.
  const groups = new Map<string, Map<string, boolean>>();
  for (const f of functions) {
    for (const { type, read } of watchedKinds(f)) {
      const g = groups.get(type.group) ?? new Map<string, boolean>();
      g.set(type.plural, (g.get(type.plural) ?? false) || read);
      groups.set(type.group, g);
    }
  }
  const rules: AccessRule[] = [];
  for (const [group, resources] of groups) {
    const read = [...resources].filter(([, r]) => r).map(([p]) => p);
    const watch = [...resources].filter(([, r]) => !r).map(([p]) => p);
    if (read.length)
      rules.push({ apiGroups: [group], resources: read.sort(), verbs: ['get', 'list', 'watch'] });
    if (watch.length) rules.push({ apiGroups: [group], resources: watch.sort(), verbs: ['list', 'watch'] });
  }
  return rules.map((r) => rule(r, '')).join('\n');
}

function clusterScopedBlock(functions: readonly FunctionDeclaration[]): string {
  const resources = new Set<string>();
  for (const f of functions) {
    for (const { type } of watchedKinds(f)) {
      if (type.namespaced) continue;
      resources.add(type.plural);
      if (type === f.kind) resources.add(`${type.plural}/status`).add(`${type.plural}/finalizers`);
    }
    for (const r of f.access.rules ?? []) if (r.clusterScoped) r.resources.forEach((x) => resources.add(x));
  }
  // The dispatcher's TokenReviews (the HTTP API's Kubernetes authentication) are cluster-scoped too.
  return flow([...resources, 'tokenreviews']);
}

/** The generated template's text. */
export function generatedTemplate(functions: readonly FunctionDeclaration[]): string {
  return [
    '{{/*',
    'Generated from the function declarations (functions/<kind>/index.ts) by',
    '`node dist/test/deploy/cli.js render`; do not edit. Each kind: its BullMQ queue, and what its',
    'worker does on the API server (its declaration says why); the dispatcher: what it watches;',
    'and the resources that are cluster-scoped (granted cluster-wide in every mode).',
    '*/}}',
    '{{- define "sluice.kinds" -}}',
    kindsBlock(functions),
    '{{- end }}',
    '',
    '{{- define "sluice.watchedRules" -}}',
    dispatcherBlock(functions),
    '{{- end }}',
    '',
    '{{- define "sluice.clusterScoped" -}}',
    clusterScopedBlock(functions),
    '{{- end }}',
    '',
  ].join('\n');
}

/** Writes the generated template. */
export function writeGeneratedTemplate(functions: readonly FunctionDeclaration[]): void {
  writeFileSync(GENERATED_TEMPLATE, generatedTemplate(functions));
}
