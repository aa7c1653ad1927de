/**
 * @module test/deploy/objects
 * Loose readers of rendered Kubernetes objects (pod specs, containers, RBAC rules) for the chart
 * tests: they check shapes and return plain values, so a test reads like the manifest.
 */
import { isRecord, type KubeObject } from '../../runtime/index.js';

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: unknown;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: EnvVar[];
  readonly envFrom?: unknown[];
  readonly ports?: unknown[];
  readonly livenessProbe?: unknown;
  readonly readinessProbe?: unknown;
  readonly securityContext?: unknown;
  readonly volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  readonly serviceAccountName?: string;
  readonly securityContext?: { runAsUser?: number; [k: string]: unknown };
  readonly containers?: Container[];
  readonly volumes?: { name: string; [k: string]: unknown }[];
}

export interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** The pod template's spec of a Deployment. */
export function podSpecOf(deployment: KubeObject): PodSpec {
  const spec = isRecord(deployment.spec) ? deployment.spec : {};
  const template = isRecord(spec.template) ? spec.template : {};
  return isRecord(template.spec) ? template.spec : {};
}

/** The containers of a Deployment's pods. */
export function containersOf(deployment: KubeObject): Container[] {
  return podSpecOf(deployment).containers ?? [];
}

/** The rules of a ClusterRole or Role. */
export function rulesOf(role: KubeObject): Rule[] {
  const rules: unknown = role.rules;
  return Array.isArray(rules) ? rules.filter(isRecord).map((r) => r as unknown as Rule) : [];
}
