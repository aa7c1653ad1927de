/**
 * @module runtime/checks
 * Hand-written checks of untrusted strings, for the boundaries on hot or start-up paths (job
 * payloads, HTTP bodies) where a decorator-based validator costs too much to load or to run.
 */

/** A DNS subdomain as Kubernetes names objects: lowercase alphanumerics, `-` and `.`. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A DNS label as Kubernetes names namespaces: lowercase alphanumerics and `-`. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface StringRule {
  /** Accept the empty string. */
  readonly empty?: true;
  /** A pattern the value must match, and what to call it in the message. */
  readonly pattern?: RegExp;
  readonly what?: string;
}

/** Why `value` is not a string of 1..max (0..max with `empty`) characters matching the rule, or undefined. */
export function stringProblem(value: unknown, max: number, rule: StringRule = {}): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 && rule.empty !== true) return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters`;
  if (rule.pattern && !rule.pattern.test(value)) return `must be a ${rule.what ?? 'valid value'}`;
  return undefined;
}
