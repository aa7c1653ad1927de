/**
 * @module functions/tawon-stream/spec
 * The Tawon Stream spec (`tawon.mantisnet.com/v1alpha1`): `store.name`, `maxmsgs`, `maxage`,
 * `maxbytes`, named byte for byte as in the seed.
 *
 * Parsing checks the shape only (a store is named). The limits are parsed strictly by the
 * reconciler (reason `InvalidLimit`), so that a Stream with a malformed limit can still be
 * deleted with its JetStream stream: the finalizer needs only the names.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDefined, IsString, MinLength, ValidateNested } from 'class-validator';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { parseWith } from '../../runtime/validation.js';
import type { RawLimits } from '../../shared/index.js';

export class StoreRef {
  @IsString()
  @MinLength(1)
  readonly name!: string;
}

export class TawonStreamSpec {
  @IsDefined()
  @ValidateNested()
  @Type(() => StoreRef)
  readonly store!: StoreRef;

  /** Most messages kept; parsed by `parseLimits`. */
  readonly maxmsgs?: unknown;
  /** Longest time a message is kept (`6h`); parsed by `parseLimits`. */
  readonly maxage?: unknown;
  /** Most bytes kept (`1G`); parsed by `parseLimits`. */
  readonly maxbytes?: unknown;
}

/** A Tawon Stream whose spec has the right shape. */
export interface TawonStream extends KubeObject {
  readonly spec: TawonStreamSpec;
}

/** The limits as written in the spec. */
export function requestedLimits(spec: TawonStreamSpec): RawLimits {
  return { maxmsgs: spec.maxmsgs, maxage: spec.maxage, maxbytes: spec.maxbytes };
}

/** The spec as {@link parseWith} would build it, when it is valid; `undefined` otherwise. */
function validSpec(raw: unknown): TawonStreamSpec | undefined {
  if (!isRecord(raw) || !isRecord(raw.store)) return undefined;
  const name = raw.store.name;
  if (typeof name !== 'string' || name.length < 1) return undefined;
  return Object.assign(new TawonStreamSpec(), raw, { store: Object.assign(new StoreRef(), raw.store) });
}

/**
 * Validates a Tawon Stream read from the API server. A valid spec is checked by hand with the
 * decorators' rules (every reconcile parses its object; class-validator costs about 0.25 ms
 * here); any other goes through class-validator, whose message names each violation.
 * @throws TerminalError `InvalidSpec` when no store is named.
 */
export function parseTawonStream(obj: KubeObject): TawonStream {
  return { ...obj, spec: validSpec(obj.spec) ?? parseWith(TawonStreamSpec, obj.spec, 'spec') };
}
