/**
 * @module test/chaos/support/rig
 * A chaos test's world for ClusterStreams: its own namespace (the operator's namespace: binding
 * Secrets, the Lease), its own queue prefix (on a private Redis when the test restarts it), the
 * label that confines its dispatchers to its own ClusterStreams, its worker and dispatcher
 * processes with their logs, and the checks every scenario ends with: how many objects converged,
 * whether reconciles of one object overlapped, and whether a test secret leaked.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { Job } from 'bullmq';
import { Builtin, QueueSet, jobKey, type KubeObject, type ObjectRef } from '../../../runtime/index.js';
import { BrokerClaimType, ClusterStreamKind, asBrokerClaim } from '../../../shared/index.js';
import { stateDir } from '../../env/paths.js';
import { startPrivateNats, type PrivateNats } from '../../env/private-nats.js';
import { startPrivateRedis, type PrivateRedis } from '../../env/private-redis.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation, testEnv, uniqueName, type Isolation } from '../../helpers/env.js';
import { useNamespace } from '../../helpers/kube.js';
import {
  clusterSources,
  describeLeaks,
  fileSources,
  findLeaks,
  redisSources,
  type Leak,
  type TestSecret,
} from '../../security/leaks.js';
import { SluiceChild } from './child.js';
import type { CsDispatcherOptions } from './cs-dispatcher.js';
import type { CsWorkerOptions } from './cs-worker.js';
import { isReadyNow } from './converge.js';
import { countOverlaps } from './overlaps.js';

export { isReadyNow, readyReason, untilReason } from './converge.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The label that marks a chaos test's ClusterStreams; its dispatchers watch only those. */
export const RUN_LABEL = 'sluice.io/chaos-run';

export interface RigOptions {
  /** Run the queues on a Redis of the test's own (needed to restart it). @defaultValue false */
  readonly privateRedis?: boolean;
}

/** A private nats-server that wants a user and password. */
export interface PasswordNats {
  readonly server: PrivateNats;
  readonly url: string;
  readonly user: { readonly name: string; readonly password: string };
}

/** Worker settings that make lease expiry and retries quick enough for a test. */
export const FAST_LEASE = { lockDurationMs: 3000, stalledIntervalMs: 1000 } as const;

export class ChaosRig {
  readonly children: SluiceChild[] = [];
  /** Processes killed or paused on purpose: their unfinished reconciles are not overlaps. */
  readonly disrupted = new Set<number>();
  readonly names: string[] = [];
  /** `spec.name` (the topic) of each ClusterStream created through the rig. */
  readonly topics = new Map<string, string>();
  readonly logDir: string;
  readonly queues: QueueSet;
  private readonly secrets: TestSecret[] = [];

  private constructor(
    readonly iso: Isolation,
    readonly redisUrl: string,
    private readonly privateRedis: PrivateRedis | undefined,
  ) {
    this.logDir = path.join(stateDir, 'chaos', 'logs', iso.queuePrefix);
    this.queues = new QueueSet({ redis: redisUrl, prefix: iso.queuePrefix });
  }

  /** Sets up the namespace (and a private Redis if asked); everything is torn down after the test. */
  static async create(t: ExecutionContext, label: string, opts: RigOptions = {}): Promise<ChaosRig> {
    await installCrds();
    const iso = isolation(label);
    await useNamespace(t, iso.namespace);
    const redis = opts.privateRedis ? await startPrivateRedis() : undefined;
    const rig = new ChaosRig(iso, redis?.url ?? testEnv().redisUrl, redis);
    // A passing test's logs are removed; a failing one's stay for reading.
    t.teardown(() => rig.close(t.passed));
    return rig;
  }

  /** The operator's namespace of this test. */
  get namespace(): string {
    return this.iso.namespace;
  }

  get selector(): string {
    return `${RUN_LABEL}=${this.iso.queuePrefix}`;
  }

  get redis(): PrivateRedis | undefined {
    return this.privateRedis;
  }

  /** Registers a secret the scan must not find anywhere. */
  secret(label: string, value: string): void {
    this.secrets.push({ label, value });
  }

  /**
   * Starts a nats-server of this test's own that wants a user and password, and writes the binding
   * Secret `binding` with them into the operator's namespace. The password is a registered secret.
   */
  async privateNats(t: ExecutionContext, binding = 'nats-creds'): Promise<PasswordNats> {
    const user = {
      name: `chaos-${randomBytes(3).toString('hex')}`,
      password: `pw-${randomBytes(12).toString('hex')}`,
    };
    const server = await startPrivateNats({ user });
    t.teardown(() => server.stop());
    this.secret('NATS password', user.password);
    await adminClient().create(Builtin.Secret, {
      metadata: { name: binding, namespace: this.namespace },
      stringData: { type: 'nats', username: user.name, password: user.password },
    });
    return { server, url: server.url, user };
  }

  /** Spawns a worker process and waits until it takes jobs. */
  async worker(opts: Partial<CsWorkerOptions> = {}): Promise<SluiceChild> {
    const env = testEnv();
    const full: CsWorkerOptions = {
      redisUrl: this.redisUrl,
      prefix: this.iso.queuePrefix,
      kubeconfig: env.kubeconfig,
      operatorNamespace: this.namespace,
      kafkaBrokers: env.kafkaBrokers,
      natsUrl: env.natsUrl,
      ...FAST_LEASE,
      backoff: { initialMs: 200, maxMs: 5000, jitter: { around: 0.2 } },
      ...opts,
    };
    const child = SluiceChild.spawn('worker', path.join(here, 'cs-worker.js'), full, this.logDir);
    this.children.push(child);
    await child.waitFor('ready');
    return child;
  }

