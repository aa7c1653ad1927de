/**
 * @module runtime/errors
 * Sluice's error classes. Classify with `instanceof` (or `code`), never by message text.
 *
 * Retry semantics, as the worker host applies them:
 * - {@link TerminalError}: the spec cannot work as written; set a condition, do not retry.
 * - every other error: retried with capped exponential backoff.
 */

/** Base of every Sluice error: carries a stable `code` and an optional `cause`. */
export class OperatorError extends Error {
  /** A stable, machine-readable identifier of the failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The object's spec is invalid or asks for something that cannot be honoured. The worker sets
 * `Ready=False` with {@link reason} and does not retry until the object changes.
 */
export class TerminalError extends OperatorError {
  /** The condition reason, in CamelCase (for example `ProtocolNotSupported`). */
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super('terminal', message, options);
    this.reason = reason;
  }
}

/**
 * A transient failure that should surface as a condition while it is retried (a broker that is
 * down, a dependency that is not ready yet). Retried with backoff like any error.
 */
export class RetryableError extends OperatorError {
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super('retryable', message, options);
    this.reason = reason;
  }
}

/** A configuration value is missing or malformed. Thrown at start-up; the process exits. */
export class ConfigError extends OperatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** What a Kubernetes `Status` says the failure is about (`details.kind` is a resource, e.g. `namespaces`). */
export interface KubeStatusDetails {
  readonly kind?: string;
  readonly name?: string;
}

/** A Kubernetes API call failed with an HTTP status. */
export class KubeApiError extends OperatorError {
  readonly status: number;
  readonly reason: string;
  /** The `details` of the API server's Status, when it sent one. */
  readonly details: KubeStatusDetails;

  constructor(
    status: number,
    reason: string,
    message: string,
    options?: { cause?: unknown; details?: KubeStatusDetails },
  ) {
    super(`kube-${status}`, message, options);
    this.status = status;
    this.reason = reason;
    this.details = options?.details ?? {};
  }

  /** A 404 because the namespace the request names does not exist (not the object itself). */
  get isNamespaceNotFound(): boolean {
    return this.status === 404 && this.details.kind === 'namespaces';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }

  get isGone(): boolean {
    return this.status === 410;
  }
}

/**
 * Replaces what looks like a credential in a message with `[redacted]`: the password of a URL's
 * user info, a bearer token, and the value after `password=`, `token:`, `secret=` and the like.
 * For messages Sluice did not write itself (an error from a library), before they reach a
 * condition; Sluice's own messages never carry secrets to begin with.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, '$1:[redacted]@')
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(
      /\b(password|passwd|pass|token|secret|api[-_]?key|credentials?)(["']?\s*[=:]\s*["']?)[^\s"',;&]+/gi,
      '$1$2[redacted]',
    );
}

/** Returns the message of anything thrown, for logs and conditions. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
