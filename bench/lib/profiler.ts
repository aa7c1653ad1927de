/**
 * @module bench/lib/profiler
 * A V8 CPU profile of the current process through the inspector, written to a file on `stop()`
 * (`--cpu-prof` writes nothing when a process ends with `process.exit()` from a signal handler).
 * Open the file in Chrome DevTools, or summarise it with `node dist/bench/profile.js <file>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

export interface Profiler {
  stop(): Promise<void>;
}

export async function startProfiler(file: string): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
