/**
 * @module cli/history-commands
 * `sluice history <kind> <name>`: why an object is (not) ready — its conditions, its place in the
 * queue and its last reconciles; `--watch` prints it again whenever it changes. `sluice pause` and
 * `sluice resume` set and remove the `sluice.io/paused` annotation.
 *
 * Reads go straight to the API server (with the caller's kubeconfig, so the caller's own rights)
 * and to Redis, like `sluice queues`.
 */
import type { Command } from 'commander';
import {
  PAUSE_ANNOTATION,
  QueueSet,
  kubeClientFrom,
  loadConfig,
  objectReport,
  pause,
  type KindInfo,
  type KubeClient,
} from '../runtime/index.js';
import { formatReport, type HistoryFormat } from './history-format.js';
import { kindRegistry, resolveKind } from './queue-commands.js';

function target(resource: string, namespace: string): { kind: KindInfo; namespace: string | undefined } {
  const kind = resolveKind(kindRegistry(), resource);
  return { kind, namespace: kind.namespaced ? namespace : undefined };
}

async function setPaused(
  kube: KubeClient,
  kind: KindInfo,
  namespace: string | undefined,
  name: string,
  paused: boolean,
): Promise<void> {
  const found = await kube.get(kind, namespace, name, { metadataOnly: true });
  if (!found) throw new Error(`${kind.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist`);
  await kube.patch(kind, namespace, name, {
    metadata: { annotations: { [PAUSE_ANNOTATION]: paused ? 'true' : null } },
  });
}

export function registerHistoryCommands(program: Command): void {
  program
    .command('history <resource> <name>')
    .description(
      "an object's conditions, queue state and last reconciles, newest first (resource: Kind, plural or plural.group)",
    )
    .option('-n, --namespace <ns>', 'namespace of a namespaced object', 'default')
    .option('-o, --output <format>', 'wide or json (a table when left out)', 'table')
    .option('-w, --watch', 'print the report again whenever it changes (Ctrl-C stops)')
    .option('--interval <ms>', 'how often --watch looks', (v) => Number(v), 2000)
    .action(
      async (
        resource: string,
        name: string,
        opts: { namespace: string; output: HistoryFormat; watch?: boolean; interval: number },
      ) => {
        if (!['table', 'wide', 'json'].includes(opts.output))
          throw new Error(`unknown output format ${opts.output}: use wide or json`);
        const config = loadConfig();
        const { kind, namespace } = target(resource, opts.namespace);
        const kube = kubeClientFrom(config);
        const queues = new QueueSet({ redis: config.redis, prefix: config.queuePrefix });
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        try {
          let last = '';
          do {
            const report = await objectReport(
              kube,
              queues.connection,
              config.queuePrefix,
              kind,
              namespace,
              name,
            );
            if (!report.exists && report.history.length === 0 && !opts.watch)
              throw new Error(
                `${kind.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist and has no history`,
              );
            const text = formatReport(report, opts.output);
            if (text !== last) {
              if (last !== '' && opts.output !== 'json') process.stdout.write('\n');
              process.stdout.write(text);
              last = text;
            }
            if (opts.watch) await pause(opts.interval, stop.signal);
          } while (opts.watch && !stop.signal.aborted);
        } finally {
          kube.rest.close();
          await queues.close();
        }
      },
    );

  for (const paused of [true, false]) {
    program
      .command(`${paused ? 'pause' : 'resume'} <resource> <name>`)
      .description(
        paused
          ? `stop reconciling an object (sets ${PAUSE_ANNOTATION}: "true"; deletion still runs its finalizer)`
          : `reconcile a paused object again, at once (removes ${PAUSE_ANNOTATION})`,
      )
      .option('-n, --namespace <ns>', 'namespace of a namespaced object', 'default')
      .action(async (resource: string, name: string, opts: { namespace: string }) => {
        const { kind, namespace } = target(resource, opts.namespace);
        const kube = kubeClientFrom(loadConfig());
        try {
          await setPaused(kube, kind, namespace, name, paused);
        } finally {
          kube.rest.close();
        }
        process.stdout.write(
          `${paused ? 'paused' : 'resumed'} ${kind.kind} ${namespace ? `${namespace}/` : ''}${name}\n`,
        );
      });
  }
}
