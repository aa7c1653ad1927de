#!/usr/bin/env node
/**
 * @module cli/main
 * `sluice`: the command line, and the composition root that joins the worker functions and the
 * dispatcher in one binary.
 */
import { Command } from 'commander';
import { messageOf } from '../runtime/errors.js';
import { registerRuntimeCommands } from './runtime.js';

/** The long-running processes: their start loads only what they run (not the other commands' modules). */
const PROCESSES = new Set(['dispatcher', 'worker', 'dev']);

const program = new Command();
program
  .name('sluice')
  .description('A Kubernetes operator for streaming infrastructure, on queue-driven reconciler functions.')
  .showHelpAfterError();
registerRuntimeCommands(program);
if (!PROCESSES.has(process.argv[2] ?? '')) {
  const [queue, history, streams, demo] = await Promise.all([
    import('./queue-commands.js'),
    import('./history-commands.js'),
    import('./streams/index.js'),
    import('./demo/command.js'),
  ]);
  queue.registerQueueCommands(program);
  history.registerHistoryCommands(program);
  streams.registerStreamCommands(program);
  demo.registerDemoCommand(program);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`sluice: ${messageOf(err)}\n`);
  process.exit(1);
});
