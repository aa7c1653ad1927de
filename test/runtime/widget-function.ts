/**
 * @module test/runtime/widget-function
 * The test-only Widget kind and a reconciler whose behaviour is scripted through Redis, so that
 * several worker processes behave alike and a test can observe them all:
 *
 * - `<p>:gen:<key>`: the "state" of an object, bumped by the test before each event; a reconcile
 *   reads it when it starts and, if it succeeds, writes it to `<p>:observed:<key>` (a lost update
 *   leaves `observed` behind `gen`);
 * - `<p>:inflight:<key>`: the reconciles running for the key (`pid:token`); finding another one,
 *   from a process not listed in `<p>:killed`, counts an overlap in `<p>:overlaps`;
 * - `<p>:behavior:<key>` (falling back to `<p>:behavior:*`): `sleepMs`, `fail` (failures left),
 *   `requeueMs`, `block` (wait while `<p>:block:<key>` exists), `terminal` (throw TerminalError),
 *   `failWith` (fail with this message);
 * - `<p>:runs:<key>`, `<p>:starts:<key>` (list of start times): what ran, and when;
 * - `<p>:finalized:<key>`: how often `finalize` ran (with the `finalizer` option).
 */
import { type Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Builtin,
  TerminalError,
  awaitChange,
  declareFunction,
  defineKind,
  enqueueMapped,
  isKubeObject,
  jobKey,
  refOf,
  requeueAfter,
  type KubeObject,
  type ObjectRef,
  type ResourceType,
  type FunctionDeclaration,
  type Predicate,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';

export const WidgetKind = defineKind({
  group: 'test.sluice.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});
export const GadgetKind: ResourceType = {
  group: 'test.sluice.io',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: false,
};

/** Observation keys for one test, under its own prefix. */
export class WidgetProbe {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  key(kind: string, objectKey: string): string {
    return `${this.prefix}:${kind}:${objectKey}`;
  }

  async bump(objectKey: string): Promise<number> {
    return this.redis.incr(this.key('gen', objectKey));
  }

  async setBehavior(objectKey: string, behavior: Record<string, string | number>): Promise<void> {
    await this.redis.del(this.key('behavior', objectKey));
    if (Object.keys(behavior).length > 0) await this.redis.hset(this.key('behavior', objectKey), behavior);
  }

  async runs(objectKey: string): Promise<number> {
    return Number((await this.redis.get(this.key('runs', objectKey))) ?? 0);
  }

  async starts(objectKey: string): Promise<number[]> {
    return (await this.redis.lrange(this.key('starts', objectKey), 0, -1)).map(Number);
  }

  async observed(objectKey: string): Promise<number> {
    return Number((await this.redis.get(this.key('observed', objectKey))) ?? 0);
  }

  async gen(objectKey: string): Promise<number> {
    return Number((await this.redis.get(this.key('gen', objectKey))) ?? 0);
  }

  /** Records that a worker process is about to be killed, so its unfinished reconciles do not count as overlaps. */
  async killed(pid: number): Promise<void> {
    await this.redis.sadd(`${this.prefix}:killed`, String(pid));
  }

  async overlaps(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}:overlaps`)) ?? 0);
  }

  async totalRuns(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}:runs`)) ?? 0);
  }
}

async function behaviorOf(probe: WidgetProbe, objectKey: string): Promise<Record<string, string>> {
  const own = await probe.redis.hgetall(probe.key('behavior', objectKey));
  return Object.keys(own).length > 0 ? own : probe.redis.hgetall(probe.key('behavior', '*'));
}

/** Variants of the Widget function. */
export interface WidgetOptions {
  /** Keep this finalizer, with a `finalize` that counts its runs. */
  readonly finalizer?: string;
  /** The primary predicate instead of the default. */
  readonly predicate?: Predicate;
}

/** The Widget reconciler, scripted through `probe`. */
export function widgetFunction(probe: WidgetProbe, opts: WidgetOptions = {}): FunctionDeclaration {
  const parse = (obj: KubeObject): KubeObject => {
    if (!isKubeObject(obj)) throw new TerminalError('InvalidSpec', 'not an object');
    return obj;
  };
  const reconcile = async (obj: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult> => {
    const key = jobKey(refOf(WidgetKind, obj));
    const r = probe.redis;
    const me = `${process.pid}:${Math.random().toString(36).slice(2)}`;
    const inflight = probe.key('inflight', key);
    await r.sadd(inflight, me);
    const killed = new Set(await r.smembers(`${probe.prefix}:killed`));
    const others = (await r.smembers(inflight)).filter((m) => m !== me && !killed.has(m.split(':')[0] ?? ''));
    if (others.length > 0) await r.incr(`${probe.prefix}:overlaps`);
    try {
      await r.rpush(probe.key('starts', key), String(Date.now()));
      const gen = (await r.get(probe.key('gen', key))) ?? '0';
      const b = await behaviorOf(probe, key);
      if (b.sleepMs) await sleep(Number(b.sleepMs), undefined, { signal: ctx.signal });
      if (b.block) {
        while (await r.exists(probe.key('block', key))) await sleep(20, undefined, { signal: ctx.signal });
      }
      ctx.signal.throwIfAborted();
      await r.incr(probe.key('runs', key));
      await r.incr(`${probe.prefix}:runs`);
      if (b.terminal) throw new TerminalError('WidgetRefused', 'this widget cannot be reconciled');
      if (b.fail && Number(b.fail) > 0) {
        await r.hincrby(probe.key('behavior', key), 'fail', -1);
        throw new Error(`scripted failure for ${key}`);
      }
      if (b.failWith) throw new Error(b.failWith);
      if (b.failRandom && Math.random() < Number(b.failRandom)) throw new Error(`random failure for ${key}`);
      if (b.writeStatus) {
        const spec = obj.spec as { size?: number } | undefined;
        await ctx.kube.writeStatus(WidgetKind, obj, {
          observedGeneration: obj.metadata.generation,
          size: spec?.size ?? 0,
        });
      }
      // Only a reconcile that succeeds has observed the state it read.
      ctx.signal.throwIfAborted();
      await r.set(probe.key('observed', key), gen);
      if (b.requeueRandom && Math.random() < Number(b.requeueRandom))
        return requeueAfter(Number(b.requeueMs ?? 50));
      if (b.requeueMs && !b.requeueRandom) return requeueAfter(Number(b.requeueMs));
      return awaitChange();
    } finally {
      await r.srem(inflight, me);
    }
  };
  const finalize = async (obj: KubeObject): Promise<ReconcileResult> => {
    await probe.redis.incr(probe.key('finalized', jobKey(refOf(WidgetKind, obj))));
    return awaitChange();
  };
  return declareFunction(WidgetKind, {
    ...(opts.finalizer ? { finalizer: opts.finalizer } : {}),
    controller: (c) => {
      const built = c.owns(Builtin.ConfigMap).watches(GadgetKind, gadgetToWidget);
      return opts.predicate ? built.withPredicate(opts.predicate) : built;
    },
    handlers: () => Promise.resolve(opts.finalizer ? { parse, reconcile, finalize } : { parse, reconcile }),
  });
}

/** A Gadget names its Widget as `namespace/name` in `spec.widget`. */
export const gadgetToWidget = enqueueMapped((obj): ObjectRef[] => {
  const target = (obj.spec as { widget?: unknown } | undefined)?.widget;
  if (typeof target !== 'string' || !target.includes('/')) return [];
  const [namespace, name] = target.split('/');
  return namespace && name
    ? [{ group: WidgetKind.group, version: WidgetKind.version, kind: WidgetKind.kind, namespace, name }]
    : [];
});
