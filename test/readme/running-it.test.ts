/**
 * @module test/readme/running-it
 * The README's "Running it", typed as a new user types it: the shell blocks of that section are
 * read from README.md and run literally, each command in bash as its own process: `env:up` and
 * `source .sluice/env.sh`, then `sluice dev` (in the background, as in a second terminal), then the
 * second block's `kubectl` lines. Every object they apply, and the ClusterStream Sluice provisions
 * for the Stream, must become Ready. Nothing is prepared besides what the README says: no
 * namespace, Secret or StorageClass is made by the test.
 *
 * `sluice dev` watches every namespace with the default queue prefix, so this file runs in the
 * suite of files that run alone (after the main suite), like the fault tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { environment, findCondition, type KindInfo } from '../../runtime/index.js';
import {
  ClusterStreamKind,
  DirectiveKind,
  StreamBusClusterKind,
  StreamStoreKind,
  TanzuStreamKind,
  TawonStreamKind,
} from '../../shared/index.js';
import { repoRoot } from '../env/paths.js';
import { tcpOpen } from '../env/proc.js';
import { adminClient } from '../helpers/context.js';
import { eventually } from '../helpers/kube.js';

/** The shell blocks of the README's "Running it" section, in order. */
function runningItBlocks(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Running it');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** Runs `script` in bash in the repository root; resolves with its output, rejects on a failure. */
function bash(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd: repoRoot, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bash exited ${code}: ${script}\n${out}`)),
    );
  });
}

/** The environment after `line` ran (the README's first line sources `.sluice/env.sh`). */
async function environmentAfter(line: string): Promise<NodeJS.ProcessEnv> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-readme-')), 'env');
  await bash(`${line}\nenv -0 > ${JSON.stringify(file)}`, { ...environment() });
  const env: NodeJS.ProcessEnv = {};
  for (const entry of readFileSync(file, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Starts a long-running README line, as in its own terminal; Ctrl-C (SIGINT) at teardown. */
function background(t: ExecutionContext, line: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn('bash', ['-c', line], { cwd: repoRoot, env, detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.on('exit', (code) => t.log(`\`${line}\` exited ${code}; its last output:\n${out.slice(-3000)}`));
  return child;
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.pid === undefined) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  process.kill(-child.pid, 'SIGINT');
  return exited;
}

/** What the README's examples create, by kind, namespace and name. */
const EXPECTED: readonly { kind: KindInfo; namespace?: string; name: string }[] = [
  { kind: ClusterStreamKind, name: 'topic-example' },
  { kind: ClusterStreamKind, name: 'orders-cluster-stream' },
  { kind: TanzuStreamKind, namespace: 'default', name: 'orders' },
  { kind: StreamBusClusterKind, namespace: 'default', name: 'my-cluster' },
  { kind: StreamStoreKind, namespace: 'default', name: 'mystreamstore' },
  { kind: TawonStreamKind, namespace: 'default', name: 'mystream' },
  { kind: DirectiveKind, namespace: 'default', name: 'capture-coredns' },
  { kind: TawonStreamKind, namespace: 'default', name: 'coredns' },
];

async function readiness(): Promise<string[]> {
  return Promise.all(
    EXPECTED.map(async (e) => {
      const obj = await adminClient().get(e.kind, e.namespace, e.name);
      const ready = findCondition(obj?.status, 'Ready');
      return `${e.kind.kind} ${e.name}: ${obj ? `${ready?.status ?? 'no condition'} ${ready?.reason ?? ''} ${ready?.message ?? ''}` : 'missing'}`;
    }),
  );
}

test.serial(
  "the README's Running it, typed literally, brings an example of every kind to Ready",
  async (t) => {
    t.timeout(300_000);
    const [first, second] = runningItBlocks();
    const lines = (first ?? '').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const devAt = lines.findIndex((l) => /main\.js dev\b/.test(l));
    const devLine = lines[devAt];
    const upLine = lines.slice(0, devAt).join('\n');
    if (devAt < 1 || !devLine || !second) return t.fail('README.md: "Running it" lost its two shell blocks');
    t.regex(upLine, /npm run env:up/);

    t.false(await tcpOpen(8080), 'nothing else answers on the port `sluice dev` is about to take');
    const env = await environmentAfter(upLine);
    t.truthy(env.KUBECONFIG, 'sourcing .sluice/env.sh set KUBECONFIG');
    const dev = background(t, devLine, env);
    let devStopped = false;
    t.teardown(async () => {
      if (!devStopped) await stop(dev);
    });
    await eventually(
      '`sluice dev` to answer /readyz on its default port',
      async () => (await fetch('http://127.0.0.1:8080/readyz')).status === 200,
      60_000,
      500,
    );

    t.log(await bash(second, env));
    const states = await eventually(
      'every example to be Ready',
      async () => {
        const now = await readiness();
        return now.every((line) => / True /.test(line)) && now;
      },
      120_000,
      1000,
    ).catch(async (err: unknown) => {
      t.log((await readiness()).join('\n'));
      throw err;
    });
    t.log(states.join('\n'));

    // Clean up as a user would, while Sluice still runs its finalizers; then Ctrl-C.
    await bash(
      [
        'kubectl delete --wait=true -f examples/seeds/directive.yaml -f examples/seeds/stream.yaml -f examples/seeds/streamstore.yaml',
        'kubectl delete --wait=true streams.tawon.mantisnet.com coredns -n default',
        'kubectl delete --wait=true -f examples/tanzu/stream.yaml -f examples/seeds/clusterstream.yaml -f examples/seeds/streambuscluster-basic.yaml',
        'kubectl delete secret kafka-binding -n sluice-system',
      ].join('\n'),
      env,
    );
    devStopped = true;
    t.is(await stop(dev), 0, 'Ctrl-C drained `sluice dev` and it exited 0');
  },
);
