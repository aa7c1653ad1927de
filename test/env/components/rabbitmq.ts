/**
 * @module test/env/components/rabbitmq
 * RabbitMQ from Debian's `rabbitmq-server` (installed: Erlang does not run from an extracted
 * package), on loopback ports of its own, started on demand: `env:up` leaves it alone, a test that
 * needs it calls {@link ensureRabbitMq}, and it keeps running for the next one until `env:down`.
 * Its state is under `.sluice/data/rabbitmq`, its Erlang port mapper (epmd) runs as a component of
 * its own on a private port, so both are stopped by recorded pid.
 *
 * Users and virtual hosts come from a definitions file loaded at boot: `guest` (administrator of
 * `/`, loopback only, RabbitMQ's default), and `sluice-test` with its password on the virtual host
 * `sluice-test`, for tests of credentials and virtual hosts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Component } from '../component.js';
import { dataDir, runDir, stateDir } from '../paths.js';
import { freePort, livePid, startDetached, waitFor } from '../proc.js';
import { loadOrCreateState, type EnvState } from '../state.js';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = '/usr/bin/epmd';

/** Where the on-demand RabbitMQ listens, and the users it has. */
export interface RabbitEnv {
  /** `127.0.0.1:<port>` (AMQP 0-9-1). */
  readonly hostPort: string;
  readonly port: number;
  /** The default administrator of the virtual host `/`. */
  readonly guest: { readonly username: 'guest'; readonly password: 'guest' };
  /** A user of its own virtual host. */
  readonly tenant: { readonly username: string; readonly password: string; readonly vhost: string };
}

interface RabbitState {
  readonly amqp: number;
  readonly dist: number;
  readonly epmd: number;
  readonly tenantPassword: string;
}

const statePath = path.join(stateDir, 'rabbitmq.json');

/** The ports (chosen once, kept in `.sluice/rabbitmq.json`, apart from the other servers' state). */
async function rabbitState(): Promise<RabbitState> {
  try {
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as Partial<RabbitState>;
    if (saved.amqp && saved.dist && saved.epmd && saved.tenantPassword) return saved as RabbitState;
  } catch {
    /* first use */
  }
  const state: RabbitState = {
    amqp: await freePort(),
    dist: await freePort(),
    epmd: await freePort(),
    tenantPassword: randomBytes(12).toString('hex'),
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  return state;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** RabbitMQ's SHA-256 password hash: base64 of a 4-byte salt and SHA-256(salt + password). */
function passwordHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

function writeConfig(dir: string, s: RabbitState): string {
  const definitions = {
    users: [
      {
        name: 'guest',
        password_hash: passwordHash('guest'),
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: ['administrator'],
      },
      {
        name: 'sluice-test',
        password_hash: passwordHash(s.tenantPassword),
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: [],
      },
    ],
    vhosts: [{ name: '/' }, { name: 'sluice-test' }],
    permissions: [
      { user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' },
      { user: 'sluice-test', vhost: 'sluice-test', configure: '.*', write: '.*', read: '.*' },
    ],
  };
  const defs = path.join(dir, 'definitions.json');
  writeFileSync(defs, JSON.stringify(definitions), { mode: 0o600 });
  const conf = path.join(dir, 'rabbitmq.conf');
  writeFileSync(
    conf,
    [
      `listeners.tcp.default = 127.0.0.1:${s.amqp}`,
      'disk_free_limit.absolute = 50MB',
      `load_definitions = ${defs}`,
      'log.console = true',
      'log.file = false',
      '',
    ].join('\n'),
  );
  return conf;
}

export const rabbitmqEpmd: Component = {
  name: 'rabbitmq-epmd',
  async healthy() {
    const s = await rabbitState();
    return livePid('rabbitmq-epmd') !== undefined && (await listening(s.epmd));
  },
  async start() {
    const s = await rabbitState();
    const pid = startDetached('rabbitmq-epmd', EPMD, ['-port', String(s.epmd), '-address', '127.0.0.1']);
    await waitFor('rabbitmq-epmd', () => listening(s.epmd), 10_000, pid);
  },
  describe() {
    return 'Erlang port mapper of the on-demand RabbitMQ';
  },
};

export const rabbitmq: Component = {
  name: 'rabbitmq',
  async healthy() {
    const s = await rabbitState();
    return livePid('rabbitmq') !== undefined && (await listening(s.amqp));
  },
  async start(env: EnvState) {
    if (!existsSync(SERVER)) {
      throw new Error(
        `rabbitmq: ${SERVER} is missing; install Debian's rabbitmq-server (apt-get install rabbitmq-server)`,
      );
    }
    const s = await rabbitState();
    if (!(await rabbitmqEpmd.healthy(env))) await rabbitmqEpmd.start(env);
    const dir = path.join(dataDir, 'rabbitmq');
    mkdirSync(dir, { recursive: true });
    const conf = writeConfig(dir, s);
    const envFile = path.join(dir, 'rabbitmq-env.conf');
    writeFileSync(envFile, '# the test environment sets everything in the environment\n');
    const enabled = path.join(dir, 'enabled_plugins');
    writeFileSync(enabled, '[].\n');
    const pid = startDetached('rabbitmq', SERVER, [], {
      env: {
        HOME: dir,
        ERL_EPMD_PORT: String(s.epmd),
        RABBITMQ_NODENAME: 'sluice-test@localhost',
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(s.amqp),
        RABBITMQ_DIST_PORT: String(s.dist),
        RABBITMQ_CONFIG_FILE: conf,
        RABBITMQ_CONF_ENV_FILE: envFile,
        RABBITMQ_ENABLED_PLUGINS_FILE: enabled,
        RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
        RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: path.join(dir, 'log'),
        RABBITMQ_PID_FILE: path.join(dir, 'rabbitmq.pid'),
        RABBITMQ_LOGS: '-',
      },
    });
    await waitFor('rabbitmq', () => listening(s.amqp), 90_000, pid);
  },
  describe() {
    try {
      const saved = JSON.parse(readFileSync(statePath, 'utf8')) as Partial<RabbitState>;
      return `amqp://127.0.0.1:${saved.amqp ?? '?'} (on demand; users in .sluice/rabbitmq.json)`;
    } catch {
      return 'on demand: not started yet';
    }
  },
};

/** A lock directory between the test processes that may all want RabbitMQ at once. */
async function withStartLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(runDir, 'rabbitmq.lock');
  mkdirSync(runDir, { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000 || i > 1200) rmSync(lock, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Starts the on-demand RabbitMQ unless it runs, and says where it is. */
export async function ensureRabbitMq(): Promise<RabbitEnv> {
  const env = await loadOrCreateState();
  await withStartLock(async () => {
    if (!(await rabbitmq.healthy(env))) await rabbitmq.start(env);
  });
  const s = await rabbitState();
  return {
    hostPort: `127.0.0.1:${s.amqp}`,
    port: s.amqp,
    guest: { username: 'guest', password: 'guest' },
    tenant: { username: 'sluice-test', password: s.tenantPassword, vhost: 'sluice-test' },
  };
}
