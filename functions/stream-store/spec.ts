/**
 * @module functions/stream-store/spec
 * The StreamStore spec (`tawon.mantisnet.com/v1alpha1`), with the seed's field names byte for
 * byte: `volumeClaimTemplate`, `persistentVolumeClaimRetentionPolicy`, `defaults.{maxsize, maxage,
 * maxbytes}`, `limits.{max, maxage, maxbytes}`; plus the Sluice extensions `image`, `replicas`
 * and `resources`.
 *
 * Every field is optional (as in the CRD). What Sluice fills in:
 * - the claim template's name: {@link DEFAULT_CLAIM_NAME};
 * - the claim's `accessModes`: `[ReadWriteOnce]`; its `resources.requests.storage`:
 *   {@link DEFAULT_STORAGE};
 * - `image`: {@link DEFAULT_IMAGE}; `replicas`: 1.
 *
 * Parsing checks the shape and every value (limits strictly, see `shared/tawon/units.ts`), so a
 * store that parses renders and its limits resolve.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  NotEquals,
  ValidateNested,
} from 'class-validator';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { parseWith } from '../../runtime/validation.js';
import { parseStoreLimits, type StoreLimits } from '../../shared/index.js';
import { parseStorageQuantity } from '../../shared/index.js';

/** The NATS image run when `spec.image` is not set. */
export const DEFAULT_IMAGE = 'nats:2.10-alpine';

/** Replica counts a store may run: one server, or a JetStream cluster of three. */
export const ALLOWED_REPLICAS = [1, 3] as const;

/** The claim template's name when the spec gives none. */
export const DEFAULT_CLAIM_NAME = 'data';

/** The claim's size when the spec gives none. */
export const DEFAULT_STORAGE = '10Gi';

/** The name of the configuration volume; a claim may not use it. */
export const CONFIG_VOLUME = 'nats-config';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class ClaimMetadata {
  /** The claim template's name: also the name of the volume mounted at the store directory. */
  @IsOptional()
  @Matches(DNS_LABEL, { message: 'must be a DNS label' })
  @NotEquals(CONFIG_VOLUME, { message: `must not be ${CONFIG_VOLUME}, the configuration volume` })
  readonly name?: string;

  @IsOptional()
  @IsObject()
  readonly labels?: Record<string, string>;

  @IsOptional()
  @IsObject()
  readonly annotations?: Record<string, string>;
}

export class ClaimTemplate {
  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimMetadata)
  readonly metadata?: ClaimMetadata;

  /** A PersistentVolumeClaimSpec, passed to the StatefulSet as written (plus the defaults above). */
  @IsOptional()
  @IsObject()
  readonly spec?: Record<string, unknown>;
}

export class ClaimRetentionPolicy {
  @IsOptional()
  @IsIn(['Retain', 'Delete'])
  readonly whenDeleted?: 'Retain' | 'Delete';

  @IsOptional()
  @IsIn(['Retain', 'Delete'])
  readonly whenScaled?: 'Retain' | 'Delete';
}

export class ResourceRequirements {
  @IsOptional()
  @IsObject()
  readonly requests?: Record<string, string | number>;

  @IsOptional()
  @IsObject()
  readonly limits?: Record<string, string | number>;
}

export class StreamStoreSpec {
  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimTemplate)
  readonly volumeClaimTemplate?: ClaimTemplate;

  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimRetentionPolicy)
  readonly persistentVolumeClaimRetentionPolicy?: ClaimRetentionPolicy;

  /** Stream defaults, read with `parseStoreLimits`. */
  @IsOptional()
  @IsObject()
  readonly defaults?: Record<string, unknown>;

  /** Hard stream limits, read with `parseStoreLimits`. */
  @IsOptional()
  @IsObject()
  readonly limits?: Record<string, unknown>;

  /** Sluice extension: the nats-server image. */
  @IsString()
  @IsNotEmpty()
  readonly image: string = DEFAULT_IMAGE;

  /** Sluice extension: 1 (the seed's single instance) or a clustered JetStream of 3. */
  @IsIn([...ALLOWED_REPLICAS])
  readonly replicas: number = 1;

  /** Sluice extension: CPU and memory of the nats-server container. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResourceRequirements)
  readonly resources?: ResourceRequirements;
}

/** The claim template as it is rendered: the spec's, with Sluice's defaults filled in. */
export interface EffectiveClaim {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly spec: Record<string, unknown>;
}

/** A StreamStore whose spec has been validated. */
export interface StreamStore extends KubeObject {
  readonly spec: StreamStoreSpec;
}

/** The claim template with the defaults filled in. */
export function effectiveClaim(spec: StreamStoreSpec): EffectiveClaim {
  const template = spec.volumeClaimTemplate;
  const written = template?.spec ?? {};
  const resources = isRecord(written.resources) ? written.resources : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const claimSpec: Record<string, unknown> = {
    ...written,
    accessModes: Array.isArray(written.accessModes) ? written.accessModes : ['ReadWriteOnce'],
    resources: { ...resources, requests: { ...requests, storage: requests.storage ?? DEFAULT_STORAGE } },
  };
  const meta = template?.metadata;
  return {
    name: meta?.name ?? DEFAULT_CLAIM_NAME,
    ...(meta?.labels ? { labels: { ...meta.labels } } : {}),
    ...(meta?.annotations ? { annotations: { ...meta.annotations } } : {}),
    spec: claimSpec,
  };
}

/** The claim's requested storage in bytes (it sizes JetStream's `max_file_store`). */
export function claimBytes(spec: StreamStoreSpec): number {
  const resources = effectiveClaim(spec).spec.resources;
  const storage =
    isRecord(resources) && isRecord(resources.requests) ? resources.requests.storage : undefined;
  return parseStorageQuantity(storage, 'spec.volumeClaimTemplate.spec.resources.requests.storage');
}

/** The store's parsed defaults and hard limits. */
export function storeLimits(spec: StreamStoreSpec): StoreLimits {
  return parseStoreLimits(spec);
}

/**
 * Validates a StreamStore read from the API server.
 * @throws TerminalError `InvalidSpec` for a malformed spec, `InvalidLimit` for a malformed limit.
 */
export function parseStreamStore(obj: KubeObject): StreamStore {
  const spec = parseWith(StreamStoreSpec, obj.spec, 'spec');
  claimBytes(spec);
  storeLimits(spec);
  return { ...obj, spec };
}
