/**
 * @module brokers/binding-entries
 * Reads the entries of a Service Binding Secret (`data`, base64, overlaid by `stringData`, as the
 * API server does on write) and checks PEM material. Every failure is an
 * {@link InvalidBindingError} naming the Secret and the key, never the value.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KubeObject } from '../../runtime/kube/types.js';
import { isRecord } from '../../runtime/util.js';
import { InvalidBindingError } from './failures.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `namespace/name` of a Secret, for messages. */
export function secretId(secret: KubeObject): string {
  const { namespace, name } = secret.metadata;
  return `${namespace ?? ''}${namespace ? '/' : ''}${name ?? '(unnamed)'}`;
}

/** The decoded entries of a Secret, and the Secret's id for error messages. */
export class BindingEntries {
  constructor(
    readonly secret: string,
    private readonly entries: ReadonlyMap<string, string>,
  ) {}

  /** Reads `data` (base64) and `stringData` (plain, wins on conflict). */
  static read(secret: KubeObject): BindingEntries {
    const id = secretId(secret);
    const entries = new Map<string, string>();
    const { data, stringData } = secret as { data?: unknown; stringData?: unknown };
    if (data !== undefined && data !== null) {
      if (!isRecord(data)) throw new InvalidBindingError(id, undefined, 'data is not a map of strings');
      for (const [key, value] of Object.entries(data)) entries.set(key, decode(id, key, value));
    }
    if (stringData !== undefined && stringData !== null) {
      if (!isRecord(stringData)) {
        throw new InvalidBindingError(id, undefined, 'stringData is not a map of strings');
      }
      for (const [key, value] of Object.entries(stringData)) {
        if (typeof value !== 'string') throw new InvalidBindingError(id, key, 'is not a string');
        entries.set(key, value);
      }
    }
    if (entries.size === 0) throw new InvalidBindingError(id, undefined, 'has no data');
    return new BindingEntries(id, entries);
  }

  /** An error about this Secret. */
  error(key: string | undefined, problem: string): InvalidBindingError {
    return new InvalidBindingError(this.secret, key, problem);
  }

  /** The value of the first present key, trimmed; empty values count as absent. */
  text(...keys: string[]): string | undefined {
    return this.firstOf(keys, (v) => v.trim());
  }

  /**
   * A credential (password, token), taken verbatim except for one trailing newline (the usual
   * artefact of `kubectl create secret --from-file`); empty values count as absent.
   */
  secretText(...keys: string[]): string | undefined {
    return this.firstOf(keys, (v) => v.replace(/\r?\n$/, ''));
  }

  /**
   * The value under either of two synonymous keys; throws when both are present and disagree.
   * `read` is {@link text} or {@link secretText}.
   */
  synonym(first: string, second: string, read: 'text' | 'secretText'): string | undefined {
    const a = this[read](first);
    const b = this[read](second);
    if (a !== undefined && b !== undefined && a !== b) {
      throw this.error(second, `disagrees with key ${first}`);
    }
    return a ?? b;
  }

  /** The PEM certificates under the first present key, each checked by parsing it. */
  certificates(...keys: string[]): string | undefined {
    const key = keys.find((k) => this.text(k) !== undefined);
    const pem = key === undefined ? undefined : this.text(key);
    if (key === undefined || pem === undefined) return undefined;
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw this.error(key, 'is not a PEM certificate (chain)');
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch {
        throw this.error(key, 'holds a PEM certificate that does not parse');
      }
    }
    return `${pem}\n`;
  }

  /** The unencrypted PEM private key under the first present key, checked by parsing it. */
  privateKey(...keys: string[]): string | undefined {
    const key = keys.find((k) => this.text(k) !== undefined);
    const pem = key === undefined ? undefined : this.text(key);
    if (key === undefined || pem === undefined) return undefined;
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw this.error(key, 'is not a PEM private key');
    if (/ENCRYPTED/.test(pem)) throw this.error(key, 'is an encrypted private key (no passphrase support)');
    try {
      createPrivateKey(pem);
    } catch {
      throw this.error(key, 'holds a PEM private key that does not parse');
    }
    return `${pem}\n`;
  }

  private firstOf(keys: readonly string[], clean: (v: string) => string): string | undefined {
    for (const key of keys) {
      const raw = this.entries.get(key);
      if (raw === undefined) continue;
      const value = clean(raw);
      if (value.trim() !== '') return value;
    }
    return undefined;
  }
}

function decode(secret: string, key: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidBindingError(secret, key, 'is not a string');
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new InvalidBindingError(secret, key, 'is not valid base64');
  try {
    return utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    throw new InvalidBindingError(secret, key, 'does not decode to UTF-8 text');
  }
}
