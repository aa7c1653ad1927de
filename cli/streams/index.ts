/**
 * @module cli/streams
 * The Tawon command groups, as tawonctl's `k8s streams` and `k8s directive`:
 * `sluice streams ls | sub | dump | wireshark | rm` and `sluice directive run`.
 * Results go to stdout (tables, or JSON with `-o json`), progress and notes to stderr; a failure
 * is one sentence on stderr and exit code 1. Ctrl-C or SIGTERM end a reading command cleanly
 * (exit code 0).
 */
import type { Command } from 'commander';
import { registerDirective } from './directive-command.js';
import { registerStreams } from './streams-commands.js';

/** Registers `sluice streams ...` and `sluice directive ...`. */
export function registerStreamCommands(program: Command): void {
  registerStreams(program);
  registerDirective(program);
}
