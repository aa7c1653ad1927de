#!/usr/bin/env node
/**
 * @module cli/main
 * `sluice`: the command line, and the composition root that joins the worker functions and the
 * dispatcher in one binary.
 */
import { Command } from 'commander';
import { messageOf } from '../shared/index.js';
import { registerDemoCommand } from './demo/command.js';
import { registerQueueCommands } from './queue-commands.js';
import { registerRuntimeCommands } from './runtime.js';
import { registerStreamCommands } from './streams/index.js';

const program = new Command();
program
  .name('sluice')
  .description('A Kubernetes operator for streaming infrastructure, on queue-driven reconciler functions.')
  .showHelpAfterError();
registerRuntimeCommands(program);
registerQueueCommands(program);
registerStreamCommands(program);
registerDemoCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`sluice: ${messageOf(err)}\n`);
  process.exit(1);
});
