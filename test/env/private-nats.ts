/**
 * @module test/env/private-nats
 * A nats-server with JetStream of a test's own, on a free port, optionally with authentication
 * (a token, or a user and password) and TLS: for tests that stop the broker (`down`, `up` on the
 * same port with the same store) or need a listener the shared server does not offer. The
 * settings go in a config file, so no credential shows in the process list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environment } from '../../runtime/config.js';
import { debianPrograms } from './build.js';
import { freePort } from './proc.js';

export interface PrivateNatsOptions {
  /** Clients must present this token. */
  readonly token?: string;
  /** Clients must log in as this user. */
  readonly user?: { readonly name: string; readonly password: string };
  /** Serve TLS with this certificate and key (files). */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
}

export interface PrivateNats {
  /** `nats://127.0.0.1:<port>` (`tls://` with TLS). */
  readonly url: string;
  readonly port: number;
  /** Kills the server; its JetStream store stays for {@link up}. */
  down(): Promise<void>;
  /** Starts it again on the same port and store. */
  up(): Promise<void>;
  /** Kills it and removes its store. */
  stop(): Promise<void>;
}

function quoted(s: string): string {
  return JSON.stringify(s);
}

function configText(port: number, monitor: number, dir: string, o: PrivateNatsOptions): string {
  const lines = [
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitor}"`,
    `server_name: sluice-private-${port}`,
    `jetstream { store_dir: ${quoted(path.join(dir, 'js'))} }`,
  ];
  if (o.token) lines.push(`authorization { token: ${quoted(o.token)} }`);
  if (o.user) {
    lines.push(
      `authorization { users: [ { user: ${quoted(o.user.name)}, password: ${quoted(o.user.password)} } ] }`,
    );
  }
  if (o.tls) lines.push(`tls { cert_file: ${quoted(o.tls.certPath)}, key_file: ${quoted(o.tls.keyPath)} }`);
  return `${lines.join('\n')}\n`;
}

async function jetStreamReady(monitor: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Whether a spawned process still runs (a signalled one has a null exit code but is gone). */
function running(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** Starts a private nats-server and waits until JetStream answers. */
export async function startPrivateNats(opts: PrivateNatsOptions = {}): Promise<PrivateNats> {
  const programs = await debianPrograms();
  const port = await freePort();
  const monitor = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-nats-'));
  const conf = path.join(dir, 'nats.conf');
  writeFileSync(conf, configText(port, monitor, dir, opts), { mode: 0o600 });
  let child: ChildProcess | undefined;
  const up = async (): Promise<void> => {
    if (child && running(child)) return;
    const started = spawn(programs.natsServer, ['-c', conf], {
      stdio: 'ignore',
      env: { ...environment() },
    });
    child = started;
    process.once('exit', () => started.kill('SIGKILL'));
    for (let i = 0; i < 200; i++) {
      if (await jetStreamReady(monitor)) return;
      if (!running(started)) break;
      await sleep(50);
    }
    throw new Error(`the private nats-server on port ${port} did not start`);
  };
  const down = async (): Promise<void> => {
    const c = child;
    if (!c || !running(c)) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await up();
  return {
    url: `${opts.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    port,
    down,
    up,
    async stop() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
