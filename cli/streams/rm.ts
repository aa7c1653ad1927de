/**
 * @module cli/streams/rm
 * `sluice streams rm NAME`: deletes a Tawon Stream. The operator's finalizer then deletes its
 * JetStream stream and messages; `--wait` waits (with progress on stderr) until the object is gone.
 * A Stream created by a Directive that still lists it is created again by that Directive, which
 * the command says.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DirectiveKind, TawonStreamKind } from '../../shared/index.js';
import { DIRECTIVE_LABEL } from '../../functions/directive/watch.js';
import { CliError } from './errors.js';
import { getStream, kubeCall } from './kube.js';
import { Progress } from './progress.js';
import type { Session } from './session.js';
import { viewStream } from './stream-object.js';

export interface RmOptions {
  readonly namespace: string;
  /** Wait this long for the object to be gone (0: do not wait). */
  readonly waitMs: number;
}

/** Runs the command (see the module notes). */
export async function removeStream(
  s: Session,
  name: string,
  opts: RmOptions,
  signal: AbortSignal,
): Promise<void> {
  const ns = opts.namespace;
  const obj = await getStream(s.kube, ns, name);
  const view = viewStream(obj);
  const uid = obj.metadata.uid;
  await kubeCall(s.kube, `delete Stream ${name}`, () =>
    s.kube.kube.delete(TawonStreamKind, ns, name, uid ? { uid } : {}),
  );
  process.stdout.write(
    `stream.tawon.mantisnet.com/${name} deleted in namespace ${ns}; the operator deletes JetStream stream ` +
      `${view.jetStream} from StreamStore ${view.store ?? '?'}\n`,
  );
  const creator = obj.metadata.labels?.[DIRECTIVE_LABEL];
  if (creator) {
    const directive = await kubeCall(s.kube, `read Directive ${creator}`, () =>
      s.kube.kube.get(DirectiveKind, ns, creator, { metadataOnly: true }),
    );
    if (directive && !directive.metadata.deletionTimestamp) {
      process.stderr.write(
        `note: Directive ${creator} created this Stream and creates it again while it lists it; delete the Directive to remove both\n`,
      );
    }
  }
  if (opts.waitMs > 0) await waitGone(s, ns, name, uid, opts.waitMs, signal);
}

async function waitGone(
  s: Session,
  ns: string,
  name: string,
  uid: string | undefined,
  waitMs: number,
  signal: AbortSignal,
): Promise<void> {
  const progress = new Progress();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const cur = await kubeCall(s.kube, `read Stream ${name}`, () =>
      s.kube.kube.get(TawonStreamKind, ns, name),
    );
    if (!cur || (uid !== undefined && cur.metadata.uid !== uid)) {
      progress.done(`Stream ${name} is gone`);
      return;
    }
    const finalizers = (cur.metadata.finalizers ?? []).join(', ');
    progress.update(`waiting for Stream ${name} to go (finalizers: ${finalizers || 'none'})`);
    if (signal.aborted || Date.now() > deadline) {
      progress.stop();
      throw new CliError(
        `Stream ${name} is still being deleted (finalizers: ${finalizers || 'none'}); is the Sluice operator running?`,
      );
    }
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
}
