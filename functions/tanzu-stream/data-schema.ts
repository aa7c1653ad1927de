/**
 * @module functions/tanzu-stream/data-schema
 * `spec.dataSchemaContext` of a Stream, as the Streaming Runtime defines it: exactly one of
 * `inline {type, schema}`, `schema {name, namespace, fields[]}` or `schemaless` (a content type),
 * plus `schemaRegistryUri`, `metadataFields[]`, `primaryKey[]`, `timeAttributes[]` and `options`.
 *
 * Sluice does not change the topic for it: it checks it ({@link checkDataSchema}) and publishes it
 * to the workloads that bind to the Stream, as the `dataSchemaContext` entry (JSON) of the
 * Stream's binding Secret.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
import { TerminalError } from '../../runtime/index.js';
import { IsStringMap } from '../../shared/index.js';

export class FieldMetadata {
  @IsString()
  @MinLength(1)
  readonly from!: string;

  @IsOptional()
  @IsBoolean()
  readonly readonly?: boolean;
}

export class SchemaField {
  @IsString()
  @MinLength(1)
  readonly name!: string;

  @IsString()
  @MinLength(1)
  readonly type!: string;

  @IsOptional()
  @IsString()
  readonly logicalType?: string;

  @IsOptional()
  @IsBoolean()
  readonly optional?: boolean;

  @IsOptional()
  @IsString()
  readonly watermark?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => FieldMetadata)
  readonly metadata?: FieldMetadata;
}

export class InlineSchema {
  @IsString()
  @MinLength(1)
  readonly type!: string;

  @IsString()
  @MinLength(1)
  readonly schema!: string;
}

export class FieldsSchema {
  @IsString()
  @MinLength(1)
  readonly name!: string;

  @IsString()
  @MinLength(1)
  readonly namespace!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemaField)
  readonly fields!: SchemaField[];
}

export class TimeAttribute {
  @IsString()
  @MinLength(1)
  readonly name!: string;

  @IsOptional()
  @IsString()
  readonly watermark?: string;
}

export class DataSchemaContext {
  @IsOptional()
  @ValidateNested()
  @Type(() => InlineSchema)
  readonly inline?: InlineSchema;

  @IsOptional()
  @ValidateNested()
  @Type(() => FieldsSchema)
  readonly schema?: FieldsSchema;

  @IsOptional()
  @IsString()
  @MinLength(1)
  readonly schemaless?: string;

  @IsOptional()
  @IsString()
  readonly schemaRegistryUri?: string;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SchemaField)
  readonly metadataFields?: SchemaField[];

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly primaryKey?: string[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TimeAttribute)
  readonly timeAttributes?: TimeAttribute[];

  @IsOptional()
  @IsStringMap()
  readonly options?: Record<string, string>;
}

/**
 * Checks what the shape alone cannot: exactly one schema form; field names unique; a primary key
 * that names known fields (when the fields are known: the `schema` form); a schema registry URI
 * that is an absolute http(s) URL.
 *
 * Time attributes may name fields the schema does not list, as the Streaming Runtime's own sample
 * pipelines do: a processing-time column the processor adds (`proctime`, no watermark) or a
 * record header (`header.timestamp`). Which of those a processor accepts is the processor's
 * business, so they are published as given.
 * @throws TerminalError `InvalidDataSchema` listing every problem.
 */
export function checkDataSchema(ctx: DataSchemaContext): void {
  const problems: string[] = [];
  const forms = (['inline', 'schema', 'schemaless'] as const).filter((f) => ctx[f] !== undefined);
  if (forms.length !== 1) {
    problems.push(
      `give exactly one of inline, schema or schemaless (got ${forms.length ? forms.join(', ') : 'none'})`,
    );
  }
  const fields = [...(ctx.schema?.fields ?? []), ...(ctx.metadataFields ?? [])].map((f) => f.name);
  const duplicates = fields.filter((f, i) => fields.indexOf(f) !== i);
  if (duplicates.length > 0) problems.push(`field names repeat: ${[...new Set(duplicates)].join(', ')}`);
  if (ctx.schema !== undefined) {
    const known = new Set(fields);
    const unknownKeys = (ctx.primaryKey ?? []).filter((k) => !known.has(k));
    if (unknownKeys.length > 0) problems.push(`primaryKey names unknown fields: ${unknownKeys.join(', ')}`);
  }
  if (ctx.schemaRegistryUri !== undefined && !/^https?:\/\/[^\s/]+/.test(ctx.schemaRegistryUri)) {
    problems.push('schemaRegistryUri must be an http:// or https:// URL');
  }
  if (problems.length > 0) {
    throw new TerminalError('InvalidDataSchema', `spec.dataSchemaContext: ${problems.join('; ')}`);
  }
}

/** The context as a stable JSON text (keys sorted), as published in the binding Secret. */
export function dataSchemaJson(ctx: DataSchemaContext): string {
  return JSON.stringify(ctx, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : value,
  );
}
