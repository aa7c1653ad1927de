/**
 * @module functions/host/worker-host
 * The worker host: one {@link KindWorker} per kind it serves, started together and drained
 * together. A SIGTERM drains in-flight reconciles before the process exits.
 */
import { ConfigError, type KindInfo, type SluiceFunction } from '../../shared/index.js';
import { KindWorker, type KindWorkerDeps, type KindWorkerOptions } from './kind-worker.js';

export class WorkerHost {
  private readonly workers: KindWorker[];
  /** The kinds this host serves. */
  readonly kinds: readonly KindInfo[];

  /**
   * @param functions every registered function.
   * @param kinds which kinds to serve, by kind name (`ClusterStream`) or `kind.group`; empty means all.
   * @throws ConfigError for a kind that is not registered or is ambiguous.
   */
  constructor(
    functions: readonly SluiceFunction[],
    kinds: readonly string[],
    deps: KindWorkerDeps,
    opts: KindWorkerOptions,
  ) {
    const chosen = kinds.length === 0 ? [...functions] : kinds.map((k) => pick(functions, k));
    this.workers = chosen.map((fn) => new KindWorker(fn, deps, opts));
    this.kinds = chosen.map((fn) => fn.kind);
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

function pick(functions: readonly SluiceFunction[], name: string): SluiceFunction {
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
