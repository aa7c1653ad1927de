/**
 * @module functions/streambus-cluster/spec-tenancy
 * `spec.multiTenancy`: tenant isolation switches, default quotas and per-tenant overrides. Nothing
 * here reaches the brokers unless `enabled` is true.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export class IsolationSpec {
  @IsOptional()
  @IsBoolean()
  networkPolicies?: boolean;

  @IsOptional()
  @IsBoolean()
  resourceQuotas?: boolean;

  @IsOptional()
  @IsBoolean()
  rateLimiting?: boolean;
}

/** The quotas of a tenant; every field optional (an override names only what differs). */
export class QuotasSpec {
  @IsOptional() @IsInt() @Min(0) maxTopics?: number;
  @IsOptional() @IsInt() @Min(0) maxPartitionsPerTopic?: number;
  @IsOptional() @IsInt() @Min(0) maxConnections?: number;
  @IsOptional() @IsInt() @Min(0) maxBandwidthMBps?: number;
  @IsOptional() @IsInt() @Min(0) maxStorageGB?: number;
  @IsOptional() @IsInt() @Min(0) maxMessagesPerSecond?: number;
}

export class TenantOverrideSpec {
  @IsString()
  @MinLength(1)
  tenantId!: string;

  @ValidateNested()
  @Type(() => QuotasSpec)
  quotas: QuotasSpec = new QuotasSpec();
}

export class MultiTenancySpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ValidateNested()
  @Type(() => IsolationSpec)
  isolation: IsolationSpec = new IsolationSpec();

  @ValidateNested()
  @Type(() => QuotasSpec)
  defaultQuotas: QuotasSpec = new QuotasSpec();

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TenantOverrideSpec)
  tenantOverrides: TenantOverrideSpec[] = [];
}
