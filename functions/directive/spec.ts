/**
 * @module functions/directive/spec
 * The Directive spec (`tawon.mantisnet.com/v1alpha1`): `condition`, `tasks[]` {task, config} and
 * `streams[]` {name, store, maxmsgs, maxage, maxbytes, retentionPolicy}, named as in the seed.
 *
 * What parsing checks (everything else of `condition` and of task configs is kept as written,
 * since running tasks is the work of agents outside Sluice):
 * - every task has a name, and a config that is an object when present;
 * - a `publish` task whose `config.type` is `stream` names the Stream in `config.name`;
 * - `condition.equal`, when present, has a `field` and a scalar `value`;
 * - stream names are Kubernetes names, unique; limits parse strictly (`InvalidLimit`);
 *   `retentionPolicy` is `Retain` (the default) or `Delete`.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { TerminalError, isRecord, type KubeObject } from '../../runtime/index.js';
import { parseWith } from '../../runtime/validation.js';
import { parseLimits, type Limits } from '../../shared/index.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export type RetentionPolicy = 'Retain' | 'Delete';

export class DirectiveTask {
  @IsString()
  @MinLength(1)
  readonly task!: string;

  @IsOptional()
  @IsObject()
  readonly config?: Record<string, unknown>;
}

export class DirectiveStream {
  @Matches(DNS_SUBDOMAIN, { message: 'must be a Kubernetes name (DNS subdomain)' })
  readonly name!: string;

  /** The StreamStore a Stream that Sluice creates goes on; not needed for an existing Stream. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  readonly store?: string;

  readonly maxmsgs?: unknown;
  readonly maxage?: unknown;
  readonly maxbytes?: unknown;

  @IsIn(['Retain', 'Delete'])
  readonly retentionPolicy: RetentionPolicy = 'Retain';
}

export class DirectiveSpec {
  @IsOptional()
  @IsObject()
  readonly condition?: Record<string, unknown>;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DirectiveTask)
  readonly tasks: DirectiveTask[] = [];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DirectiveStream)
  readonly streams: DirectiveStream[] = [];
}

/** A declared stream with its limits parsed. */
export interface DeclaredStream {
  readonly name: string;
  readonly store: string | undefined;
  readonly limits: Limits;
  /** The limits as written, for the Stream Sluice creates. */
  readonly written: { readonly maxmsgs?: unknown; readonly maxage?: unknown; readonly maxbytes?: unknown };
  readonly retentionPolicy: RetentionPolicy;
}

/** A Directive whose spec has been validated. */
export interface Directive extends KubeObject {
  readonly spec: DirectiveSpec;
}

function invalid(message: string): TerminalError {
  return new TerminalError('InvalidSpec', message);
}

function checkCondition(condition: Record<string, unknown> | undefined): void {
  if (!condition || condition.equal === undefined) return;
  const equal = condition.equal;
  if (!isRecord(equal) || typeof equal.field !== 'string' || equal.field === '') {
    throw invalid('spec.condition.equal: needs a field (the event field to compare)');
  }
  if (!['string', 'number', 'boolean'].includes(typeof equal.value)) {
    throw invalid('spec.condition.equal.value: must be a string, a number or a boolean');
  }
}

/**
 * The Stream names the publish tasks with `type: stream` write to, in task order, unique.
 * @throws TerminalError `InvalidSpec` when such a task names no Stream.
 */
export function publishTargetsOf(tasks: readonly DirectiveTask[]): string[] {
  const names: string[] = [];
  tasks.forEach((t, i) => {
    if (t.task !== 'publish' || t.config?.type !== 'stream') return;
    const name = t.config.name;
    if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name)) {
      throw invalid(`spec.tasks[${i}].config.name: a publish task of type stream must name the Stream`);
    }
    if (!names.includes(name)) names.push(name);
  });
  return names;
}

/**
 * `spec.streams`, checked, with parsed limits.
 * @throws TerminalError `InvalidSpec` for a name listed twice, `InvalidLimit` for a malformed limit.
 */
export function declaredStreams(streams: readonly DirectiveStream[]): DeclaredStream[] {
  const seen = new Set<string>();
  return streams.map((s, i) => {
    if (seen.has(s.name)) throw invalid(`spec.streams[${i}].name: ${s.name} is listed twice`);
    seen.add(s.name);
    const written = { maxmsgs: s.maxmsgs, maxage: s.maxage, maxbytes: s.maxbytes };
    return {
      name: s.name,
      store: s.store,
      limits: parseLimits(written, `spec.streams[${i}]`),
      written,
      retentionPolicy: s.retentionPolicy,
    };
  });
}

/**
 * Validates a Directive read from the API server.
 * @throws TerminalError `InvalidSpec` for a malformed spec, `InvalidLimit` for a malformed limit.
 */
export function parseDirective(obj: KubeObject): Directive {
  const spec = parseWith(DirectiveSpec, obj.spec ?? {}, 'spec');
  checkCondition(spec.condition);
  declaredStreams(spec.streams);
  publishTargetsOf(spec.tasks);
  return { ...obj, spec };
}
