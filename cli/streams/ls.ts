/**
 * @module cli/streams/ls
 * `sluice streams ls`: the Tawon Streams of a namespace (or all), with their store, the limits in
 * force (from the status, as the operator applied them: `unlimited` when none applies) and their
 * message counts. Counts are read live from JetStream when the store answers (`counts: jetstream`)
 * and otherwise taken from the status the operator last wrote (`counts: status`), with one note per
 * unreachable store on stderr.
 */
import { namespacedName } from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { printTable, type OutputFormat } from '../output.js';
import { kubeCall } from './kube.js';
import type { Session } from './session.js';
import { connectStore, jetStreamInfo, unreachableHint, type StoreConnection } from './store.js';
import { viewStream, type StreamView } from './stream-object.js';

export interface LsOptions {
  /** Undefined with `allNamespaces`. */
  readonly namespace: string | undefined;
  readonly live: boolean;
  readonly output: OutputFormat;
}

/** One row of the listing. */
export interface StreamRow {
  readonly [column: string]: string | number | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly store: string | undefined;
  readonly ready: string | undefined;
  readonly maxmsgs: number | string | undefined;
  readonly maxage: string | undefined;
  readonly maxbytes: number | string | undefined;
  readonly messages: number | undefined;
  readonly bytes: number | undefined;
  /** Where the counts come from: `jetstream` (live) or `status`. */
  readonly counts: 'jetstream' | 'status' | undefined;
  readonly subject: string;
}

/** A row from the status alone. */
export function rowOf(view: StreamView): StreamRow {
  const limit = <T>(v: T | undefined): T | 'unlimited' | undefined =>
    view.limits === undefined ? undefined : (v ?? 'unlimited');
  return {
    namespace: view.namespace,
    name: view.name,
    store: view.store,
    ready: view.deleting ? 'Deleting' : view.ready,
    maxmsgs: limit(view.limits?.maxmsgs),
    maxage: limit(view.limits?.maxage),
    maxbytes: limit(view.limits?.maxbytes),
    messages: view.messages,
    bytes: view.bytes,
    counts: view.messages === undefined ? undefined : 'status',
    subject: view.subject,
  };
}

/** Replaces the counts of the rows whose store answers with the live ones. */
async function liveCounts(s: Session, views: readonly StreamView[], rows: StreamRow[]): Promise<void> {
  const stores = new Map<string, Promise<StoreConnection | undefined>>();
  await Promise.all(
    views.map(async (view, i) => {
      if (!view.store) return;
      const key = namespacedName(view.namespace, view.store);
      let conn = stores.get(key);
      if (!conn) {
        const store = view.store;
        conn = connectStore(s.brokers, store, view.namespace).catch(() => {
          process.stderr.write(
            `note: ${unreachableHint(s.brokers, store, view.namespace)}; counts from status\n`,
          );
          return undefined;
        });
        stores.set(key, conn);
      }
      const c = await conn;
      const info = c ? await jetStreamInfo(c, view.jetStream).catch(() => undefined) : undefined;
      const row = rows[i];
      if (info && row) {
        rows[i] = { ...row, messages: info.state.messages, bytes: info.state.bytes, counts: 'jetstream' };
      }
    }),
  );
}

/** Lists the Streams (sorted by namespace and name) as rows. */
export async function listStreams(s: Session, opts: Omit<LsOptions, 'output'>): Promise<StreamRow[]> {
  const where = opts.namespace === undefined ? 'in all namespaces' : `in namespace ${opts.namespace}`;
  const objects = await kubeCall(s.kube, `list Streams ${where}`, () =>
    s.kube.kube.listAll(TawonStreamKind, opts.namespace),
  );
  const views = objects
    .map(viewStream)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const rows = views.map(rowOf);
  if (opts.live) await liveCounts(s, views, rows);
  return rows;
}

/** Prints the rows: the table leaves out the subject (and the namespace unless listing all). */
export function printStreams(rows: readonly StreamRow[], opts: LsOptions): void {
  if (opts.output === 'json') {
    printTable(rows, 'json');
    return;
  }
  printTable(
    rows.map(({ subject: _subject, namespace, ...rest }) =>
      opts.namespace === undefined ? { namespace, ...rest } : rest,
    ),
    'table',
  );
}
