/**
 * @module runtime/dispatcher/http/object-page
 * The Sluice page of the dashboard, beside Bull Board: `GET /dashboard/sluice` finds an object by
 * kind, namespace and name and shows its conditions, its place in the queue and its reconcile
 * history; below, each kind's dead letters (objects whose last reconcile failed). With a writable
 * dashboard it also offers "Reconcile now" (`POST /dashboard/sluice/reconcile`, queued at high
 * priority as an `http` request by the signed-in principal); a read-only one neither shows the
 * button nor accepts the POST.
 *
 * The page is rendered on the server (no script), behind the dashboard's auth; every value from
 * the object or Redis is HTML-escaped.
 */
import type { FastifyInstance } from 'fastify';
import type { HistoryRecord } from '../../history/record.js';
import type { ObjectReport } from '../../history/reader.js';
import type { QueueState } from '../../history/queue-state.js';
import type { KindInfo } from '../../registry.js';
import { DASHBOARD_PATH } from './dashboard.js';
import { enqueueOne } from './enqueue-routes.js';
import { HttpError } from './errors.js';
import { deadLetters, reportOn, type HistoryRouteDeps } from './history-routes.js';

export const OBJECT_PAGE_PATH = `${DASHBOARD_PATH}/sluice`;

export interface ObjectPageDeps extends HistoryRouteDeps {
  /** Offer "Reconcile now". */
  readonly writable: boolean;
}

const esc = (v: unknown): string =>
  String(v).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const time = (ms: number | undefined): string =>
  ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const kindId = (k: KindInfo): string => `${k.plural}.${k.group}`;

function queueLine(q: QueueState): string {
  const parts: string[] = [q.state];
  if (q.lowPriority) parts.push('(low priority)');
  if (q.level !== undefined) parts.push(`(fairness level ${q.level})`);
  if (q.state === 'delayed') {
    parts.push(`until ${time(q.dueAt)}`);
    if (q.delayedFor) parts.push(`(${q.delayedFor}${q.delayMs ? ` ${q.delayMs} ms` : ''})`);
  }
  if (q.failures) parts.push(`· ${q.failures} failure(s) since the last success`);
  if (q.followUp) parts.push('· runs again after this run');
  return parts.join(' ');
}

function outcomeText(r: HistoryRecord): string {
  switch (r.outcome) {
    case 'requeueAfter':
      return `requeueAfter ${r.delayMs ?? 0} ms`;
    case 'error':
      return `error (attempt ${r.attempt ?? '?'})`;
    case 'success':
      return r.path ? `success (${r.path})` : 'success';
    default:
      return r.outcome;
  }
}

function historyTable(rows: readonly HistoryRecord[]): string {
  if (rows.length === 0) return '<p>No reconcile recorded.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr class="${esc(r.outcome)}"><td>${time(r.finishedAt)}</td><td>${esc(r.reason)}${r.by ? ` by ${esc(r.by)}` : ''}</td>` +
        `<td>${esc(outcomeText(r))}</td><td>${r.startedAt - r.enqueuedAt} ms</td><td>${r.finishedAt - r.startedAt} ms</td>` +
        `<td>${esc(r.errorReason ? `${r.errorReason}: ${r.error ?? ''}` : '')}</td>` +
        `<td>${esc(r.generation ?? '-')} / ${esc(r.resourceVersion ?? '-')}</td><td>${esc(r.worker)}</td><td>${esc(r.traceId ?? '-')}</td></tr>`,
    )
    .join('');
  return `<table id="history"><thead><tr><th>finished</th><th>why</th><th>outcome</th><th>waited</th><th>took</th><th>error</th><th>generation / rv seen</th><th>worker</th><th>trace</th></tr></thead><tbody>${body}</tbody></table>`;
}

