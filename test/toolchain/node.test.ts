/**
 * One supported Node.js line (issue 20): the suite runs on it; `engines`, the Dockerfile, the
 * README and the pinned release of `scripts/supported-node.mjs` name the same line; and the
 * launcher runs a command on the pinned Node when the shell's own `node` is older (as on this
 * machine kind, whose Node is 20).
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { environment } from '../../runtime/index.js';
import { repoRoot } from '../env/paths.js';

const execFileP = promisify(execFile);
const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const launcher = path.join(repoRoot, 'scripts', 'supported-node.mjs');

const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
const [, major = '', minor = '', patch = ''] = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(engines) ?? [];
const pinned = /version: '(\d+\.\d+\.\d+)'/.exec(read('scripts/supported-node.mjs'))?.[1] ?? '';

/** Whether `version` (`24.22.3`) is inside the engines range `^MAJOR.MINOR.PATCH`. */
function supported(version: string): boolean {
  const [ma = 0, mi = 0, pa = 0] = version.split('.').map(Number);
  if (ma !== Number(major)) return false;
  return mi > Number(minor) || (mi === Number(minor) && pa >= Number(patch));
}

test('the suite runs on the supported Node line', (t) => {
  t.truthy(major, `engines.node reads ^MAJOR.MINOR.PATCH (${engines})`);
  t.true(supported(process.versions.node), `${process.version} is not in ${engines}`);
});

test('engines, the pinned release, the Dockerfile and the README name the same Node line', (t) => {
  t.true(supported(pinned), `the pinned ${pinned} is not in ${engines}`);
  t.is(/^ARG NODE_VERSION=(\d+)$/m.exec(read('deploy/Dockerfile'))?.[1], major);
  const readme = read('README.md');
  t.regex(readme, new RegExp(`Node\\.js ${major}\\b`));
  t.true(readme.includes(pinned), 'the README names the pinned release');
  t.true(readme.includes(`"${engines}"`) || readme.includes(`\`${engines}\``), 'the README names the range');
});

test('every npm script runs through the launcher', (t) => {
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  for (const [name, body] of Object.entries(scripts)) {
    t.true(body.startsWith("node scripts/supported-node.mjs run '"), `script ${name}: ${body}`);
  }
});

/** A `node` on PATH other than the one running the suite (on this machine kind, its own Node 20). */
function otherNode(): string | undefined {
  const dirs = (environment().PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const bin = path.join(dir, 'node');
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      continue;
    }
    if (bin !== process.execPath) return bin;
  }
  return undefined;
}

test('from an older node, the launcher runs the command on the pinned Node with its arguments and exit code', async (t) => {
  const node = otherNode() ?? process.execPath;
  const { stdout: own } = await execFileP(node, ['-p', 'process.versions.node']);
  t.log(`launching from ${node} (Node ${own.trim()})`);
  const { stdout } = await execFileP(node, [
    launcher,
    'run',
    'node -e "console.log(JSON.stringify([process.versions.node, process.env.NODE === process.execPath, process.argv.slice(1)]))" --',
    'a b',
    "c'd",
  ]);
  const [version, nodeVar, args] = JSON.parse(stdout) as [string, boolean, string[]];
  t.true(supported(version), `ran on ${version}`);
  if (!supported(own.trim())) t.is(version, pinned);
  t.true(nodeVar, 'NODE names the node the command runs on');
  t.deepEqual(args, ['a b', "c'd"]);
  t.is(spawnSync(node, [launcher, 'run', 'exit 3']).status, 3);
});
