/**
 * @module cli/streams/directive-command
 * `sluice directive run`: its options, handed to `directive-run.ts`.
 */
import { Option, type Command } from 'commander';
import type { OutputFormat } from '../output.js';
import { runDirectiveCommand } from './directive-run.js';
import { limitFlags, type LimitFlags } from './limit-flags.js';
import { checkName, parseCondition, parseTask, type TaskSpec } from './run-directive.js';
import { namespaceOf, outputFormat, seconds, withSession } from './session.js';
import { nsOption } from './streams-commands.js';

/** Registers `sluice directive` and `sluice directive run`. */
export function registerDirective(program: Command): void {
  const directive = program
    .command('directive')
    .description('Tawon Directives (tawon.mantisnet.com/v1alpha1)');
  directive
    .command('run')
    .description(
      'create a Directive and its Stream for the duration of the command, read the Stream, and delete both on exit',
    )
    .requiredOption('--stream-store <store>', 'the StreamStore the Stream goes on')
    .option('--name <name>', 'name of the Directive and its Stream (default: sluice-run-<random>)', checkName)
    .addOption(
      new Option(
        '--task <task>',
        "a task, repeatable, as tawonctl writes it: 'capture|filter:port 53', dns, 'publish|type:stream' " +
          "(a stream publish goes to the Directive's Stream unless it names another; one is added when none is given)",
      )
        .argParser((v: string, acc: TaskSpec[]) => [...acc, parseTask(v)])
        .default([] as TaskSpec[], 'capture'),
    )
    .option(
      '--condition <field=value>',
      'run where the event field equals the value (condition.equal)',
      parseCondition,
    )
    .addOption(nsOption())
    .option('--maxmsgs <n>', 'Stream limit: most messages kept (default: the store default)')
    .option('--maxage <duration>', 'Stream limit: longest time a message is kept, e.g. 6h')
    .option('--maxbytes <size>', 'Stream limit: most bytes kept, e.g. 1G')
    .addOption(
      new Option('--timeout <seconds>', 'give up waiting for readiness after this long (0: never)')
        .argParser(seconds)
        .default(120_000, '120'),
    )
    .addOption(
      new Option('--cleanup-timeout <seconds>', 'how long to wait for the deletion to finish on exit')
        .argParser(seconds)
        .default(30_000, '30'),
    )
    .option('--dump <file>', 'write the messages to a file (pcap when they are) instead of printing them')
    .option('--no-read', 'do not read the Stream; just hold the Directive until Ctrl-C')
    .option('-o, --output <format>', 'table or json', outputFormat, 'table' as OutputFormat)
    .action(
      async (
        o: LimitFlags & {
          streamStore: string;
          name?: string;
          task: TaskSpec[];
          condition?: ReturnType<typeof parseCondition>;
          namespace?: string;
          timeout: number;
          cleanupTimeout: number;
          dump?: string;
          read: boolean;
          output: OutputFormat;
        },
      ) => {
        const limits = limitFlags(o);
        await withSession((s) =>
          runDirectiveCommand(s, {
            name: o.name,
            namespace: namespaceOf(s, o.namespace),
            store: o.streamStore,
            tasks: o.task,
            ...(o.condition === undefined ? {} : { condition: o.condition }),
            limits,
            timeoutMs: o.timeout,
            cleanupMs: o.cleanupTimeout,
            output: o.output,
            read: o.read,
            ...(o.dump === undefined ? {} : { dump: o.dump }),
          }),
        );
      },
    );
}