  /** Spawns a dispatcher; without a lease it leads at once, and this waits for that. */
  async dispatcher(lease?: { name: string; identity: string }): Promise<SluiceChild> {
    const full: CsDispatcherOptions = {
      redisUrl: this.redisUrl,
      prefix: this.iso.queuePrefix,
      kubeconfig: testEnv().kubeconfig,
      selector: this.selector,
      ...(lease ? { lease: { namespace: this.namespace, ...lease } } : {}),
    };
    const child = SluiceChild.spawn('dispatcher', path.join(here, 'cs-dispatcher.js'), full, this.logDir);
    this.children.push(child);
    if (!lease) await child.waitFor('leading');
    return child;
  }

  /** SIGKILLs a process; its unfinished work is not counted as an overlap. */
  async kill(child: SluiceChild): Promise<void> {
    this.disrupted.add(child.pid);
    await child.kill();
  }

  /** Pauses a process (SIGSTOP); resumed by {@link ChaosRig.resume}. */
  pause(child: SluiceChild): void {
    this.disrupted.add(child.pid);
    child.pause();
  }

  resume(child: SluiceChild): void {
    child.resume();
  }

  /** A topic name under the test's prefix. */
  topic(suffix: string): string {
    return `${this.iso.topicPrefix}${suffix}`;
  }

  /**
   * Creates a ClusterStream labelled for this test (so its dispatchers see it), with finalizers
   * dropped and the object deleted after the test.
   */
  async clusterStream(label: string, spec: Record<string, unknown>): Promise<string> {
    const name = uniqueName(`cs-${label}`);
    this.names.push(name);
    if (typeof spec.name === 'string') this.topics.set(name, spec.name);
    await adminClient().create(ClusterStreamKind, {
      metadata: { name, labels: { [RUN_LABEL]: this.iso.queuePrefix } },
      spec,
    });
    return name;
  }

  ref(name: string): ObjectRef {
    const k = ClusterStreamKind;
    return { group: k.group, version: k.version, kind: k.kind, name };
  }

  key(name: string): string {
    return jobKey(this.ref(name));
  }

  get(name: string): Promise<KubeObject | undefined> {
    return adminClient().get(ClusterStreamKind, undefined, name);
  }

  /**
   * Waits until every named ClusterStream satisfies `done` (default: Ready=True at its current
   * generation); resolves how many did within `timeoutMs`.
   */
  async converged(
    names: readonly string[],
    timeoutMs: number,
    done: (obj: KubeObject) => boolean = isReadyNow,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const objs = await Promise.all(names.map((n) => this.get(n).catch(() => undefined)));
      const count = objs.filter((o) => o !== undefined && done(o)).length;
      if (count === names.length || Date.now() > deadline) return count;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until every named ClusterStream is gone; resolves how many are. */
  async gone(names: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = (await Promise.all(names.map((n) => this.get(n)))).filter(Boolean).length;
      if (left === 0 || Date.now() > deadline) return names.length - left;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The ClusterStream queue's job for `name`, if one exists. */
  async job(name: string): Promise<Job | undefined> {
    const queue = this.queues.get(ClusterStreamKind);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed']);
    return jobs.find((j) => (j.data as { ref?: { name?: string } } | undefined)?.ref?.name === name);
  }

  /** Jobs waiting, prioritized or delayed (not yet run). */
  async pending(): Promise<number> {
    const c = await this.queues
      .get(ClusterStreamKind)
      .getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /** Markers of one name from every process, oldest first. */
  markers(name: string): SluiceChild['markers'] {
    return this.children.flatMap((c) => c.seen(name)).sort((a, b) => a.at - b.at);
  }

  /** Reconciles of one key that overlapped in time, killed or paused processes excepted. */
  overlaps(): number {
    return countOverlaps(
      this.children.flatMap((c) => c.markers),
      this.disrupted,
    );
  }

  /** Looks for the registered secrets in the logs, Events, statuses and Redis of this test. */
  async leaks(): Promise<Leak[]> {
    if (this.secrets.length === 0) return [];
    await Promise.all(this.children.map((c) => (c.alive ? Promise.resolve() : c.close())));
    const sources = [
      ...fileSources(this.children.map((c) => c.logFile)),
      ...(await clusterSources(
        [this.namespace],
        this.names.map((name) => ({ type: ClusterStreamKind, name })),
      )),
      ...(await redisSources(this.redisUrl, this.iso.queuePrefix)),
    ];
    return findLeaks(this.secrets, sources);
  }

  /** A one-line account of leaks, for assertion messages. */
  static describe(leaks: readonly Leak[]): string {
    return describeLeaks(leaks);
  }

  async close(removeLogs = false): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop(3000).catch(() => undefined)));
    if (removeLogs) rmSync(this.logDir, { recursive: true, force: true });
    const kube = adminClient();
    for (const name of this.names) {
      await kube
        .patch(ClusterStreamKind, undefined, name, { metadata: { finalizers: null } })
        .catch(() => undefined);
      await kube.delete(ClusterStreamKind, undefined, name).catch(() => undefined);
    }
    // Their finalizers did not run: the BrokerClaims they held go by hand.
    const held = new Set(this.names);
    for (const o of await kube.listAll(BrokerClaimType).catch(() => [])) {
      const claim = asBrokerClaim(o);
      if (claim?.spec.holder.kind === 'ClusterStream' && held.has(claim.spec.holder.name))
        await kube.delete(BrokerClaimType, undefined, o.metadata.name ?? '').catch(() => undefined);
    }
    const queue = this.queues.get(ClusterStreamKind);
    await queue.obliterate({ force: true }).catch(() => undefined);
    const keys = await this.queues.connection.keys(`${this.iso.queuePrefix}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await this.queues.connection.del(...keys).catch(() => undefined);
    await this.queues.close();
    await this.privateRedis?.stop();
  }
}
