/**
 * @module runtime/worker/worker-host
 * The worker host: one {@link KindWorker} per kind it serves, started together and drained
 * together. A SIGTERM drains in-flight reconciles before the process exits.
 */
import type { FunctionDeclaration, SluiceFunction } from '../controller/declaration.js';
import { ConfigError } from '../errors.js';
import type { KindInfo } from '../registry.js';
import { KindWorker, type KindWorkerDeps, type KindWorkerOptions } from './kind-worker.js';

/** A function as the host runs it: its handlers, and the values of the needs it declared. */
export interface HostedFunction {
  readonly fn: SluiceFunction;
  readonly needs: object;
}

export class WorkerHost {
  private readonly workers: KindWorker[];
  /** The kinds this host serves. */
  readonly kinds: readonly KindInfo[];

  /** @param functions the functions to serve (see {@link chooseFunctions}), loaded. */
  constructor(functions: readonly HostedFunction[], deps: KindWorkerDeps, opts: KindWorkerOptions) {
    this.workers = functions.map((f) => new KindWorker(f.fn, { ...deps, needs: f.needs }, opts));
    this.kinds = functions.map((f) => f.fn.kind);
  }

  start(): void {
    for (const w of this.workers) w.start();
  }

  /** Stops taking jobs; resolves when every running reconcile has finished. */
  async close(force = false): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(force)));
  }

  get running(): boolean {
    return this.workers.every((w) => w.running);
  }
}

/**
 * The functions of the kinds named, by kind name (`ClusterStream`), plural, `plural.group` or
 * `kind.group`; all of them when `kinds` is empty.
 * @throws ConfigError for a kind that is not declared or is ambiguous.
 */
export function chooseFunctions(
  functions: readonly FunctionDeclaration[],
  kinds: readonly string[],
): FunctionDeclaration[] {
  return kinds.length === 0 ? [...functions] : kinds.map((k) => pick(functions, k));
}

function pick(functions: readonly FunctionDeclaration[], name: string): FunctionDeclaration {
  const lower = name.toLowerCase();
  const found = functions.filter(
    (f) =>
      `${f.kind.kind}.${f.kind.group}`.toLowerCase() === lower ||
      f.kind.kind.toLowerCase() === lower ||
      f.kind.plural === lower ||
      `${f.kind.plural}.${f.kind.group}` === lower,
  );
  if (found.length === 1 && found[0]) return found[0];
  const known = functions.map((f) => `${f.kind.plural}.${f.kind.group}`).join(', ');
  throw new ConfigError(
    found.length === 0
      ? `unknown kind ${name}; known: ${known}`
      : `kind ${name} is ambiguous; use one of: ${known}`,
  );
}
