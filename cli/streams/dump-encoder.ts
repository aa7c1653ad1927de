/**
 * @module cli/streams/dump-encoder
 * Turns the messages of a Stream into the bytes of a dump (pure; the command writes them).
 *
 * Formats:
 * - **pcap**: a valid libpcap file. One-packet messages get a little-endian, microsecond global
 *   header (version 2.4, snaplen {@link MAX_SNAPLEN} unless told, linktype from `--linktype`,
 *   Ethernet by default) followed by the messages as they are. When the first pcap message is a
 *   pcap segment (a whole file), its own global header is written once, unchanged, and every
 *   segment then contributes its records. A message that does not fit (not pcap, or a segment
 *   with another byte order, precision or link type) is skipped, never written into the file.
 * - **raw**: every payload as it is, each preceded by its length as a 4-byte big-endian unsigned
 *   integer, so message boundaries survive (read back: length, payload, length, payload, ...).
 * - **auto** (the default): pcap when the first message is pcap data (see `pcap.ts`), else raw.
 */
import {
  LINKTYPE_ETHERNET,
  MAX_SNAPLEN,
  classifyMessage,
  globalHeader,
  readGlobalHeader,
  sameFormat,
  type PcapFileHeader,
} from './pcap.js';

export type DumpFormat = 'auto' | 'pcap' | 'raw';

export const DUMP_FORMATS: readonly DumpFormat[] = ['auto', 'pcap', 'raw'];

export interface DumpEncoderOptions {
  /** @defaultValue `auto` */
  readonly format?: DumpFormat;
  /** Link type written for one-packet messages. @defaultValue 1 (Ethernet) */
  readonly linktype?: number;
  /** Snaplen written for one-packet messages. @defaultValue 262144 */
  readonly snaplen?: number;
}

/** The bytes to write for one message, or why it was skipped. */
export interface Encoded {
  readonly chunks: readonly Uint8Array[];
  /** Set when the message was left out of the dump. */
  readonly skipped?: string;
}

/** What has been encoded so far. */
export interface DumpStats {
  /** The format chosen, once the first message decided it. */
  readonly format: 'pcap' | 'raw' | undefined;
  readonly messages: number;
  readonly written: number;
  /** Packets written (pcap only). */
  readonly packets: number;
  readonly skipped: number;
  readonly bytes: number;
}

function lengthPrefix(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/** Encodes messages one by one into pcap or raw (see the module notes). */
export class DumpEncoder {
  private readonly format: DumpFormat;
  private readonly linktype: number;
  private readonly snaplen: number;
  private mode: 'pcap' | 'raw' | undefined;
  private header: PcapFileHeader | undefined;
  private counts = { messages: 0, written: 0, packets: 0, skipped: 0, bytes: 0 };

  constructor(opts: DumpEncoderOptions = {}) {
    this.format = opts.format ?? 'auto';
    this.linktype = opts.linktype ?? LINKTYPE_ETHERNET;
    this.snaplen = opts.snaplen ?? MAX_SNAPLEN;
    if (this.format === 'raw') this.mode = 'raw';
  }

  /**
   * Starts a pcap file before any message arrives (for a reader such as Wireshark that waits for
   * the header, and so that a dump of no messages is still a valid file): writes the
   * little-endian, microsecond header of one-packet messages. Segments must then match it.
   * Nothing happens in raw or auto format.
   */
  begin(): Encoded {
    if (this.format !== 'pcap' || this.mode !== undefined) return { chunks: [] };
    this.mode = 'pcap';
    const first = globalHeader({ snaplen: this.snaplen, linktype: this.linktype });
    this.header = readGlobalHeader(first);
    return { chunks: [first] };
  }

  stats(): DumpStats {
    return { format: this.mode, ...this.counts };
  }

  encode(payload: Uint8Array): Encoded {
    this.counts.messages++;
    const out = this.mode === 'raw' ? this.raw(payload) : this.pcap(payload);
    if (out.skipped !== undefined) this.counts.skipped++;
    else {
      this.counts.written++;
      for (const c of out.chunks) this.counts.bytes += c.byteLength;
    }
    return out;
  }

  private raw(payload: Uint8Array): Encoded {
    return { chunks: [lengthPrefix(payload.byteLength), payload] };
  }

  private pcap(payload: Uint8Array): Encoded {
    const shape = classifyMessage(payload);
    if (shape.kind === 'other') {
      if (this.mode === undefined && this.format === 'auto') {
        this.mode = 'raw';
        return this.raw(payload);
      }
      return { chunks: [], skipped: 'it is not pcap data' };
    }
    const chunks: Uint8Array[] = [];
    if (this.mode === undefined) {
      this.mode = 'pcap';
      const first =
        shape.kind === 'segment'
          ? shape.headerBytes
          : globalHeader({ snaplen: this.snaplen, linktype: this.linktype });
      this.header = readGlobalHeader(first);
      chunks.push(first);
    }
    const header = this.header;
    if (!header) return { chunks: [], skipped: 'no pcap header' };
    if (shape.kind === 'packet') {
      if (!header.littleEndian || header.nanosecond) {
        return { chunks, skipped: 'a one-packet message does not fit the big-endian or nanosecond file' };
      }
      this.counts.packets++;
      chunks.push(payload);
      return { chunks };
    }
    const first = chunks.length > 0;
    if (!first && !sameFormat(header, shape.header)) {
      return {
        chunks,
        skipped: `its pcap header (linktype ${shape.header.linktype}) differs from the file's (linktype ${header.linktype})`,
      };
    }
    this.counts.packets += shape.records;
    if (shape.body.byteLength > 0) chunks.push(shape.body);
    return { chunks };
  }
}
