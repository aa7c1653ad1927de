/**
 * @module functions/streambus-cluster/spec-observability
 * `spec.observability`: metrics (and the ServiceMonitor), tracing and logging of the brokers.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** A Prometheus duration such as `30s` or `1m`. */
export const PROMETHEUS_DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export class MetricsSpec {
  @IsBoolean()
  enabled = true;

  @IsBoolean()
  serviceMonitor = false;

  @IsOptional()
  @IsString()
  @Matches(PROMETHEUS_DURATION)
  interval?: string;

  @IsOptional()
  @IsBoolean()
  perTenantMetrics?: boolean;
}

export class TracingSpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(1)
  endpoint?: string;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  samplingRate?: number;

  @IsOptional()
  @IsBoolean()
  includeTenantId?: boolean;
}

export class AuditLogSpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsIn(['basic', 'detailed'])
  level?: 'basic' | 'detailed';
}

export class LoggingSpec {
  @IsOptional()
  @IsIn(LOG_LEVELS)
  level?: (typeof LOG_LEVELS)[number];

  @IsOptional()
  @IsIn(['json', 'text'])
  format?: 'json' | 'text';

  @IsOptional()
  @IsBoolean()
  includeTenantContext?: boolean;

  @ValidateNested()
  @Type(() => AuditLogSpec)
  auditLog: AuditLogSpec = new AuditLogSpec();
}

export class ObservabilitySpec {
  @ValidateNested()
  @Type(() => MetricsSpec)
  metrics: MetricsSpec = new MetricsSpec();

  @ValidateNested()
  @Type(() => TracingSpec)
  tracing: TracingSpec = new TracingSpec();

  @ValidateNested()
  @Type(() => LoggingSpec)
  logging: LoggingSpec = new LoggingSpec();
}
