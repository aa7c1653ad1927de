/**
 * @module cli/streams/directive-run
 * `sluice directive run --stream-store STORE [--name NAME] [--task ...]`: a Directive and its
 * Stream for the duration of the command, as `tawonctl k8s directive` makes them.
 *
 * Expected flow:
 * 1. Check the store exists; create the Directive (refusing a name already taken, so nobody
 *    else's Directive is ever deleted) with a `streams` entry of the same name on the store and
 *    `retentionPolicy: Delete`. The operator then creates the Stream and its JetStream stream.
 * 2. Wait, with progress on stderr, until both are Ready (`--timeout`, 0 for no limit).
 * 3. Print a summary (table or `-o json`) and read the Stream: print its messages as `streams sub`
 *    does, or write them to `--dump FILE` as `streams dump` does, or (`--no-read`) just hold the
 *    Directive, until Ctrl-C or SIGTERM.
 * 4. Delete the Directive and the Stream it created, on every way out (done, error, Ctrl-C,
 *    SIGTERM), and wait up to `--cleanup-timeout` for them to go. A second signal exits at once,
 *    saying what is left.
 */
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { KubeApiError, messageOf } from '../../runtime/index.js';
import { DirectiveKind, StreamStoreKind } from '../../shared/index.js';
import { printTable, type OutputFormat } from '../output.js';
import { dumpMessages, dumpSummary } from './dump.js';
import { DumpEncoder } from './dump-encoder.js';
import { CliError } from './errors.js';
import { kubeCall } from './kube.js';
import { Progress } from './progress.js';
import { removeRun, waitReady, type ReadyRun, type RunTarget } from './run-lifecycle.js';
import { runDirective, type RunDirectiveInput } from './run-directive.js';
import type { Session } from './session.js';
import { onInterrupt } from './signals.js';
import { Sink } from './sink.js';
import { openStream } from './store.js';
import { describeReadiness, viewStream } from './stream-object.js';
import { printMessages } from './sub.js';

export interface RunOptions extends Omit<RunDirectiveInput, 'name'> {
  readonly name: string | undefined;
  readonly timeoutMs: number;
  readonly cleanupMs: number;
  readonly output: OutputFormat;
  readonly dump?: string;
  readonly read: boolean;
}

/** A fresh name when none is given. */
export function generatedName(): string {
  return `sluice-run-${randomBytes(3).toString('hex')}`;
}

async function createDirective(s: Session, input: RunDirectiveInput): Promise<RunTarget> {
  const store = await kubeCall(s.kube, `read StreamStore ${input.store}`, () =>
    s.kube.kube.get(StreamStoreKind, input.namespace, input.store, { metadataOnly: true }),
  );
  if (!store) throw new CliError(`StreamStore ${input.store} not found in namespace ${input.namespace}`);
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
  return { namespace: input.namespace, name: input.name, uid: created.metadata.uid ?? '' };
}

/** Prints the summary, then reads the Stream until `signal` (see the module notes). */
async function useRun(s: Session, ready: ReadyRun, opts: RunOptions, signal: AbortSignal): Promise<void> {
  const view = viewStream(ready.stream);
  printTable(
    [
      {
        directive: ready.directive.metadata.name ?? '',
        stream: view.name,
        store: view.store,
        subject: view.subject,
        jetstream: view.jetStream,
        created: ready.created,
      },
    ],
    opts.output,
  );
  if (!opts.read) {
    process.stderr.write('holding the Directive; Ctrl-C to delete it and exit\n');
    // A signal handler does not keep the process alive; this timer does, until the signal.
    const alive = setInterval(() => undefined, 3600_000);
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    clearInterval(alive);
    return;
  }
  const { conn } = await openStream(s.brokers, view, describeReadiness(view));
  // A Stream of this run is read from its first message; one that existed before, from now on.
  const read = {
    from: ready.created ? ('all' as const) : ('new' as const),
    signal,
    onReady: () => void process.stderr.write(`reading Stream ${view.name}; Ctrl-C to delete it and exit\n`),
  };
  if (opts.dump === undefined) {
    await printMessages(conn, view, read, opts.output, new Sink(process.stdout, true));
    return;
  }
  const sink = new Sink(createWriteStream(opts.dump));
  const stats = await dumpMessages(conn, view, read, new DumpEncoder(), sink);
  if (sink.error) throw new CliError(`write ${opts.dump}: ${sink.error.message}`);
  process.stderr.write(`${dumpSummary(stats, opts.dump, sink.bytes)}\n`);
}

/** Runs the command (see the module notes). */
export async function runDirectiveCommand(s: Session, opts: RunOptions): Promise<void> {
  const input: RunDirectiveInput = { ...opts, name: opts.name ?? generatedName() };
  let run: RunTarget | undefined;
  const interrupt = onInterrupt(() =>
    run ? `Directive ${run.name} and its Stream in namespace ${run.namespace}` : undefined,
  );
  const progress = new Progress();
  let failure: Error | undefined;
  try {
    progress.update(
      `creating Directive ${input.name} with Stream ${input.name} on StreamStore ${input.store}`,
    );
    run = await createDirective(s, input);
    const ready = await waitReady(s, run, opts.timeoutMs, interrupt.signal, progress);
    if (ready) {
      progress.done(`Directive ${input.name} and Stream ${input.name} are ready`);
      await useRun(s, ready, opts, interrupt.signal);
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(messageOf(err));
  }
  progress.stop();
  if (run) {
    const why = interrupt.received() ?? (failure === undefined ? 'done' : 'failed');
    process.stderr.write(`${why}: deleting Directive ${run.name} and its Stream\n`);
    try {
      const left = await removeRun(s, run, opts.cleanupMs, progress);
      if (left.length === 0) progress.done(`deleted Directive ${run.name} and its Stream`);
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
  interrupt.dispose();
  if (failure !== undefined) throw failure;
}
