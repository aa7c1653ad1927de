/**
 * The container image, checked without a Docker engine: the Dockerfile's promises (two stages,
 * dev dependencies pruned, a numeric non-root user, the runtime folders only), the image's
 * TypeScript config compiling no test code, and — traced with strace — the dispatcher and a worker
 * as the image runs them writing no file outside /tmp, so a read-only root filesystem holds.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { environment } from '../../runtime/index.js';
import { which } from '../env/build.js';
import { repoRoot } from '../env/paths.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';

const execFileP = promisify(execFile);
const dockerfile = readFileSync(path.join(repoRoot, 'deploy', 'Dockerfile'), 'utf8');
const imageTsconfig = path.join(repoRoot, 'deploy', 'tsconfig.image.json');
/** The compiled CLI next to this compiled test (`dist…/cli/main.js`). */
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

test('the Dockerfile builds in two stages, prunes the dev dependencies and runs as a numeric non-root user', (t) => {
  const stages = dockerfile.match(/^FROM .*/gm) ?? [];
  t.is(stages.length, 2);
  t.regex(stages[0] ?? '', / AS build$/);
  t.regex(dockerfile, /npm ci --ignore-scripts/);
  t.regex(dockerfile, /npm prune --omit=dev/);
  t.regex(dockerfile, /npx tsc -p deploy\/tsconfig\.image\.json/);
  const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
  t.truthy(user, 'USER is numeric, so runAsNonRoot can verify it');
  t.true(Number(user?.[1]) > 0 && Number(user?.[2]) > 0);
  t.regex(dockerfile, /^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/dist\/cli\/main\.js"\]$/m);
});

test('the image compiles exactly the runtime folders it copies, and no test code', async (t) => {
  const config = JSON.parse(readFileSync(imageTsconfig, 'utf8')) as { include: string[] };
  const included = config.include.map((p) => p.replace(/^\.\.\//, '')).sort();
  const copied = [...dockerfile.matchAll(/^COPY (cli|runtime|functions|shared) \1$/gm)]
    .map((m) => m[1])
    .sort();
  t.deepEqual(copied, included);
  const { stdout } = await execFileP(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', imageTsconfig, '--listFilesOnly'],
    { maxBuffer: 16 << 20 },
  );
  const ours = stdout
    .split('\n')
    .filter((f) => f.startsWith(repoRoot) && !f.includes('/node_modules/'))
    .map((f) => path.relative(repoRoot, f).split(path.sep)[0]);
  t.true(ours.length > 50);
  t.deepEqual([...new Set(ours)].sort(), included);
});

/**
 * Runs `sluice <args>` under strace until it logs `ready`, lets it work a few seconds (and serve
 * its probes and metrics when it logs its port), then kills it; returns every path it wrote.
 * (A process traced with `strace -f` drains too slowly on SIGTERM for a test, so it is killed.)
 */
async function writesOf(
  t: ExecutionContext,
  args: string[],
  env: Record<string, string>,
  ready: string,
): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-strace-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const trace = path.join(dir, 'trace');
  const calls = 'openat,open,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,truncate';
  const child = spawn(
    'strace',
    ['-f', '-qq', '-e', `trace=${calls}`, '-o', trace, process.execPath, cli, ...args],
    { env: { ...environment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let node = 0;
  const stop = (): void => {
    if (node > 0) {
      try {
        process.kill(node, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  t.teardown(stop);
  await eventually(
    `sluice ${args[0] ?? ''} to start`,
    () => Promise.resolve(out.includes(ready) || undefined),
    60_000,
  );
  node = Number(
    readFileSync(`/proc/${child.pid ?? 0}/task/${child.pid ?? 0}/children`, 'utf8')
      .trim()
      .split(/\s+/)[0],
  );
  t.true(node > 0, 'the traced node process');
  const port = /"port":(\d+)/.exec(out)?.[1];
  if (port) {
    for (const p of ['/healthz', '/readyz', '/metrics']) await fetch(`http://127.0.0.1:${port}${p}`);
  }
  // Three seconds of the running process (start-up done, probes served): what it writes in that
  // time is what the trace shows. A slower run only observes fewer writes, so it cannot fail a
  // process that writes nowhere it should not.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  stop();
  await exited;
  const writes = /^(creat|mkdir|mkdirat|unlink|unlinkat|rename|renameat|renameat2|truncate)$/;
  const written = readFileSync(trace, 'utf8')
    .split('\n')
    .map((l) => /^\d+\s+(\w+)\((.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !/= -1 E/.test(m[2] ?? ''))
    .filter((m) => writes.test(m[1] ?? '') || /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(m[2] ?? ''))
    .map((m) => /"([^"]*)"/.exec(m[2] ?? '')?.[1] ?? m[0]);
  t.true(readFileSync(trace, 'utf8').includes('openat('), 'the trace saw the process open files');
  return written.filter((p) => !p.startsWith('/tmp/') && !p.startsWith('/dev/'));
}

(which('strace') ? test : test.skip)(
  'the dispatcher and a worker, run as the image runs them, write no file outside /tmp',
  async (t) => {
    t.timeout(120_000);
    const iso = isolation('image-ro');
    await useNamespace(t, iso.namespace);
    const redis = new Redis(testEnv().redisUrl);
    t.teardown(async () => {
      const keys = await redis.keys(`${iso.queuePrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    const env = {
      KUBECONFIG: testEnv().kubeconfig,
      SLUICE_REDIS_URL: testEnv().redisUrl,
      SLUICE_QUEUE_PREFIX: iso.queuePrefix,
      SLUICE_NAMESPACE: iso.namespace,
      SLUICE_WATCH_NAMESPACE: iso.namespace,
      SLUICE_API_TOKEN: 'image-test',
      SLUICE_LOG_LEVEL: 'info',
      TMPDIR: '/tmp',
    };
    const dispatcher = await writesOf(
      t,
      ['dispatcher', '--http-port', '0', '--no-leader-election'],
      env,
      'dispatcher started',
    );
    t.deepEqual(dispatcher, [], 'the dispatcher writes nothing');
    const worker = await writesOf(
      t,
      ['worker', '--kinds', 'streams.tawon.mantisnet.com', '--http-port', '0'],
      env,
      'workers started',
    );
    t.deepEqual(worker, [], 'the worker writes nothing');
  },
);
