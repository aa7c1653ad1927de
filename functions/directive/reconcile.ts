/**
 * @module functions/directive/reconcile
 * The Directive reconciler: resolves the Streams it publishes to.
 *
 * Expected flow:
 * 1. For each `spec.streams` entry: a Tawon Stream of that name that this Directive did not
 *    create is used as it is (the entry's limits and retentionPolicy are ignored); otherwise the
 *    Stream is applied (created, or kept in line) from the entry, which then needs a `store`
 *    (else `Ready=False` `StoreRequired`).
 * 2. Streams this Directive created with `retentionPolicy: Delete` that are no longer listed are
 *    deleted; `Retain` ones are left alone.
 * 3. Each publish task of type stream must name a listed Stream or an existing one, else
 *    `Ready=False` `UnknownStream` (re-checked when such a Stream appears: Streams are watched).
 * 4. The status lists every Stream with its store, subject, limits in force and clamped requests
 *    (from the Stream's status), whether this Directive created it and whether it is ready; `Ready`
 *    is True when all are. A Stream whose request its store clamped is still ready.
 */
import {
  awaitChange,
  findCondition,
  isRecord,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../shared/index.js';
import { createdBy, desiredStream, directiveStatus, type Problem, type ResolvedStream } from './desired.js';
import { DIRECTIVE_LABEL } from './watch.js';
import { declaredStreams, publishTargetsOf, type DeclaredStream, type Directive } from './spec.js';

/**
 * A Stream as the Directive's status shows it. The limits and clamps are the Stream's own report:
 * the Stream resolves its limits against its store, and the Directive repeats what it found.
 */
function describe(stream: KubeObject, created: boolean): ResolvedStream {
  const spec = isRecord(stream.spec) ? stream.spec : {};
  const status = isRecord(stream.status) ? stream.status : {};
  const store = isRecord(spec.store) && typeof spec.store.name === 'string' ? spec.store.name : undefined;
  const subject = typeof status.subject === 'string' ? status.subject : undefined;
  return {
    name: stream.metadata.name ?? '',
    ...(store === undefined ? {} : { store }),
    ...(subject === undefined ? {} : { subject }),
    created,
    ready: !stream.metadata.deletionTimestamp && findCondition(stream.status, 'Ready')?.status === 'True',
    ...(isRecord(status.limits) ? { limits: status.limits } : {}),
    ...(Array.isArray(status.clamped) ? { clamped: status.clamped } : {}),
  };
}

/** Resolves one declared entry: uses the existing Stream, or applies the Directive's. */
async function resolveDeclared(
  directive: Directive,
  entry: DeclaredStream,
  ctx: ReconcileContext,
  problems: Problem[],
): Promise<ResolvedStream> {
  const namespace = directive.metadata.namespace ?? '';
  const existing = await ctx.kube.get(TawonStreamKind, namespace, entry.name);
  if (existing && !createdBy(existing, directive)) return describe(existing, false);
  if (!entry.store) {
    problems.push({
      reason: 'StoreRequired',
      message: `Stream ${entry.name} does not exist and spec.streams entry ${entry.name} names no store to create it on`,
    });
    return { name: entry.name, created: false, ready: false };
  }
  const applied = await ctx.kube.apply(TawonStreamKind, desiredStream(directive, entry, entry.store));
  if (!existing) {
    await ctx.event(
      'Normal',
      'StreamCreated',
      `created Stream ${entry.name} on StreamStore ${entry.store} (${entry.retentionPolicy})`,
    );
  }
  return describe(applied, true);
}

/** Deletes Streams this Directive created for Delete entries that are no longer listed. */
async function pruneUnlisted(
  directive: Directive,
  listed: ReadonlySet<string>,
  ctx: ReconcileContext,
): Promise<void> {
  const namespace = directive.metadata.namespace ?? '';
  const mine = await ctx.kube.listAll(TawonStreamKind, namespace, {
    labelSelector: `${DIRECTIVE_LABEL}=${directive.metadata.name ?? ''}`,
  });
  for (const stream of mine) {
    const name = stream.metadata.name ?? '';
    const owned = (stream.metadata.ownerReferences ?? []).some((r) => r.uid === directive.metadata.uid);
    if (listed.has(name) || !createdBy(stream, directive) || !owned || stream.metadata.deletionTimestamp)
      continue;
    await ctx.kube.delete(TawonStreamKind, namespace, name, { uid: stream.metadata.uid ?? '' });
    await ctx.event(
      'Normal',
      'StreamDeleted',
      `deleted Stream ${name}: no longer listed, and its retentionPolicy is Delete`,
    );
  }
}

export async function reconcileDirective(
  directive: Directive,
  ctx: ReconcileContext,
): Promise<ReconcileResult> {
  const namespace = directive.metadata.namespace ?? '';
  const declared = declaredStreams(directive.spec.streams);
  const problems: Problem[] = [];
  const resolved: ResolvedStream[] = [];
  for (const entry of declared) resolved.push(await resolveDeclared(directive, entry, ctx, problems));
  await pruneUnlisted(directive, new Set(declared.map((d) => d.name)), ctx);
  for (const target of publishTargetsOf(directive.spec.tasks)) {
    if (resolved.some((r) => r.name === target)) continue;
    const existing = await ctx.kube.get(TawonStreamKind, namespace, target);
    if (existing) resolved.push(describe(existing, createdBy(existing, directive)));
    else
      problems.push({
        reason: 'UnknownStream',
        message: `a publish task names Stream ${target}, which is neither in spec.streams nor in namespace ${namespace}`,
      });
  }
  const status = directiveStatus(directive, resolved, problems, ctx.clock.now());
  await ctx.kube.writeStatus(DirectiveKind, directive, status);
  return awaitChange();
}
