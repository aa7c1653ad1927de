/**
 * @module test/cli/harness
 * Runs the `sluice` CLI as a child process (`node <dist>/cli/main.js ...`) against the test
 * environment, and prepares what its Tawon commands read: a namespace with the seed StreamStore
 * routed to the test NATS (`SLUICE_ENDPOINT_OVERRIDES`), Streams reconciled once the way the
 * operator would (no operator process runs in tests), and messages published to a Stream's subject.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { reconcileObject } from '../../runtime/worker/reconcile-object.js';
import { tawonStreamFunction } from '../../functions/tawon-stream/index.js';
import { environment, findCondition, type KubeObject } from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { testEnv } from '../helpers/env.js';
import { eventually } from '../helpers/kube.js';
import { natsHostPort, reconcileUntil, refIn } from '../fixtures/tawon/fixtures.js';
import { streamContext, streamNamespace, verifierJsm } from '../functions/tawon-stream/harness.js';

/** The CLI entry point next to this file in the same build. */
export const cliMain = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** The seed's StreamStore, present in every namespace {@link cliNamespace} makes. */
export const STORE = 'mystreamstore';

/** The environment the CLI runs with: the test servers, and `<store>.<ns>.svc:4222` → the test NATS. */
export function cliEnv(
  namespace: string,
  extra: Readonly<Record<string, string | undefined>> = {},
): Record<string, string | undefined> {
  const env = testEnv();
  return {
    ...environment(),
    KUBECONFIG: env.kubeconfig,
    SLUICE_NATS_URL: env.natsUrl,
    SLUICE_ENDPOINT_OVERRIDES: `${STORE}.${namespace}.svc:4222=${natsHostPort()}`,
    SLUICE_LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** A running CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stdoutBytes(): Buffer;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stdout or stderr matches. */
  waitFor(where: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts the CLI; it is killed when the test ends if it is still running. */
export function startCli(
  t: ExecutionContext,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliProcess {
  const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  void exited.then(() => (running = false));
  t.teardown(() => {
    if (running) child.kill('SIGKILL');
  });
  const text = (bufs: Buffer[]): string => Buffer.concat(bufs).toString('utf8');
  return {
    child,
    stdout: () => text(out),
    stdoutBytes: () => Buffer.concat(out),
    stderr: () => text(err),
    exited,
    waitFor: (where, pattern, timeoutMs = 90_000) =>
      eventually(
        `${pattern.source} on ${where} of sluice ${args.join(' ')} (stderr so far: ${text(err).slice(-400)})`,
        () => {
          if (!running && !pattern.test(text(where === 'stdout' ? out : err))) {
            throw new Error(`the CLI exited; stderr: ${text(err)}`);
          }
          return Promise.resolve(pattern.test(text(where === 'stdout' ? out : err)));
        },
        timeoutMs,
        100,
      ).then(() => undefined),
  };
}

/** Runs the CLI to its end and returns its exit code and output. */
export async function runCli(
  t: ExecutionContext,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ code: number | null; stdout: string; stderr: string; bytes: Buffer }> {
  const p = startCli(t, args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr(), bytes: p.stdoutBytes() };
}

/** A namespace with the seed StreamStore routed to the test NATS (see the tawon-stream harness). */
export function cliNamespace(t: ExecutionContext, label: string): Promise<string> {
  return streamNamespace(t, `cli-${label}`);
}

/** Creates a Stream on the seed store and reconciles it (as the operator would) until it is ready. */
export async function readyStream(
  namespace: string,
  name: string,
  spec: Readonly<Record<string, unknown>> = {},
): Promise<KubeObject> {
  await adminClient().create(TawonStreamKind, {
    metadata: { name, namespace },
    spec: { store: { name: STORE }, ...spec },
  });
  return reconcileStream(namespace, name);
}

/** Reconciles an existing Stream until it is ready. */
export function reconcileStream(namespace: string, name: string): Promise<KubeObject> {
  const ref = refIn(tawonStreamFunction, namespace, name);
  return reconcileUntil(
    tawonStreamFunction,
    ref,
    streamContext(ref),
    `Stream ${name} to be ready`,
    (o) => findCondition(o.status, 'Ready')?.status === 'True',
  );
}

/** Runs the Stream reconciler once (as the operator would), e.g. to finalize a deleted Stream. */
export async function reconcileOnce(namespace: string, name: string): Promise<void> {
  const ref = refIn(tawonStreamFunction, namespace, name);
  await reconcileObject(tawonStreamFunction, ref, streamContext(ref));
}

/** Publishes payloads, in order, to the subject of Stream `name` through JetStream. */
export async function publish(
  namespace: string,
  name: string,
  ...payloads: (string | Uint8Array)[]
): Promise<void> {
  const js = (await verifierJsm()).jetstream();
  for (const p of payloads) {
    await js.publish(`tawon.${namespace}.${name}`, typeof p === 'string' ? new TextEncoder().encode(p) : p);
  }
}

/** A temporary directory removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
