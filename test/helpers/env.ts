/**
 * @module test/helpers/env
 * The running test environment, as `.sluice/env.json` describes it, and per-test isolation:
 * every test gets its own namespace, queue prefix and topic prefix so that tests run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { envJsonPath } from '../env/paths.js';
import type { EnvInfo } from '../env/manager.js';

let cached: EnvInfo | undefined;

/** The environment's addresses; throws a clear message when `npm run env:up` has not run. */
export function testEnv(): EnvInfo {
  if (cached) return cached;
  let raw: string;
  try {
    raw = readFileSync(envJsonPath, 'utf8');
  } catch {
    throw new Error(`no test environment: ${envJsonPath} is missing; run \`npm run env:up\` first`);
  }
  cached = JSON.parse(raw) as EnvInfo;
  return cached;
}

/** A short random suffix, valid in DNS labels, queue names and topic names. */
export function suffix(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** A unique DNS-1123 name with the given prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${suffix()}`.toLowerCase().slice(0, 63);
}

/** Per-test isolation: a namespace name, a BullMQ key prefix and a topic prefix that no other test uses. */
export interface Isolation {
  readonly namespace: string;
  readonly queuePrefix: string;
  readonly topicPrefix: string;
}

export function isolation(label: string): Isolation {
  const id = suffix();
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 40)
    .replace(/-$/, '');
  return {
    namespace: `t-${clean}-${id}`.slice(0, 63),
    queuePrefix: `test-${id}`,
    topicPrefix: `t.${clean}.${id}.`,
  };
}
