/**
 * @module cli/streams
 * The Tawon command groups, as tawonctl's: `sluice k8s streams [ls] | sub | dump | wireshark | rm`
 * and `sluice k8s directive [run] | sub | dump | wireshark`, with `sluice streams ...` and
 * `sluice directive ...` kept as aliases of the same commands.
 * Results go to stdout (tables, or JSON with `-o json`), progress and notes to stderr; a failure
 * is one sentence on stderr and exit code 1. Ctrl-C or SIGTERM end a reading command cleanly
 * (exit code 0).
 */
import type { Command } from 'commander';
import { registerDirective } from './directive-command.js';
import { registerStreams } from './streams-commands.js';

/** Registers `sluice k8s streams|directive ...` and the aliases `sluice streams|directive ...`. */
export function registerStreamCommands(program: Command): void {
  const k8s = program
    .command('k8s')
    .description('Tawon resources in the cluster, as tawonctl k8s: streams and directive');
  for (const parent of [k8s, program]) {
    registerStreams(parent);
    registerDirective(parent);
  }
}
