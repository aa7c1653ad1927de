/**
 * @module test/security/leaks
 * Looks for test secrets (passwords, tokens, private keys) where they must never be: the logs of
 * the Sluice processes a test ran, the Events of its namespaces, the statuses of its objects, and
 * the job payloads and every other value under its queue prefix in Redis. A secret counts as
 * found in its plain form and in base64 (as a Secret's `data` would carry it).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Builtin, type KubeObject, type ResourceType } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';

/** A text to search, and where it came from. */
export interface LeakSource {
  readonly where: string;
  readonly text: string;
}

/** A secret found somewhere; the secret itself is named by its label, never printed. */
export interface Leak {
  readonly secret: string;
  readonly where: string;
}

/** A secret to look for, with a label to report it by. */
export interface TestSecret {
  readonly label: string;
  readonly value: string;
}

/** Searches `sources` for every secret, plain and base64-encoded. */
export function findLeaks(secrets: readonly TestSecret[], sources: readonly LeakSource[]): Leak[] {
  const leaks: Leak[] = [];
  for (const s of secrets) {
    if (s.value.length < 6) throw new Error(`test secret ${s.label} is too short to search for`);
    const forms = [s.value, Buffer.from(s.value, 'utf8').toString('base64').replace(/=+$/, '')];
    for (const src of sources) {
      if (forms.some((f) => src.text.includes(f))) leaks.push({ secret: s.label, where: src.where });
    }
  }
  return leaks;
}

/** The contents of log files. */
export function fileSources(paths: readonly string[]): LeakSource[] {
  return paths.map((p) => {
    try {
      return { where: `log ${p}`, text: readFileSync(p, 'utf8') };
    } catch {
      return { where: `log ${p}`, text: '' };
    }
  });
}

/** Objects whose status is checked: `{type, namespace?, name}`. */
export interface ObjectAt {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * The Events of `namespaces` (all of them) and of `default` about the listed objects (where the
 * Events of cluster-scoped objects go), and the statuses of the listed objects.
 */
export async function clusterSources(
  namespaces: readonly string[],
  objects: readonly ObjectAt[],
): Promise<LeakSource[]> {
  const kube = adminClient();
  const out: LeakSource[] = [];
  const names = new Set(objects.map((o) => o.name));
  for (const ns of namespaces) {
    for (const ev of await kube.listAll(Builtin.Event, ns)) out.push(eventSource(ev));
  }
  for (const ev of await kube.listAll(Builtin.Event, 'default')) {
    const involved = (ev as { involvedObject?: { name?: unknown } }).involvedObject;
    if (typeof involved?.name === 'string' && names.has(involved.name)) out.push(eventSource(ev));
  }
  for (const o of objects) {
    const obj = await kube.get(o.type, o.namespace, o.name).catch(() => undefined);
    if (obj?.status !== undefined)
      out.push({ where: `status of ${o.type.kind} ${o.name}`, text: JSON.stringify(obj.status) });
  }
  return out;
}

function eventSource(ev: KubeObject): LeakSource {
  const e = ev as { reason?: unknown; message?: unknown; note?: unknown };
  return {
    where: `Event ${ev.metadata.namespace ?? ''}/${ev.metadata.name ?? ''} (${String(e.reason)})`,
    text: JSON.stringify({ message: e.message, note: e.note, reason: e.reason }),
  };
}

/** Every value stored under `prefix:` in Redis: job payloads, options, events streams, dispatcher state. */
export async function redisSources(redisUrl: string, prefix: string): Promise<LeakSource[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const out: LeakSource[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) out.push({ where: `redis ${key}`, text: await valueOf(redis, key) });
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}

async function valueOf(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}

/** A short account of leaks for an assertion message (labels and places only). */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((l) => `${l.secret} in ${l.where}`).join('; ');
}
