/**
 * @module test/browser/chromium
 * A real, headless Chromium for tests: Debian's `chromium` package driven by playwright-core, with
 * a fresh profile per launch and the flags that keep it quiet on a closed network (no component
 * updates, sync, QUIC or background requests). Pages may still ask for outside resources (the
 * dashboard links Google Fonts); those fail, and nothing here waits for them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { stateDir } from '../env/paths.js';

/** Where Debian (and the CI image, which installs the `chromium` package) puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why browser tests cannot run here, or `undefined` when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`;
}

export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser with its own fresh profile directory, removed by `close()`. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium headless with a new `--user-data-dir` (playwright passes it for a persistent context). */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The folder of test artifacts (screenshots), `.sluice/artifacts/` (gitignored). */
export const artifactsDir = path.join(stateDir, 'artifacts');

/** Saves an artifact and returns its path. */
export function saveArtifact(name: string, data: Buffer): string {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name);
  writeFileSync(file, data);
  return file;
}

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