function reportSection(r: ObjectReport, kind: KindInfo, writable: boolean): string {
  const title = `${esc(r.kind)} ${esc(r.namespace ? `${r.namespace}/` : '')}${esc(r.name)}`;
  const conditions =
    r.conditions.length === 0
      ? '<p>No conditions.</p>'
      : `<table id="conditions"><thead><tr><th>type</th><th>status</th><th>reason</th><th>message</th><th>since</th></tr></thead><tbody>${r.conditions
          .map(
            (c) =>
              `<tr><td>${esc(c.type)}</td><td>${esc(c.status)}</td><td>${esc(c.reason)}</td><td>${esc(c.message)}</td><td>${esc(c.lastTransitionTime ?? '-')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const button = writable
    ? `<form method="post" action="${OBJECT_PAGE_PATH}/reconcile"><input type="hidden" name="kind" value="${esc(kindId(kind))}">` +
      `<input type="hidden" name="namespace" value="${esc(r.namespace ?? '')}"><input type="hidden" name="name" value="${esc(r.name)}">` +
      `<button id="reconcile" type="submit">Reconcile now</button></form>`
    : '';
  return `<section id="object"><h2>${title}</h2>
<p>${r.exists ? `generation ${esc(r.generation ?? '-')}, observed ${esc(r.observedGeneration ?? '-')}, resourceVersion ${esc(r.resourceVersion ?? '-')}` : '<strong>The object no longer exists.</strong>'}${r.paused ? ' <span class="badge" id="paused">paused</span>' : ''}</p>
${button}<h3>Conditions</h3>${conditions}<h3>Queue</h3><p id="queue-state">${esc(queueLine(r.queue))}</p>
<h3>History (newest first)</h3>${historyTable(r.history)}</section>`;
}

function page(
  deps: ObjectPageDeps,
  form: { kind?: string; namespace?: string; name?: string },
  main: string,
  dead: string,
): string {
  const options = deps.registry
    .all()
    .map(
      (k) =>
        `<option value="${esc(kindId(k))}"${form.kind === kindId(k) ? ' selected' : ''}>${esc(k.kind)} (${esc(k.group)})</option>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sluice — objects</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.9rem}
tr.error td,tr.terminal td{background:#fdecea}tr.paused td{background:#fff8e1}.badge{background:#ffb300;padding:.1rem .4rem;border-radius:.3rem}.error{color:#b00020}form.find *{margin-right:.5rem}</style>
</head><body><nav><a href="${DASHBOARD_PATH}/">Jobs (Bull Board)</a> · <strong>Objects</strong> · <a href="${DASHBOARD_PATH}/logout">Sign out</a></nav>
<h1>Why is my object not ready?</h1>
<form class="find" method="get" action="${OBJECT_PAGE_PATH}"><label for="kind">Kind</label> <select id="kind" name="kind">${options}</select>
<label for="namespace">Namespace</label> <input id="namespace" name="namespace" value="${esc(form.namespace ?? '')}">
<label for="name">Name</label> <input id="name" name="name" required value="${esc(form.name ?? '')}"> <button id="find" type="submit">Show</button></form>
${main}<h2>Dead letters</h2>${dead}</body></html>`;
}

async function deadSection(deps: ObjectPageDeps): Promise<string> {
  const kinds = await deadLetters(deps).catch(() => undefined);
  if (!kinds) return '<p class="error">Redis could not be reached.</p>';
  return kinds
    .map((k) => {
      const info = deps.registry
        .all()
        .find((i) => i.kind === k.kind && `${i.group}/${i.version}` === k.apiVersion);
      const id = info ? kindId(info) : k.kind;
      const rows = k.objects
        .map((d) => {
          const q = new URLSearchParams({ kind: id, namespace: d.namespace ?? '', name: d.name });
          const why = d.last ? `${d.last.outcome}: ${d.last.errorReason ?? ''} ${d.last.error ?? ''}` : '';
          return `<tr><td><a href="${OBJECT_PAGE_PATH}?${esc(q.toString())}">${esc(d.namespace ? `${d.namespace}/` : '')}${esc(d.name)}</a></td><td>${time(d.failedAt)}</td><td>${esc(why)}</td></tr>`;
        })
        .join('');
      return `<h3>${esc(k.kind)} <small>${esc(k.apiVersion)}</small></h3>${rows ? `<table class="dead" data-kind="${esc(k.kind)}"><tbody>${rows}</tbody></table>` : '<p>None.</p>'}`;
    })
    .join('');
}

function kindOf(deps: ObjectPageDeps, id: string | undefined): KindInfo | undefined {
  return deps.registry.all().find((k) => kindId(k) === id);
}

/** Registers the page and its "Reconcile now" form handler. */
export function registerObjectPage(app: FastifyInstance, deps: ObjectPageDeps): void {
  app.get<{ Querystring: { kind?: string; namespace?: string; name?: string; queued?: string } }>(
    OBJECT_PAGE_PATH,
    async (req, reply) => {
      const { kind: id, name } = req.query;
      const namespace = req.query.namespace?.trim() || undefined;
      let main = '';
      const kind = kindOf(deps, id);
      if (name && !kind) main = `<p class="error">Unknown kind ${esc(id ?? '')}.</p>`;
      if (name && kind) {
        try {
          const report = await reportOn(deps, kind, kind.namespaced ? namespace : undefined, name.trim());
          main =
            (req.query.queued ? `<p id="queued">Queued job ${esc(req.query.queued)}.</p>` : '') +
            reportSection(report, kind, deps.writable);
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          main = `<p class="error" id="problem">${esc(err.message)}</p>`;
        }
      }
      const form = {
        ...(id ? { kind: id } : {}),
        ...(namespace ? { namespace } : {}),
        ...(name ? { name } : {}),
      };
      return reply.type('text/html').send(page(deps, form, main, await deadSection(deps)));
    },
  );

  app.post<{ Body: { kind?: unknown; namespace?: unknown; name?: unknown } }>(
    `${OBJECT_PAGE_PATH}/reconcile`,
    async (req, reply) => {
      if (!deps.writable)
        throw new HttpError(403, 'ReadOnly', 'the dashboard is read-only (SLUICE_DASHBOARD_WRITABLE)');
      const body = req.body ?? {};
      const kind = kindOf(deps, typeof body.kind === 'string' ? body.kind : undefined);
      if (!kind) throw new HttpError(400, 'BadRequest', 'unknown kind');
      const name = typeof body.name === 'string' ? body.name : '';
      const ns = typeof body.namespace === 'string' && body.namespace !== '' ? body.namespace : undefined;
      const result = await enqueueOne(deps, kind, ns, name, deps.principal?.(req));
      const q = new URLSearchParams({ kind: kindId(kind), namespace: ns ?? '', name, queued: result.jobId });
      return reply.redirect(`${OBJECT_PAGE_PATH}?${q.toString()}`, 303);
    },
  );
}
