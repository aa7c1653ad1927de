/**
 * @module runtime/registry
 * The kind registry: every kind Sluice reconciles, with what its REST paths and its queue are
 * built from. The dispatcher, the worker host, the HTTP API and the CLI all look kinds up here.
 */
import { ConfigError } from './errors.js';
import { kindKey, queueName } from './kube/keys.js';
import { apiVersionOf, parseApiVersion, type ResourceType } from './kube/resources.js';

export interface KindInfo extends ResourceType {
  /** The BullMQ queue of the kind: `{<kind>.<group>}` (the braces keep a queue on one Redis Cluster slot). */
  readonly queue: string;
}

/** Completes a resource type into a kind with its queue name. */
export function defineKind(t: ResourceType): KindInfo {
  return { ...t, queue: queueName(t) };
}

export class KindRegistry {
  private readonly byKey = new Map<string, KindInfo>();

  constructor(kinds: readonly KindInfo[]) {
    for (const k of kinds) {
      const key = kindKey(k);
      if (this.byKey.has(key)) throw new ConfigError(`kind ${key} is registered twice`);
      this.byKey.set(key, k);
    }
  }

  all(): readonly KindInfo[] {
    return [...this.byKey.values()];
  }

  get(group: string, kind: string): KindInfo | undefined {
    return this.byKey.get(kindKey({ group, kind }));
  }

  /** Finds a kind by `apiVersion` and `kind`; the version must be the one served. */
  byApiVersion(apiVersion: string, kind: string): KindInfo | undefined {
    const { group, version } = parseApiVersion(apiVersion);
    const k = this.get(group, kind);
    return k && k.version === version ? k : undefined;
  }

  /** Finds a kind by group and plural (as in REST paths); the group may be omitted when unambiguous. */
  byPlural(plural: string, group?: string): KindInfo | undefined {
    const found = this.all().filter((k) => k.plural === plural && (group === undefined || k.group === group));
    return found.length === 1 ? found[0] : undefined;
  }

  /** Finds a kind by its queue name. */
  byQueue(queue: string): KindInfo | undefined {
    return this.all().find((k) => k.queue === queue);
  }

  /** A human name for messages: `Stream.tawon.mantisnet.com/v1alpha1`. */
  static describe(k: KindInfo): string {
    return `${k.kind}.${apiVersionOf(k)}`;
  }
}
