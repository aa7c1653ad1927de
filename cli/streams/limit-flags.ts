/**
 * @module cli/streams/limit-flags
 * The `--maxmsgs`, `--maxage` and `--maxbytes` flags of `sluice directive run`, checked with the
 * operator's own parsers (so a value the operator would refuse is refused before anything is
 * created) and written as the CRD holds them: maxmsgs a number, maxage the duration as given,
 * maxbytes a number when it is digits only, else the size as given (`1G`).
 */
import { TerminalError } from '../../runtime/index.js';
import { parseCount, parseDuration, parseSize } from '../../shared/index.js';
import { CliError } from './errors.js';

export interface LimitFlags {
  readonly maxmsgs?: string;
  readonly maxage?: string;
  readonly maxbytes?: string;
}

export interface StreamLimits {
  readonly maxmsgs?: number;
  readonly maxage?: string;
  readonly maxbytes?: number | string;
}

function checked<T>(flag: string, parse: () => T): T {
  try {
    const value = parse();
    if (typeof value === 'number' && value <= 0) throw new CliError(`--${flag}: must be positive`);
    return value;
  } catch (err) {
    if (err instanceof TerminalError) throw new CliError(`--${flag}: ${err.message.replace(/^[^:]*: /, '')}`);
    throw err;
  }
}

/** The limits given on the command line. @throws CliError for a malformed one. */
export function limitFlags(flags: LimitFlags): StreamLimits {
  const { maxmsgs, maxage, maxbytes } = flags;
  return {
    ...(maxmsgs === undefined ? {} : { maxmsgs: checked('maxmsgs', () => parseCount(maxmsgs, 'maxmsgs')) }),
    ...(maxage === undefined
      ? {}
      : { maxage: (checked('maxage', () => parseDuration(maxage, 'maxage')), maxage) }),
    ...(maxbytes === undefined
      ? {}
      : {
          maxbytes: /^[0-9]+$/.test(maxbytes)
            ? checked('maxbytes', () => parseSize(maxbytes, 'maxbytes'))
            : (checked('maxbytes', () => parseSize(maxbytes, 'maxbytes')), maxbytes),
        }),
  };
}
