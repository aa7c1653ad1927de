/**
 * @module cli/streams/format
 * How messages are printed by `sluice streams sub` (pure).
 *
 * - table (the default): one line per message, `#<seq> <time> <payload>`, the payload as text
 *   when it is UTF-8 without control characters other than tab and newline, otherwise
 *   `(<n> bytes, binary) <hex of the first 32 bytes>` (`pcap packet` is said for pcap records);
 * - json: one JSON object per line (NDJSON): `seq`, `subject`, `time` (RFC 3339), `size`, and
 *   `data` with its `encoding`: `utf8` for text as above, `base64` otherwise.
 */
import { classifyMessage } from './pcap.js';
import type { StreamMessage } from './reader.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const PREVIEW_BYTES = 32;

/** The payload as text, or `undefined` when it is binary. */
export function payloadText(data: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : text;
}

function hex(data: Uint8Array): string {
  return (
    Buffer.from(data.subarray(0, PREVIEW_BYTES)).toString('hex') +
    (data.byteLength > PREVIEW_BYTES ? '…' : '')
  );
}

/** A binary payload in words. */
export function describeBinary(data: Uint8Array): string {
  const shape = classifyMessage(data);
  const what =
    shape.kind === 'packet'
      ? 'pcap packet'
      : shape.kind === 'segment'
        ? `pcap segment, ${shape.records} packet${shape.records === 1 ? '' : 's'}`
        : 'binary';
  return `(${data.byteLength} bytes, ${what}) ${hex(data)}`;
}

/** One line of the table format (without the newline). */
export function messageLine(m: StreamMessage): string {
  return `#${m.seq} ${m.time.toISOString()} ${payloadText(m.data) ?? describeBinary(m.data)}`;
}

/** One message as JSON (see the module notes). */
export function messageJson(m: StreamMessage): Record<string, string | number> {
  const text = payloadText(m.data);
  return {
    seq: m.seq,
    subject: m.subject,
    time: m.time.toISOString(),
    size: m.data.byteLength,
    encoding: text === undefined ? 'base64' : 'utf8',
    data: text ?? Buffer.from(m.data).toString('base64'),
  };
}

/** The message as printed in `format`, with its newline. */
export function formatMessage(m: StreamMessage, format: 'table' | 'json'): string {
  return `${format === 'json' ? JSON.stringify(messageJson(m)) : messageLine(m)}\n`;
}
