/**
 * @module test/env/paths
 * Where the test environment keeps its state (`.sluice/` in the repository, gitignored) and its
 * build cache (outside the repository, reused across checkouts).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../runtime/config.js';

/** The repository root, found from this file whether it runs from source or from `dist/`. */
export const repoRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
})();

export const stateDir = path.join(repoRoot, '.sluice');
export const logsDir = path.join(stateDir, 'logs');
export const runDir = path.join(stateDir, 'run');
export const dataDir = path.join(stateDir, 'data');
export const envJsonPath = path.join(stateDir, 'env.json');
export const envShPath = path.join(stateDir, 'env.sh');

/** The build cache: `SLUICE_CACHE_DIR`, else `~/.cache/sluice`. */
export const cacheDir: string = loadConfig().cacheDir ?? path.join(os.homedir(), '.cache', 'sluice');

/** The folder of the committed build recipes (Go wrapper modules, the Kafka POM). */
export const buildDir = path.join(repoRoot, 'test', 'env', 'build');
