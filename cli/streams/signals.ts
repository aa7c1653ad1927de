/**
 * @module cli/streams/signals
 * Ctrl-C (SIGINT) and SIGTERM as an AbortSignal: the first one asks the command to finish cleanly
 * (stop reading, flush, delete what it created); a second one exits at once with code 130, after
 * saying what was left undone.
 */

/** The signals that end a command. */
export const ENDING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface Interruption {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers (the default behaviour of the signals comes back). */
  dispose(): void;
}

/**
 * Installs the handlers.
 * @param leftUndone what a second signal leaves undone, for its message (none: nothing is said).
 */
export function onInterrupt(leftUndone: () => string | undefined = () => undefined): Interruption {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    if (got !== undefined) {
      const undone = leftUndone();
      process.stderr.write(`\n${sig} again: exiting now${undone ? `; left undone: ${undone}` : ''}\n`);
      process.exit(130);
    }
    got = sig;
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  for (const s of ENDING_SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      for (const s of ENDING_SIGNALS) process.off(s, handler);
    },
  };
}
