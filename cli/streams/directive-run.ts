/**
 * @module cli/streams/directive-run
 * `sluice k8s directive run | sub | dump | wireshark [--stream-store STORE] [--name NAME] ...`: a
 * Directive (and, with a store, its Stream) for the duration of the command, as `tawonctl k8s
 * directive` makes them.
 *
 * Expected flow:
 * 1. Check what can be checked first: the store exists (with `--stream-store`), or the NATS server
 *    answers (without it, the default: the Directive publishes to a plain NATS subject,
 *    `sluice.directive.<namespace>.<name>` or `--subject`). Create the Directive, refusing a name
 *    already taken so that nobody else's Directive is ever deleted; with a store it lists a Stream
 *    of the same name on it with `retentionPolicy: Delete`, which the operator then creates.
 * 2. Wait, with progress on stderr, until the Directive (and the Stream) are Ready (`--timeout`, 0
 *    for no limit).
 * 3. Print a summary and handle the messages (`run-read.ts`) until Ctrl-C or SIGTERM.
 * 4. Delete the Directive and the Stream it created, on every way out (done, error, Ctrl-C,
 *    SIGTERM), and wait up to `--cleanup-timeout` for them to go. A second signal exits at once,
 *    saying what is left.
 */
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { KubeApiError, messageOf } from '../../runtime/index.js';
import { DirectiveKind, StreamStoreKind } from '../../shared/index.js';
import type { OutputFormat } from '../output.js';
import { CliError } from './errors.js';
import { kubeCall } from './kube.js';
import { connectNats, defaultSubject, natsServer } from './nats-subject.js';
import { Progress } from './progress.js';
import { removeRun, waitReady, type RunTarget } from './run-lifecycle.js';
import { runDirective, type RunDirectiveInput } from './run-directive.js';
import { binaryOnStdout, useRun, type RunChannel, type RunOutput } from './run-read.js';
import type { Session } from './session.js';
import { onInterrupt } from './signals.js';

export interface RunOptions extends Omit<RunDirectiveInput, 'name' | 'subject'> {
  readonly name: string | undefined;
  /** `--subject`; undefined: `sluice.directive.<namespace>.<name>`. Only without a store. */
  readonly subject: string | undefined;
  /** `--nats-url`; undefined: `SLUICE_NATS_URL`. Only without a store. */
  readonly natsUrl: string | undefined;
  readonly timeoutMs: number;
  readonly cleanupMs: number;
  /** The format of the summary and of printed messages. */
  readonly format: OutputFormat;
  readonly read: RunOutput;
}

/** A fresh name when none is given. */
export function generatedName(): string {
  return `sluice-run-${randomBytes(3).toString('hex')}`;
}

/** Checks that the store exists. */
async function checkStore(s: Session, namespace: string, name: string): Promise<void> {
  const store = await kubeCall(s.kube, `read StreamStore ${name}`, () =>
    s.kube.kube.get(StreamStoreKind, namespace, name, { metadataOnly: true }),
  );
  if (!store) throw new CliError(`StreamStore ${name} not found in namespace ${namespace}`);
}

async function createDirective(s: Session, input: RunDirectiveInput): Promise<RunTarget> {
  const created = await kubeCall(s.kube, `create Directive ${input.name}`, async () => {
    try {
      return await s.kube.kube.create(DirectiveKind, runDirective(input));
    } catch (err) {
      if (err instanceof KubeApiError && err.isConflict) {
        throw new CliError(
          `Directive ${input.name} already exists in namespace ${input.namespace}: choose another --name`,
        );
      }
      throw err;
    }
  });
  return {
    namespace: input.namespace,
    name: input.name,
    uid: created.metadata.uid ?? '',
    withStream: input.store !== undefined,
  };
}

/**
 * What can be checked before anything is created: a binary dump must not go to a terminal, the
 * store must exist, the NATS server must answer. Returns the plain NATS channel when there is one.
 */
async function prepare(s: Session, input: RunDirectiveInput, opts: RunOptions): Promise<RunChannel> {
  if (binaryOnStdout(opts.read) && process.stdout.isTTY) {
    throw new CliError('refusing to write binary data to a terminal: use -o FILE, or pipe the output');
  }
  if (input.store !== undefined) {
    await checkStore(s, input.namespace, input.store);
    return { type: 'stream' };
  }
  const url = natsServer(opts.natsUrl, s.config.natsUrl);
  const nc: NatsConnection = await connectNats(url);
  return { type: 'nats', nc, url, subject: input.subject };
}

/** Runs the command (see the module notes). */
export async function runDirectiveCommand(s: Session, opts: RunOptions): Promise<void> {
  const name = opts.name ?? generatedName();
  const input: RunDirectiveInput = {
    ...opts,
    name,
    subject: opts.subject ?? defaultSubject(opts.namespace, name),
  };
  const made = input.store === undefined ? `Directive ${name}` : `Directive ${name} and its Stream`;
  let run: RunTarget | undefined;
  let channel: RunChannel | undefined;
  const interrupt = onInterrupt(() => (run ? `${made} in namespace ${run.namespace}` : undefined));
  const progress = new Progress();
  let failure: Error | undefined;
  try {
    channel = await prepare(s, input, opts);
    progress.update(
      input.store === undefined
        ? `creating Directive ${name} publishing to NATS subject ${input.subject}`
        : `creating Directive ${name} with Stream ${name} on StreamStore ${input.store}`,
    );
    run = await createDirective(s, input);
    const ready = await waitReady(s, run, opts.timeoutMs, interrupt.signal, progress);
    if (ready) {
      progress.done(input.store === undefined ? `Directive ${name} is ready` : `${made} are ready`);
      await useRun(s, ready, channel, opts.read, opts.format, interrupt.signal);
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(messageOf(err));
  }
  progress.stop();
  if (run) {
    const why = interrupt.received() ?? (failure === undefined ? 'done' : 'failed');
    process.stderr.write(`${why}: deleting ${made}\n`);
    try {
      const left = await removeRun(s, run, opts.cleanupMs, progress);
      if (left.length === 0) progress.done(`deleted ${made}`);
      else {
        progress.done(
          `deletion requested; still going: ${left.join(', ')} (the operator's finalizer deletes the JetStream stream)`,
        );
      }
    } catch (err) {
      progress.stop();
      process.stderr.write(`cleanup failed: ${messageOf(err)}\n`);
      failure ??= err instanceof Error ? err : new Error(messageOf(err));
    }
  }
  if (channel?.type === 'nats') await channel.nc.close().catch(() => undefined);
  interrupt.dispose();
  if (failure !== undefined) throw failure;
}
