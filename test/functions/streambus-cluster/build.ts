/**
 * @module test/functions/streambus-cluster/build
 * Shared helpers of the StreamBusCluster unit tests: build every desired object of a spec (as the
 * reconciler does, without I/O) and drill into the results.
 */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isRecord, type KubeObject } from '../../../runtime/index.js';
import { desiredObjects, type DesiredObjects } from '../../../functions/streambus-cluster/desired.js';
import { parseSpec } from '../../../functions/streambus-cluster/parse.js';
import type { StatefulSetManifest } from '../../../functions/streambus-cluster/desired-statefulset.js';
import type { ClusterId } from '../../../functions/streambus-cluster/topology.js';

/** The cluster every unit test builds: `demo` in namespace `prod`. */
export const ID: ClusterId = {
  name: 'demo',
  namespace: 'prod',
  owner: { metadata: { name: 'demo', namespace: 'prod', uid: 'uid-1', generation: 1 } },
};

export interface Built {
  readonly desired: DesiredObjects;
  /** The broker configuration file, parsed. */
  readonly config: unknown;
  /** The raw text of the broker configuration file. */
  readonly configText: string;
  readonly sts: StatefulSetManifest;
  readonly pod: V1PodSpec;
  readonly container: V1Container;
}

/** Parses `raw` as the spec of `demo` and builds its desired objects. */
export function build(raw: Record<string, unknown> = {}): Built {
  const desired = desiredObjects(ID, parseSpec(raw, ID.name));
  const data = desired.configMap.data;
  const configText = isRecord(data) && typeof data['broker.yaml'] === 'string' ? data['broker.yaml'] : '';
  const pod = desired.statefulSet.spec.template.spec;
  const container = pod?.containers[0];
  if (!pod || !container) throw new Error('the StatefulSet has no pod template');
  return {
    desired,
    config: parse(configText) as unknown,
    configText,
    sts: desired.statefulSet,
    pod,
    container,
  };
}

/** Drills into a plain JSON value by keys and indexes; `undefined` when a step is missing. */
export function at(v: unknown, ...keys: (string | number)[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? (cur[k] as unknown) : undefined;
    else cur = isRecord(cur) ? cur[k] : undefined;
  }
  return cur;
}

/** The volume mount called `name` of the broker container. */
export function mount(b: Built, name: string): unknown {
  return b.container.volumeMounts?.find((m) => m.name === name);
}

/** The volume called `name` of the broker pods. */
export function volume(b: Built, name: string): unknown {
  return b.pod.volumes?.find((v) => v.name === name);
}

/** The container port called `name`. */
export function containerPort(b: Built, name: string): number | undefined {
  return b.container.ports?.find((p) => p.name === name)?.containerPort;
}

/** The port called `name` of a Service. */
export function servicePort(service: KubeObject, name: string): unknown {
  const ports = at(service, 'spec', 'ports');
  return Array.isArray(ports) ? ports.find((p) => isRecord(p) && p.name === name) : undefined;
}
