/**
 * @module test/env/private-tls
 * A throw-away PKI for tests of TLS listeners, made with openssl in a temporary folder: a CA, a
 * server certificate it signs (valid for 127.0.0.1 and localhost unless other names are asked
 * for), and an unrelated second CA
 * (the "wrong CA" a client may be given). Keys are EC P-256, unencrypted, PKCS#8.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The files and PEM texts of a test PKI. */
export interface TestPki {
  readonly dir: string;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  readonly caPath: string;
  /** PEM of another CA, which did not sign anything the servers present. */
  readonly wrongCa: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** Key then certificate chain in one PEM file (Kafka's PEM keystore). */
  readonly serverBundlePath: string;
  /** Removes the folder. */
  remove(): void;
}

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await execFileP('openssl', [...args], { cwd: dir });
}

async function selfSignedCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** What the server certificate is valid for. */
export interface TestPkiOptions {
  /** subjectAltName entries. @defaultValue `['IP:127.0.0.1', 'DNS:localhost']` */
  readonly altNames?: readonly string[];
}

/** Makes a CA, a server certificate signed by it, and a second, unrelated CA. */
export async function makeTestPki(opts: TestPkiOptions = {}): Promise<TestPki> {
  const altNames = opts.altNames ?? ['IP:127.0.0.1', 'DNS:localhost'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-pki-'));
  await selfSignedCa(dir, 'sluice-test-ca');
  await selfSignedCa(dir, 'sluice-wrong-ca');
  await openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(
    path.join(dir, 'server.ext'),
    `subjectAltName=${altNames.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'sluice-test-ca.crt',
    '-CAkey',
    'sluice-test-ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');
  const bundle = path.join(dir, 'server-bundle.pem');
  writeFileSync(bundle, `${read('server.key')}${read('server.crt')}`);
  return {
    dir,
    ca: read('sluice-test-ca.crt'),
    caPath: path.join(dir, 'sluice-test-ca.crt'),
    wrongCa: read('sluice-wrong-ca.crt'),
    serverCertPath: path.join(dir, 'server.crt'),
    serverKeyPath: path.join(dir, 'server.key'),
    serverBundlePath: bundle,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
