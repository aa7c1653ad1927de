/**
 * @module cli/streams/streams-commands
 * `sluice k8s streams [ls] | sub | dump | wireshark | rm` (and the alias `sluice streams ...`): the
 * options of each command, handed to the module that runs it. `ls` is the default subcommand, so
 * `sluice k8s streams` lists, as `tawonctl k8s streams` does.
 */
import { Option, type Command } from 'commander';
import type { OutputFormat } from '../output.js';
import { DUMP_FORMATS, type DumpFormat } from './dump-encoder.js';
import { dump } from './dump.js';
import { listStreams, printStreams } from './ls.js';
import { removeStream } from './rm.js';
import { namespaceOf, outputFormat, seconds, wholeNumber, withSession } from './session.js';
import { onInterrupt } from './signals.js';
import { subscribe } from './sub.js';
import { requireWireshark, wireshark } from './wireshark.js';

/** `-n, --namespace`, shared by every command. */
export const nsOption = (): Option =>
  new Option('-n, --namespace <ns>', "namespace (default: the kubeconfig context's)");
const allOption = (): Option =>
  new Option('--all', 'read from the first message (default: only new messages)');

/** Runs a reading command with Ctrl-C / SIGTERM turned into a clean end. */
async function interruptible(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const interrupt = onInterrupt();
  try {
    await body(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

/** Registers `streams` and its subcommands under `parent`. */
export function registerStreams(parent: Command): void {
  const streams = parent
    .command('streams')
    .description('Tawon Streams (tawon.mantisnet.com/v1alpha1): list (the default), read, dump, delete');

  streams
    .command('ls', { isDefault: true })
    .description('list Streams with their store, limits in force and message counts')
    .addOption(nsOption())
    .option('-A, --all-namespaces', 'list the Streams of every namespace')
    .option('--no-live', 'take the counts from the status only (do not ask JetStream)')
    .option('-o, --output <format>', 'table or json', outputFormat, 'table' as OutputFormat)
    .action(async (o: { namespace?: string; allNamespaces?: boolean; live: boolean; output: OutputFormat }) =>
      withSession(async (s) => {
        const opts = {
          namespace: o.allNamespaces ? undefined : namespaceOf(s, o.namespace),
          live: o.live,
          output: o.output,
        };
        printStreams(await listStreams(s, opts), opts);
      }),
    );

  streams
    .command('sub <name>')
    .description('print new messages of a Stream (or every message from the first with --all) until Ctrl-C')
    .addOption(nsOption())
    .addOption(allOption())
    .option('--count <n>', 'stop after n messages', wholeNumber(1))
    .option(
      '-o, --output <format>',
      'table (one line per message) or json (one object per line)',
      outputFormat,
      'table' as OutputFormat,
    )
    .action(
      async (name: string, o: { namespace?: string; all?: boolean; count?: number; output: OutputFormat }) =>
        withSession((s) =>
          interruptible((signal) =>
            subscribe(
              s,
              name,
              {
                namespace: namespaceOf(s, o.namespace),
                all: o.all === true,
                output: o.output,
                ...(o.count === undefined ? {} : { count: o.count }),
              },
              signal,
            ),
          ),
        ),
    );

  streams
    .command('dump <name>')
    .description(
      'write the payloads of a Stream: a pcap file when they are pcap data, else length-prefixed; ' +
        'with --all, every message held, then it ends',
    )
    .addOption(nsOption())
    .addOption(allOption())
    .option('-o, --output <file>', 'the file to write (default or -: stdout)')
    .option('--follow', 'with --all: keep reading new messages until Ctrl-C')
    .addOption(
      new Option('--format <format>', 'pcap, raw, or auto (from the first message)')
        .choices(DUMP_FORMATS)
        .default('auto'),
    )
    .option('--linktype <n>', 'pcap link type of one-packet messages (default 1, Ethernet)', wholeNumber(0))
    .option('--snaplen <n>', 'pcap snaplen written for one-packet messages (default 262144)', wholeNumber(1))
    .option('--count <n>', 'stop after n messages', wholeNumber(1))
    .option('--idle <seconds>', 'stop when no message arrived for this long', seconds)
    .action(
      async (
        name: string,
        o: {
          namespace?: string;
          all?: boolean;
          output?: string;
          follow?: boolean;
          format: DumpFormat;
          linktype?: number;
          snaplen?: number;
          count?: number;
          idle?: number;
        },
      ) =>
        withSession((s) =>
          interruptible((signal) =>
            dump(
              s,
              name,
              {
                namespace: namespaceOf(s, o.namespace),
                all: o.all === true,
                follow: o.follow === true,
                format: o.format,
                ...(o.output === undefined ? {} : { file: o.output }),
                ...(o.linktype === undefined ? {} : { linktype: o.linktype }),
                ...(o.snaplen === undefined ? {} : { snaplen: o.snaplen }),
                ...(o.count === undefined ? {} : { count: o.count }),
                ...(o.idle === undefined ? {} : { idleMs: o.idle }),
              },
              signal,
            ),
          ),
        ),
    );

  streams
    .command('wireshark <name>')
    .description(
      'open Wireshark on a Stream of pcap data (wireshark -k -i -), following it until Wireshark closes',
    )
    .addOption(nsOption())
    .addOption(allOption())
    .option('--linktype <n>', 'pcap link type of one-packet messages (default 1, Ethernet)', wholeNumber(0))
    .action(async (name: string, o: { namespace?: string; all?: boolean; linktype?: number }) => {
      const executable = requireWireshark();
      await withSession((s) =>
        interruptible((signal) =>
          wireshark(
            s,
            name,
            {
              namespace: namespaceOf(s, o.namespace),
              all: o.all === true,
              ...(o.linktype === undefined ? {} : { linktype: o.linktype }),
            },
            signal,
            executable,
          ),
        ),
      );
    });

  streams
    .command('rm <name>')
    .description("delete a Stream (the operator's finalizer deletes its JetStream stream and messages)")
    .addOption(nsOption())
    .option('--wait [seconds]', 'wait until the Stream is gone (default 60 s)')
    .action(async (name: string, o: { namespace?: string; wait?: string | true }) => {
      const waitMs = o.wait === undefined ? 0 : o.wait === true ? 60_000 : seconds(o.wait);
      await withSession((s) =>
        interruptible((signal) =>
          removeStream(s, name, { namespace: namespaceOf(s, o.namespace), waitMs }, signal),
        ),
      );
    });
}
