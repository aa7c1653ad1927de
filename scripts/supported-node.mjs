/**
 * @module scripts/supported-node
 * Sluice's one supported Node.js line, provided on a machine whose own `node` is older.
 *
 * Every npm script runs through `run`, so `npm ci && npm test` (and the demo, the benchmarks, the
 * fault suite) run on Node 24 even where the shell's `node` is Node 20:
 *
 * 1. when the running `node` is already of the supported line (`engines` in package.json), the
 *    command runs as it is;
 * 2. otherwise the pinned release ({@link PINNED}) is taken from the build cache
 *    (`SLUICE_CACHE_DIR`, else `~/.cache/sluice`, as the test environment's servers), or fetched
 *    into it once: `npm pack node-<platform>-<arch>@<version>` from the npm registry, its sha512
 *    checked against the pin, unpacked, and its `node --version` checked;
 * 3. the command runs under `sh` with that Node's `bin/` first on PATH (and `NODE`,
 *    `npm_node_execpath` pointing at it), so every `node`, `npx` and `npm` inside it, and every
 *    child the tests spawn with `process.execPath`, is the supported Node.
 *
 * Commands:
 * - `run '<shell command>' [args…]`: runs the command (args appended, as npm appends them);
 * - `env`: prints `export PATH=…` for `eval "$(node scripts/supported-node.mjs env)"`, which puts
 *   the supported Node first on PATH in the calling shell (so `npm ci` itself runs on it);
 * - `bin`: prints the path of the supported `node`.
 *
 * Plain JavaScript with Node built-ins only: it runs before `npm ci` and before anything is
 * compiled, on any Node from 20.11 on. It reads the environment itself for the same reason.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/**
 * The pinned release: the `node-<platform>-<arch>` packages of the npm registry carry the official
 * binaries. Only the platforms listed have a pin; elsewhere install Node 24 yourself.
 */
export const PINNED = {
  version: '24.22.3',
  integrity: {
    'linux-x64':
      'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
};

const env = process.env;
const repoRoot = path.resolve(import.meta.dirname, '..');

/** The supported range, from package.json `engines.node` (for example `^24.12.0`). */
function supportedRange() {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const range = pkg.engines?.node;
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range ?? '');
  if (!m) throw new Error(`package.json engines.node must read ^MAJOR.MINOR.PATCH, not ${range}`);
  return { text: range, major: Number(m[1]), min: [Number(m[2]), Number(m[3])] };
}

/** Whether `version` (`24.22.3`) is inside the `^` range. */
export function satisfies(version, range) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (major !== range.major) return false;
  return minor > range.min[0] || (minor === range.min[0] && patch >= range.min[1]);
}

function cacheDir() {
  const set = env.SLUICE_CACHE_DIR?.trim();
  return set ? path.resolve(set) : path.join(os.homedir(), '.cache', 'sluice');
}

function say(msg) {
  process.stderr.write(`supported-node: ${msg}\n`);
}

/** The cached pinned Node, fetched first if the cache lacks it. Returns the path of `bin/node`. */
function pinnedNode() {
  const dir = path.join(cacheDir(), `node-v${PINNED.version}`);
  const bin = path.join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  const platform = `${process.platform}-${process.arch}`;
  const integrity = PINNED.integrity[platform];
  if (!integrity) {
    throw new Error(
      `no pinned Node ${PINNED.version} for ${platform}; install Node ${PINNED.version.split('.')[0]} and put it first on PATH`,
    );
  }
  const spec = `node-${platform}@${PINNED.version}`;
  say(`fetching Node ${PINNED.version} (${spec} from the npm registry) into ${dir}`);
  const t0 = Date.now();
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${spec} left no tarball`);
    const tarball = path.join(tmp, tgz);
    const got = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (got !== integrity) throw new Error(`${spec}: integrity ${got}, pinned ${integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, '--strip-components=1'], { stdio: 'inherit' });
    rmSync(tarball);
    const version = execFileSync(path.join(tmp, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${PINNED.version}`) throw new Error(`${spec} runs as ${version}`);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process may have finished first: its copy stays, this one is dropped.
      if (!existsSync(bin)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Node ${PINNED.version} ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return bin;
}

/** The `node` to run on: this one when it is of the supported line, else the pinned one. */
function supportedNode() {
  const range = supportedRange();
  if (satisfies(process.versions.node, range)) return process.execPath;
  const bin = pinnedNode();
  say(
    `running on Node ${PINNED.version} from ${path.dirname(bin)} (this shell's node is ${process.version}; Sluice needs ${range.text})`,
  );
  return bin;
}

function withNode(bin) {
  const dir = path.dirname(bin);
  return { ...env, PATH: `${dir}${path.delimiter}${env.PATH ?? ''}`, NODE: bin, npm_node_execpath: bin };
}

function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function run(command, args) {
  const bin = supportedNode();
  const child = spawn('sh', ['-c', `${command} "$@"`, 'sh', ...args], {
    stdio: 'inherit',
    env: withNode(bin),
  });
  child.on('error', (err) => {
    say(`cannot start sh: ${err.message}`);
    process.exit(1);
  });
  // Ctrl-C reaches the whole process group, the child included; this process waits for it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}

function main([cmd, ...rest]) {
  switch (cmd) {
    case 'run':
      if (rest.length === 0) throw new Error('run needs a command');
      run(rest[0], rest.slice(1));
      return;
    case 'env':
      process.stdout.write(`export PATH=${shellQuote(path.dirname(supportedNode()))}:"$PATH"\n`);
      return;
    case 'bin':
      process.stdout.write(`${supportedNode()}\n`);
      return;
    default:
      throw new Error('usage: node scripts/supported-node.mjs run <command> [args…] | env | bin');
  }
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
