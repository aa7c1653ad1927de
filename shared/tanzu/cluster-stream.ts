/**
 * @module tanzu/cluster-stream
 * The ClusterStream (`streaming.tanzu.vmware.com/v1alpha1`) as both reconcilers read it: the spec
 * classes (field names byte for byte as in the Streaming Runtime CRD, plus Sluice's extensions
 * `partitions`, `replicationFactor`, `config` and `claimRef`) and the status shape.
 *
 * Shape checks only: what a value means for a broker (a supported protocol, a legal topic name, a
 * NATS setting) is checked by the ClusterStream reconciler, which reports it as a condition.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { Condition, KubeObject } from '../../runtime/kube/types.js';
import type { ClaimStatus } from '../ownership/claim-status.js';
import { isRecord } from '../../runtime/util.js';
import { parseWith } from '../../runtime/validation.js';
import type { StorageAddress } from './storage-address.js';
import { IsStringMap } from './validators.js';

/** The stream modes the CRDs allow. */
export const STREAM_MODES = ['read', 'write'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/** What happens to the topic once its ClusterStream is released or deleted. */
export const RECLAIM_POLICIES = ['Retain', 'Delete'] as const;
export type ReclaimPolicy = (typeof RECLAIM_POLICIES)[number];

/** The protocols Sluice provisions topics for. */
export const SUPPORTED_PROTOCOLS = ['kafka', 'nats', 'rabbitmq'] as const;
export type Protocol = (typeof SUPPORTED_PROTOCOLS)[number];

/** Whether Sluice can provision topics for `protocol`. */
export function isSupportedProtocol(protocol: string | undefined): protocol is Protocol {
  return SUPPORTED_PROTOCOLS.some((p) => p === protocol);
}

/** The broker holding the topic. */
export class ServerSpec {
  @IsOptional()
  @IsString()
  readonly url?: string;

  @IsOptional()
  @IsString()
  readonly protocol?: string;

  @IsOptional()
  @IsString()
  readonly binding?: string;
}

export class StorageSpec {
  @IsOptional()
  @ValidateNested()
  @Type(() => ServerSpec)
  readonly server?: ServerSpec;

  @IsOptional()
  @IsStringMap()
  readonly attributes?: Record<string, string>;

  /** @defaultValue `Retain` (the CRD defaults it too) */
  @IsIn(RECLAIM_POLICIES)
  readonly reclaimPolicy: ReclaimPolicy = 'Retain';
}

/** The one Stream bound to a ClusterStream, as a PersistentVolume's `claimRef`. */
export class ClaimRefSpec {
  @IsOptional()
  @IsString()
  readonly namespace?: string;

  @IsOptional()
  @IsString()
  readonly name?: string;

  @IsOptional()
  @IsString()
  readonly uid?: string;
}

export class ClusterStreamSpec {
  /** The topic (Kafka) or stream subject (NATS). */
  @IsString()
  @MinLength(1)
  readonly name!: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly keys?: string[];

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(STREAM_MODES, { each: true })
  readonly streamModes?: StreamMode[];

  @ValidateNested()
  @Type(() => StorageSpec)
  readonly storage: StorageSpec = new StorageSpec();

  /** @defaultValue 1 (the CRD defaults it too) */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readonly partitions: number = 1;

  /** @defaultValue 1 (the CRD defaults it too) */
  @IsInt()
  @Min(1)
  @Max(32_767)
  readonly replicationFactor: number = 1;

  @IsOptional()
  @IsStringMap()
  readonly config?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimRefSpec)
  readonly claimRef?: ClaimRefSpec;
}

/** PersistentVolume-style binding phase. */
export type ClusterStreamPhase = 'Available' | 'Bound' | 'Released' | 'Failed';

/** `status` of a ClusterStream as Sluice writes it. */
export interface ClusterStreamStatus {
  readonly phase?: ClusterStreamPhase;
  readonly binding?: { readonly name: string };
  readonly storageAddress?: StorageAddress;
  readonly conditions?: readonly Condition[];
  readonly observedGeneration?: number;
  readonly topicName?: string;
  readonly partitions?: number;
  /** The BrokerClaim of the topic: whether this ClusterStream owns it, and who does. */
  readonly claim?: ClaimStatus;
}

/** A ClusterStream with its spec parsed. */
export interface ClusterStream extends KubeObject {
  readonly spec: ClusterStreamSpec;
  readonly status?: ClusterStreamStatus;
}

/**
 * Parses a ClusterStream read from the API server.
 * @throws TerminalError `InvalidSpec` naming every malformed field.
 */
export function parseClusterStream(obj: KubeObject): ClusterStream {
  const spec = parseWith(ClusterStreamSpec, obj.spec, 'spec');
  const status = isRecord(obj.status) ? (obj.status as ClusterStreamStatus) : undefined;
  const { status: _raw, ...rest } = obj;
  return status === undefined ? { ...rest, spec } : { ...rest, spec, status };
}
