/**
 * @module cli/streams/directive-command
 * `sluice k8s directive [run] | sub | dump | wireshark` (and the alias `sluice directive ...`): the
 * options they share (what the temporary Directive is: `--name`, `--stream-store`, `--subject`,
 * `--nats-url`, tasks, condition, limits, timeouts) and each one's own, handed to
 * `directive-run.ts`. `run` is the default subcommand.
 */
import { Option, type Command } from 'commander';
import type { OutputFormat } from '../output.js';
import { runDirectiveCommand } from './directive-run.js';
import { DUMP_FORMATS, type DumpFormat } from './dump-encoder.js';
import { CliError } from './errors.js';
import { limitFlags, type LimitFlags } from './limit-flags.js';
import { checkSubject } from './nats-subject.js';
import { checkName, parseCondition, parseTask, type TaskSpec } from './run-directive.js';
import type { RunOutput } from './run-read.js';
import { namespaceOf, outputFormat, seconds, wholeNumber, withSession } from './session.js';
import { nsOption } from './streams-commands.js';
import { requireWireshark } from './wireshark.js';

/** The options every subcommand has. */
interface Shared extends LimitFlags {
  readonly streamStore?: string;
  readonly name?: string;
  readonly subject?: string;
  readonly natsUrl?: string;
  readonly task: TaskSpec[];
  readonly condition?: ReturnType<typeof parseCondition>;
  readonly namespace?: string;
  readonly timeout: number;
  readonly cleanupTimeout: number;
}

function withShared(cmd: Command): Command {
  return cmd
    .option(
      '--stream-store <store>',
      "publish to a Stream of the Directive's name on this StreamStore, created for the command (default: plain NATS)",
    )
    .option(
      '--name <name>',
      'name of the Directive (and its Stream) (default: sluice-run-<random>)',
      checkName,
    )
    .option(
      '--subject <subject>',
      'without --stream-store: the NATS subject to publish to (default: sluice.directive.<namespace>.<name>)',
      checkSubject,
    )
    .option(
      '--nats-url <url>',
      'without --stream-store: the NATS server to read from (default: SLUICE_NATS_URL)',
    )
    .addOption(
      new Option(
        '--task <task>',
        "a task, repeatable, as tawonctl writes it: 'capture|filter:port 53', dns, 'publish|type:stream' " +
          "(a publish without a type or target goes to the Directive's own; one is added when none is given)",
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
    .option(
      '--maxmsgs <n>',
      'with --stream-store: Stream limit, most messages kept (default: the store default)',
    )
    .option(
      '--maxage <duration>',
      'with --stream-store: Stream limit, longest time a message is kept, e.g. 6h',
    )
    .option('--maxbytes <size>', 'with --stream-store: Stream limit, most bytes kept, e.g. 1G')
    .addOption(
      new Option('--timeout <seconds>', 'give up waiting for readiness after this long (0: never)')
        .argParser(seconds)
        .default(120_000, '120'),
    )
    .addOption(
      new Option('--cleanup-timeout <seconds>', 'how long to wait for the deletion to finish on exit')
        .argParser(seconds)
        .default(30_000, '30'),
    );
}

/** Runs the command with the shared options checked against each other. */
async function run(o: Shared, read: RunOutput, format: OutputFormat): Promise<void> {
  const limits = limitFlags(o);
  if (o.streamStore === undefined && Object.keys(limits).length > 0) {
    throw new CliError(
      '--maxmsgs, --maxage and --maxbytes limit a Stream: give --stream-store STORE with them',
    );
  }
  if (o.streamStore !== undefined && (o.subject !== undefined || o.natsUrl !== undefined)) {
    throw new CliError(
      '--subject and --nats-url are for plain NATS; with --stream-store the Directive publishes to its Stream',
    );
  }
  await withSession((s) =>
    runDirectiveCommand(s, {
      name: o.name,
      namespace: namespaceOf(s, o.namespace),
      store: o.streamStore,
      subject: o.subject,
      natsUrl: o.natsUrl,
      tasks: o.task,
      ...(o.condition === undefined ? {} : { condition: o.condition }),
      limits,
      timeoutMs: o.timeout,
      cleanupMs: o.cleanupTimeout,
      format,
      read,
    }),
  );
}

const formatOption = (what: string): Option =>
  new Option('-o, --output <format>', `${what}: table or json`).argParser(outputFormat).default('table');
const linktypeOption = (): Option =>
  new Option('--linktype <n>', 'pcap link type of one-packet messages (default 1, Ethernet)').argParser(
    wholeNumber(0),
  );

/** Registers `directive` and its subcommands under `parent`. */
export function registerDirective(parent: Command): void {
  const directive = parent
    .command('directive')
    .description(
      'a temporary Tawon Directive (tawon.mantisnet.com/v1alpha1) for the duration of the command, ' +
        'publishing to plain NATS or (--stream-store) to a Stream, deleted on exit',
    );

  withShared(directive.command('run', { isDefault: true }))
    .description(
      'create the Directive, print what it publishes (or --dump it, or --no-read), delete it on exit',
    )
    .option('--dump <file>', 'write the messages to a file (pcap when they are) instead of printing them')
    .option('--no-read', 'do not read; just hold the Directive until Ctrl-C')
    .addOption(formatOption('the summary and the messages'))
    .action((o: Shared & { dump?: string; read: boolean; output: OutputFormat }) =>
      run(
        o,
        !o.read
          ? { kind: 'hold' }
          : o.dump === undefined
            ? { kind: 'print' }
            : { kind: 'dump', file: o.dump, encoder: {} },
        o.output,
      ),
    );

  withShared(directive.command('sub'))
    .description('create the Directive, print each message it publishes until Ctrl-C, delete it on exit')
    .addOption(formatOption('the messages'))
    .action((o: Shared & { output: OutputFormat }) => run(o, { kind: 'print' }, o.output));

  withShared(directive.command('dump'))
    .description(
      'create the Directive, write what it publishes (a pcap file when the messages are pcap data) until Ctrl-C, delete it on exit',
    )
    .option('-o, --output <file>', 'the file to write (default or -: stdout)')
    .addOption(
      new Option('--format <format>', 'pcap, raw, or auto (from the first message)')
        .choices(DUMP_FORMATS)
        .default('auto'),
    )
    .addOption(linktypeOption())
    .option('--snaplen <n>', 'pcap snaplen written for one-packet messages (default 262144)', wholeNumber(1))
    .action((o: Shared & { output?: string; format: DumpFormat; linktype?: number; snaplen?: number }) =>
      run(
        o,
        {
          kind: 'dump',
          file: o.output,
          encoder: {
            format: o.format,
            ...(o.linktype === undefined ? {} : { linktype: o.linktype }),
            ...(o.snaplen === undefined ? {} : { snaplen: o.snaplen }),
          },
        },
        'table',
      ),
    );

  withShared(directive.command('wireshark'))
    .description('create the Directive, open Wireshark on what it publishes (pcap data), delete it on exit')
    .addOption(linktypeOption())
    .action((o: Shared & { linktype?: number }) =>
      run(o, { kind: 'wireshark', executable: requireWireshark(), linktype: o.linktype }, 'table'),
    );
}
