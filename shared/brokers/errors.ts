/**
 * @module brokers/errors
 */
import { RetryableError } from '../../runtime/errors.js';

/** The broker could not be reached or did not answer in time; retried with backoff. */
export class BrokerUnavailableError extends RetryableError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('BrokerUnavailable', what, options);
  }
}
