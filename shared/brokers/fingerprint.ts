/**
 * @module brokers/fingerprint
 * A stable, non-reversible identifier of a set of credentials, for pool keys and logs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { BrokerCredentials } from './types.js';

/** Per-process HMAC key: fingerprints are only comparable within one process, and cannot be brute-forced offline. */
const processKey = randomBytes(32);

/**
 * A 16-hex-digit keyed hash of the credentials; equal credentials give equal fingerprints within
 * this process. `none` when there are no credentials.
 */
export function credentialsFingerprint(credentials: BrokerCredentials | undefined): string {
  if (credentials === undefined) return 'none';
  const canonical = JSON.stringify([
    credentials.username ?? null,
    credentials.password ?? null,
    credentials.saslMechanism ?? null,
    credentials.token ?? null,
    credentials.vhost ?? null,
    credentials.tls === undefined
      ? null
      : [credentials.tls.ca ?? null, credentials.tls.cert ?? null, credentials.tls.key ?? null],
  ]);
  return createHmac('sha256', processKey).update(canonical).digest('hex').slice(0, 16);
}
