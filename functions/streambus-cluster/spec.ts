/**
 * @module functions/streambus-cluster/spec
 * The StreamBusCluster spec (`streambus.io/v1alpha1`) as validated classes. Field names follow the
 * StreamBus operator's documentation byte for byte. The CRD applies the documented defaults; the
 * classes repeat them, so a spec with absent sections (an older object, a test fixture) still
 * parses to a complete value.
 *
 * Semantics of the `enabled` switches: a section whose `enabled` is false (or absent) reaches
 * nothing, whatever its other fields say, as a commented-out block would. Rules that join several
 * fields (TLS needs a certificate Secret, mtls needs TLS, ...) live in `parse.ts`.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Quantity } from '../../runtime/index.js';
import { BrokerConfigSpec } from './spec-config.js';
import { ObservabilitySpec } from './spec-observability.js';
import { SecuritySpec } from './spec-security.js';
import { MultiTenancySpec } from './spec-tenancy.js';

export * from './spec-config.js';
export * from './spec-observability.js';
export * from './spec-security.js';
export * from './spec-tenancy.js';

/**
 * A Kubernetes quantity such as `10Gi`, `500m` or `2`, as the runtime's one parser reads it. The
 * CRD's OpenAPI pattern is looser (it lets `1e1.5` through); the API server's own parser, like
 * this one, refuses it.
 */
function isQuantity(v: unknown): boolean {
  return typeof v === 'string' && Quantity.tryParse(v) !== undefined;
}

/** The property is a Kubernetes quantity (see {@link isQuantity}). */
function IsQuantity(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isQuantity',
      validator: {
        validate: isQuantity,
        defaultMessage: () => '$property must be a Kubernetes quantity such as 10Gi',
      },
    },
    options,
  );
}

function isRecordOf(value: unknown, valid: (v: unknown) => boolean): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value as Record<string, unknown>).every(valid)
  );
}

/** The property is a map of strings (labels, annotations, node selectors). */
function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) => isRecordOf(value, (v) => typeof v === 'string'),
        defaultMessage: () => '$property must be a map of strings',
      },
    },
    options,
  );
}

/** The property is a map of quantities (resource requests or limits). */
function IsQuantityMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isQuantityMap',
      validator: {
        validate: (value: unknown) =>
          isRecordOf(value, (v) => (typeof v === 'number' && Number.isFinite(v)) || isQuantity(v)),
        defaultMessage: () => '$property must map resource names to quantities such as 500m or 2Gi',
      },
    },
    options,
  );
}

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

export class ImageSpec {
  @IsString()
  @MinLength(1)
  repository = 'streambus/broker';

  @IsString()
  @MinLength(1)
  tag = 'latest';

  @IsIn(PULL_POLICIES)
  pullPolicy: (typeof PULL_POLICIES)[number] = 'IfNotPresent';
}

export class ResourcesSpec {
  @IsOptional()
  @IsQuantityMap()
  requests?: Record<string, string | number>;

  @IsOptional()
  @IsQuantityMap()
  limits?: Record<string, string | number>;
}

/** The CRD's default resources, used only when `resources` is absent (an empty object means none). */
export function defaultResources(): ResourcesSpec {
  const r = new ResourcesSpec();
  r.requests = { cpu: '500m', memory: '512Mi' };
  r.limits = { cpu: '2000m', memory: '2Gi' };
  return r;
}

export class StorageSpec {
  @IsString()
  @MinLength(1)
  class = 'standard';

  @IsString()
  @IsQuantity()
  size = '10Gi';

  @IsString()
  @IsQuantity()
  raftSize = '5Gi';
}

export class TolerationSpec {
  @IsOptional() @IsString() key?: string;
  @IsOptional() @IsIn(['Exists', 'Equal']) operator?: 'Exists' | 'Equal';
  @IsOptional() @IsString() value?: string;
  @IsOptional() @IsIn(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) effect?: string;
  @IsOptional() @IsInt() tolerationSeconds?: number;
}

/** The whole spec. Scheduling fields are passed to the pods as written; the API server validates them. */
export class StreamBusClusterSpec {
  @IsInt()
  @Min(1)
  replicas = 3;

  @ValidateNested()
  @Type(() => ImageSpec)
  image: ImageSpec = new ImageSpec();

  @ValidateNested()
  @Type(() => ResourcesSpec)
  resources: ResourcesSpec = defaultResources();

  @ValidateNested()
  @Type(() => StorageSpec)
  storage: StorageSpec = new StorageSpec();

  @ValidateNested()
  @Type(() => BrokerConfigSpec)
  config: BrokerConfigSpec = new BrokerConfigSpec();

  @ValidateNested()
  @Type(() => SecuritySpec)
  security: SecuritySpec = new SecuritySpec();

  @ValidateNested()
  @Type(() => MultiTenancySpec)
  multiTenancy: MultiTenancySpec = new MultiTenancySpec();

  @ValidateNested()
  @Type(() => ObservabilitySpec)
  observability: ObservabilitySpec = new ObservabilitySpec();

  @IsOptional()
  @IsObject()
  affinity?: Record<string, unknown>;

  @IsOptional()
  @IsStringMap()
  nodeSelector?: Record<string, string>;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TolerationSpec)
  tolerations?: TolerationSpec[];

  @IsOptional()
  @IsStringMap()
  podAnnotations?: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  podLabels?: Record<string, string>;

  /**
   * Not a spec field: the untyped settings of `spec.config`, as one nested object to merge into
   * `broker.yaml` (see `spec-config.ts`). Filled by `parseSpec` after its checks pass.
   */
  passThrough: Record<string, unknown> = {};
}
