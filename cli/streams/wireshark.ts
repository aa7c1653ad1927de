/**
 * @module cli/streams/wireshark
 * `sluice streams wireshark NAME`: a live capture of a Stream in Wireshark. The dump (always pcap:
 * the header is written at once, since Wireshark waits for it) is piped into
 * `wireshark -k -i -`, new messages or (`--all`) every message from the first, and keeps
 * following until Wireshark quits or Ctrl-C / SIGTERM.
 *
 * Wireshark is looked for on the `PATH` of the environment snapshot (`environment()`); when it is
 * missing the command says what to install and fails before touching the cluster.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { environment, messageOf, type Environment } from '../../runtime/index.js';
import { dumpMessages, dumpSummary } from './dump.js';
import { DumpEncoder } from './dump-encoder.js';
import { CliError } from './errors.js';
import { getStream } from './kube.js';
import type { Session } from './session.js';
import { Sink } from './sink.js';
import type { MessageSource } from './reader.js';
import { openStream } from './store.js';
import { describeReadiness, viewStream } from './stream-object.js';
import { streamSource } from './sub.js';

export const WIRESHARK = 'wireshark';

/** What to say when Wireshark is not installed. */
export const INSTALL_HINT =
  'wireshark is not installed (not found on PATH); install it, for example on Debian or Ubuntu: ' +
  'sudo apt-get install wireshark (or use `sluice streams dump NAME -o capture.pcap` and open the file elsewhere)';

/** The full path of an executable `name` on `env.PATH`, or `undefined`. */
export function findOnPath(name: string, env: Environment = environment()): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Checks that Wireshark can be started, before anything else is done. */
export function requireWireshark(env: Environment = environment()): string {
  const found = findOnPath(WIRESHARK, env);
  if (!found) throw new CliError(INSTALL_HINT);
  return found;
}

export interface WiresharkOptions {
  readonly namespace: string;
  readonly all: boolean;
  readonly linktype?: number;
}

/**
 * Pipes the messages of `source`, as pcap, into `wireshark -k -i -` until Wireshark quits, the
 * source ends or `signal` aborts; then waits for Wireshark to exit.
 * @param what names the source in the progress line (`Stream x`, `subject y`).
 * @throws CliError when Wireshark cannot start, exits non-zero or is killed by another signal.
 */
export async function pipeToWireshark(
  executable: string,
  what: string,
  source: MessageSource,
  signal: AbortSignal,
  linktype: number | undefined,
): Promise<void> {
  const child = spawn(executable, ['-k', '-i', '-'], {
    stdio: ['pipe', 'inherit', 'inherit'],
    env: environment(),
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const quit = new AbortController();
  void exited.then(
    () => quit.abort(),
    () => quit.abort(),
  );
  const sink = new Sink(child.stdin);
  process.stderr.write(`piping ${what} into wireshark; Ctrl-C or closing Wireshark ends it\n`);
  const stats = await dumpMessages(
    source,
    AbortSignal.any([signal, quit.signal]),
    new DumpEncoder({ format: 'pcap', ...(linktype === undefined ? {} : { linktype }) }),
    sink,
  );
  process.stderr.write(`${dumpSummary(stats, 'wireshark', sink.bytes)}\n`);
  let code: number | null;
  let bySignal: NodeJS.Signals | null;
  try {
    [code, bySignal] = await exited;
  } catch (err) {
    throw new CliError(`wireshark could not be started (${executable}): ${messageOf(err)}`, { cause: err });
  }
  if (code !== 0 && code !== null) throw new CliError(`wireshark exited with code ${code}`);
  if (bySignal && bySignal !== 'SIGINT' && bySignal !== 'SIGTERM') {
    throw new CliError(`wireshark was killed by ${bySignal}`);
  }
}

/** Runs the command (see the module notes). */
export async function wireshark(
  s: Session,
  name: string,
  opts: WiresharkOptions,
  signal: AbortSignal,
  executable: string,
): Promise<void> {
  const view = viewStream(await getStream(s.kube, opts.namespace, name));
  const { conn } = await openStream(s.brokers, view, describeReadiness(view));
  const source = streamSource(conn, view, { from: opts.all ? 'all' : 'new' });
  await pipeToWireshark(executable, `Stream ${name}`, source, signal, opts.linktype);
}
