/**
 * @module runtime/kube/types
 * The shapes Sluice reads from and writes to the API server. Only the metadata fields the
 * runtime relies on are typed; spec and status stay `unknown` until a kind's validator narrows them.
 */

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly OwnerReference[];
}

/** Any Kubernetes object: full, or metadata only (PartialObjectMetadata). */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: unknown;
  readonly status?: unknown;
  readonly [field: string]: unknown;
}

/** A condition in the Kubernetes shape (metav1.Condition). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
}

export interface KubeList<K extends KubeObject = KubeObject> {
  readonly metadata: ListMeta;
  /** `null` in an empty PartialObjectMetadataList. */
  readonly items: readonly K[] | null;
}

/** Narrows an unknown JSON value to a {@link KubeObject} (an object with a metadata object). */
export function isKubeObject(v: unknown): v is KubeObject {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { metadata?: unknown }).metadata === 'object' &&
    (v as { metadata?: unknown }).metadata !== null
  );
}
