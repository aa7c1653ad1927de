/**
 * @module bench/lib/kube
 * What the scenarios do on the API server: a labelled namespace of their own (deleted at the end,
 * waiting until it is gone), many objects created at a bounded concurrency, the moment each
 * object becomes ready (from a watch), and the API server's own request counters (`/metrics`), so
 * a scenario can report how many API calls each reconcile cost.
 */
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { watcher } from '../../runtime/watch/watcher.js';
import {
  Builtin,
  KubeApiError,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '../../runtime/index.js';
import { adminClient } from '../../test/helpers/context.js';
import { testEnv, uniqueName } from '../../test/helpers/env.js';

export const BENCH_LABEL = 'sluice.io/bench';

export function kube(): KubeClient {
  return adminClient();
}

/** Waits until the API server has answered `/healthz` for `quietMs` in a row (up to `timeoutMs`). */
export async function stableApiServer(quietMs = 15_000, timeoutMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let since = Date.now();
  while (Date.now() < deadline) {
    const ok = await kube()
      .rest.request({ path: '/healthz', accept: 'text/plain', timeoutMs: 2000 })
      .then(
        () => true,
        (err: unknown) => err instanceof SyntaxError,
      );
    if (!ok) since = Date.now();
    else if (Date.now() - since >= quietMs) return;
    await sleep(1000);
  }
  throw new Error('the API server did not stay up');
}

/**
 * Creates a namespace `bench-<label>-<random>` labelled as a benchmark's (`sluice.io/bench=<value>`;
 * `bench cleanup` removes it whatever the value). A long scenario passes its own value: the sweep
 * an interrupted run of an older harness makes on this shared API server selects only `true`.
 */
export async function createNamespace(label: string, value = 'true'): Promise<string> {
  const name = uniqueName(`bench-${label}`);
  await kube().create(Builtin.Namespace, { metadata: { name, labels: { [BENCH_LABEL]: value } } });
  return name;
}

/** Deletes a namespace and waits (up to `timeoutMs`) until it is gone. */
export async function deleteNamespace(name: string, timeoutMs = 300_000): Promise<void> {
  await kube().delete(Builtin.Namespace, undefined, name);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await kube().get(Builtin.Namespace, undefined, name))) return;
    await sleep(1000);
  }
}

/** Runs `fn` on each item with at most `concurrency` at once. */
export async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) await fn(item, i);
    }
  });
  await Promise.all(lanes);
}

/** Creates the objects, `concurrency` at a time, retrying throttling (429) and timeouts. */
export async function createMany(
  type: ResourceType,
  objects: readonly KubeObject[],
  concurrency = 16,
): Promise<void> {
  await forEachLimit(objects, concurrency, async (obj) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await kube().create(type, obj);
        return;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 409) return;
        const retriable =
          err instanceof KubeApiError && (err.status === 429 || err.status === 0 || err.status >= 500);
        if (!retriable || attempt > 8) throw err;
        await sleep(200 * 2 ** attempt);
      }
    }
  });
}

/** Deletes every object of `type` matching `labelSelector` (in `namespace`, or cluster-wide). */
export async function deleteAll(
  type: ResourceType,
  namespace: string | undefined,
  labelSelector: string,
): Promise<number> {
  const items = await kube().listAll(type, namespace, { labelSelector, metadataOnly: true });
  await forEachLimit(items, 16, async (o) => {
    await kube()
      .delete(type, o.metadata.namespace, o.metadata.name ?? '')
      .catch(() => undefined);
  });
  return items.length;
}

/** Watches `type` and records when each object first satisfies `ready`. */
export class ReadyTracker {
  readonly readyAt = new Map<string, number>();
  private readonly stop = new AbortController();
  private readonly running: Promise<void>;

  constructor(
    type: ResourceType,
    opts: { namespace?: string; labelSelector?: string },
    private readonly ready: (obj: KubeObject) => boolean,
  ) {
    const stream = watcher(kube(), type, {
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
      signal: this.stop.signal,
    });
    this.running = (async () => {
      for await (const ev of stream) {
        if (ev.type !== 'apply' && ev.type !== 'initApply') continue;
        const key = `${ev.object.metadata.namespace ?? ''}/${ev.object.metadata.name ?? ''}`;
        if (!this.readyAt.has(key) && this.ready(ev.object)) this.readyAt.set(key, Date.now());
      }
    })();
  }

  /** Resolves with the time the `count`-th object became ready. */
  async until(count: number, timeoutMs: number, progress?: (n: number) => void): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let lastShown = 0;
    while (this.readyAt.size < count) {
      if (Date.now() > deadline)
        throw new Error(
          `only ${this.readyAt.size} of ${count} objects became ready in ${timeoutMs / 1000} s`,
        );
      if (progress && Date.now() - lastShown > 10_000) {
        lastShown = Date.now();
        progress(this.readyAt.size);
      }
      await sleep(50);
    }
    return Math.max(...this.readyAt.values());
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.running.catch(() => undefined);
  }
}

/** The API server's `/metrics` text (the admin may read it). */
async function metricsText(): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = https.get(`${server.replace(/\/$/, '')}/metrics`, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * The API server's request counters: `VERB group/resource[/subresource]` → count (from
 * `apiserver_request_total`), for the resources `keep` accepts.
 */
export async function apiRequests(
  keep: (group: string, resource: string) => boolean = () => true,
): Promise<Map<string, number>> {
  return parseRequestTotals(await metricsText(), keep);
}

/** Parses `apiserver_request_total` lines of the Prometheus text format. */
export function parseRequestTotals(
  text: string,
  keep: (group: string, resource: string) => boolean,
  metric = 'apiserver_request_total',
): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    const group = labels.group ?? '';
    const resource = labels.resource ?? '';
    if (!keep(group, resource)) continue;
    const key = `${labels.verb ?? ''} ${group || 'core'}/${resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/** Server-side time spent on requests: `VERB group/resource` → seconds (sum) and requests (count). */
export async function apiLatency(
  keep: (group: string, resource: string) => boolean,
): Promise<{ sum: Map<string, number>; count: Map<string, number> }> {
  const text = await metricsText();
  return {
    sum: parseRequestTotals(text, keep, 'apiserver_request_duration_seconds_sum'),
    count: parseRequestTotals(text, keep, 'apiserver_request_duration_seconds_count'),
  };
}

/** Mean server-side latency (ms) per request kind between two {@link apiLatency} snapshots. */
export function meanLatencyMs(
  before: Awaited<ReturnType<typeof apiLatency>>,
  after: Awaited<ReturnType<typeof apiLatency>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, sum] of after.sum) {
    const n = (after.count.get(k) ?? 0) - (before.count.get(k) ?? 0);
    if (n <= 0 || k.startsWith('WATCH')) continue;
    out[k] = Math.round(((sum - (before.sum.get(k) ?? 0)) / n) * 10000) / 10;
  }
  return out;
}

/** Per-object request counts: each count divided by `objects`, rounded to 2 decimals. */
export function perObject(counts: Readonly<Record<string, number>>, objects: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, Math.round((v / objects) * 100) / 100]),
  );
}

/** The requests that change something (everything but GET, LIST and WATCH). */
export function writesOf(counts: Readonly<Record<string, number>>): number {
  return Object.entries(counts)
    .filter(([k]) => !/^(GET|LIST|WATCH) /.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

/** The difference of two counter snapshots, without zero entries. */
export function diffCounts(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}
