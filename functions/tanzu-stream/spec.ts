/**
 * @module functions/tanzu-stream/spec
 * The Stream spec (`streaming.tanzu.vmware.com/v1alpha1`, namespaced), field names byte for byte as
 * in the Streaming Runtime CRD: `name`, `protocol`, `keys` | `keyExpression`, `partitionCount`,
 * `streamMode` (singular, as there), `storage.clusterStream`, `attributes`, `binding`,
 * `dataSchemaContext`.
 *
 * Parsing checks the shape, that `keys` and `keyExpression` are not both given (`InvalidSpec`) and
 * the data schema ({@link checkDataSchema}, `InvalidDataSchema`). Each is a TerminalError.
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
import { TerminalError, isRecord, type KubeObject } from '../../runtime/index.js';
import { parseWith } from '../../runtime/validation.js';
import { IsStringMap, STREAM_MODES, type StreamMode } from '../../shared/index.js';
import { DataSchemaContext, checkDataSchema } from './data-schema.js';

export class StreamStorage {
  @IsOptional()
  @IsString()
  readonly clusterStream?: string;
}

export class StreamSpec {
  @IsString()
  @MinLength(1)
  readonly name!: string;

  @IsString()
  @MinLength(1)
  readonly protocol!: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly keys?: string[];

  @IsOptional()
  @IsString()
  @MinLength(1)
  readonly keyExpression?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readonly partitionCount?: number;

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(STREAM_MODES, { each: true })
  readonly streamMode?: StreamMode[];

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamStorage)
  readonly storage?: StreamStorage;

  @IsOptional()
  @IsStringMap()
  readonly attributes?: Record<string, string>;

  @IsOptional()
  @IsString()
  readonly binding?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => DataSchemaContext)
  readonly dataSchemaContext?: DataSchemaContext;
}

/** `status` of a Stream as Sluice writes it. */
export interface StreamStatus {
  readonly clusterStream?: string;
  readonly binding?: { readonly name: string };
  readonly storageAddress?: unknown;
  readonly conditions?: readonly unknown[];
  readonly observedGeneration?: number;
}

/** A Stream with its spec parsed. */
export interface Stream extends KubeObject {
  readonly spec: StreamSpec;
  readonly status?: StreamStatus;
}

/**
 * Parses and checks a Stream.
 * @throws TerminalError `InvalidSpec` or `InvalidDataSchema`.
 */
export function parse(obj: KubeObject): Stream {
  const spec = parseWith(StreamSpec, obj.spec, 'spec');
  if (spec.keys !== undefined && spec.keys.length > 0 && spec.keyExpression !== undefined) {
    throw new TerminalError('InvalidSpec', 'spec: give either keys or keyExpression, not both');
  }
  if (spec.dataSchemaContext !== undefined) checkDataSchema(spec.dataSchemaContext);
  const { status, ...rest } = obj;
  return isRecord(status) ? { ...rest, spec, status } : { ...rest, spec };
}

/** The protocol, compared without regard to case. */
export function protocolOf(stream: Stream): string {
  return stream.spec.protocol.trim().toLowerCase();
}
