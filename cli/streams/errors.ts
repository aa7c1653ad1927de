/**
 * @module cli/streams/errors
 * The one error class of the Tawon commands: a message meant for the person at the terminal,
 * printed by `cli/main` as `sluice: <message>` with exit code 1.
 */
import { OperatorError } from '../../runtime/index.js';

/**
 * A failure the user can act on (an unknown Stream, a store that cannot be reached, no
 * kubeconfig). Its message says what went wrong and, where there is one, what to do about it.
 */
export class CliError extends OperatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('cli', message, options);
  }
}
