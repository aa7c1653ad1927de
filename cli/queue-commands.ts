/**
 * @module cli/queue-commands
 * `sluice enqueue` (queue one reconcile, as the HTTP API does) and `sluice queues` (the depth of
 * every kind's queue).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { SLUICE_FUNCTIONS } from '../functions/index.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  kubeClientFrom,
  loadConfig,
  type KindInfo,
} from '../runtime/index.js';
import { printTable, type OutputFormat } from './output.js';

/** The kinds of the built-in functions. */
export function kindRegistry(): KindRegistry {
  return new KindRegistry(SLUICE_FUNCTIONS.map((f) => f.kind));
}

/** Who runs the CLI, as the history of the reconciles it queues names them: `user@host`. */
export function cliUser(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}

/** A kind by plural, `plural.group` or Kind (case-insensitive). */
export function resolveKind(reg: KindRegistry, resource: string): KindInfo {
  const [plural = '', ...group] = resource.split('.');
  const kind =
    reg.byPlural(plural, group.length > 0 ? group.join('.') : undefined) ??
    reg.all().find((k) => k.kind.toLowerCase() === resource.toLowerCase());
  if (!kind) {
    throw new Error(
      `unknown or ambiguous resource ${resource}; use one of ${reg
        .all()
        .map((k) => `${k.plural}.${k.group}`)
        .join(', ')}`,
    );
  }
  return kind;
}

export function registerQueueCommands(program: Command): void {
  program
    .command('enqueue <resource> <name>')
    .description('queue a reconcile of one object at high priority (resource: plural or plural.group)')
    .option('-n, --namespace <ns>', 'namespace of a namespaced object', 'default')
    .action(async (resource: string, name: string, opts: { namespace: string }) => {
      const config = loadConfig();
      const reg = kindRegistry();
      const kind = resolveKind(reg, resource);
      const namespace = kind.namespaced ? opts.namespace : undefined;
      const kube = kubeClientFrom(config);
      const found = await kube.get(kind, namespace, name, { metadataOnly: true });
      kube.rest.close();
      if (!found) throw new Error(`${kind.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist`);
      const queues = new QueueSet({ redis: config.redis, prefix: config.queuePrefix });
      try {
        const [result] = await new Enqueuer(queues, reg).enqueue(
          [
            {
              ref: {
                group: kind.group,
                version: kind.version,
                kind: kind.kind,
                name,
                ...(namespace ? { namespace } : {}),
                ...(found.metadata.uid ? { uid: found.metadata.uid } : {}),
              },
              reason: 'cli',
              by: cliUser(),
            },
          ],
          'high',
        );
        process.stdout.write(
          `queued ${kind.kind} ${namespace ? `${namespace}/` : ''}${name}: job ${result?.jobId ?? '?'} in ${result?.queue ?? '?'}\n`,
        );
      } finally {
        await queues.close();
      }
    });

  program
    .command('queues')
    .description("jobs per state in every kind's queue")
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: { output: OutputFormat }) => {
      const config = loadConfig();
      const queues = new QueueSet({ redis: config.redis, prefix: config.queuePrefix });
      try {
        const rows = await Promise.all(
          kindRegistry()
            .all()
            .map(async (k) => {
              const c = await queues
                .get(k)
                .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
              return {
                kind: `${k.kind}.${k.group}`,
                waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
                active: c.active ?? 0,
                delayed: c.delayed ?? 0,
                failed: c.failed ?? 0,
              };
            }),
        );
        printTable(rows, opts.output);
      } finally {
        await queues.close();
      }
    });
}
