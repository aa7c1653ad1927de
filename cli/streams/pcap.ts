/**
 * @module cli/streams/pcap
 * The libpcap file format, as far as `sluice streams dump` needs it (pure; no I/O).
 *
 * A libpcap file is a 24-byte global header followed by records:
 * - global header: magic `0xa1b2c3d4` (microsecond timestamps) or `0xa1b23c4d` (nanosecond),
 *   written in the writer's byte order (so the bytes read `d4 c3 b2 a1` in a little-endian file),
 *   version 2.4, thiszone 0, sigfigs 0, snaplen, linktype;
 * - record: a 16-byte header (ts_sec, ts_usec or ts_nsec, incl_len, orig_len) in the file's byte
 *   order, followed by incl_len bytes of packet data.
 *
 * What a "pcap message" on a Tawon Stream is (decided here, once): a message is pcap data when it
 * is either
 * 1. **one packet**: exactly one little-endian, microsecond record header followed by exactly
 *    incl_len bytes, with incl_len ≤ orig_len, incl_len ≤ {@link MAX_SNAPLEN} and ts_usec below one
 *    million (the message length must be exactly 16 + incl_len, which random data almost never
 *    matches); or
 * 2. **a pcap segment**: a whole pcap file (global header and zero or more records that fill the
 *    message exactly), as a capture agent writes when it flushes its buffer. When such messages are
 *    dumped, the global header is written once and every later segment contributes its records.
 */

/** The magic of a microsecond-resolution pcap file. */
export const PCAP_MAGIC = 0xa1b2c3d4;
/** The magic of a nanosecond-resolution pcap file. */
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const GLOBAL_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;
/** LINKTYPE_ETHERNET, the link type assumed for one-packet messages unless told otherwise. */
export const LINKTYPE_ETHERNET = 1;
/** The snaplen written for one-packet messages, and the largest packet accepted (tcpdump's default). */
export const MAX_SNAPLEN = 262144;

/** What a pcap global header says. */
export interface PcapFileHeader {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;
  readonly linktype: number;
}

/** One record of a pcap file. */
export interface PcapRecord {
  readonly tsSec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  readonly tsFraction: number;
  readonly inclLen: number;
  readonly origLen: number;
  readonly data: Uint8Array;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A little-endian, microsecond global header with the given snaplen and linktype. */
export function globalHeader(opts: { snaplen?: number; linktype?: number } = {}): Uint8Array {
  const out = new Uint8Array(GLOBAL_HEADER_BYTES);
  const v = view(out);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, PCAP_VERSION_MAJOR, true);
  v.setUint16(6, PCAP_VERSION_MINOR, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, opts.snaplen ?? MAX_SNAPLEN, true);
  v.setUint32(20, opts.linktype ?? LINKTYPE_ETHERNET, true);
  return out;
}

/** One packet as a one-packet message: a little-endian record header and the data. */
export function recordMessage(packet: {
  tsSec: number;
  tsUsec: number;
  data: Uint8Array;
  origLen?: number;
}): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + packet.data.byteLength);
  const v = view(out);
  v.setUint32(0, packet.tsSec, true);
  v.setUint32(4, packet.tsUsec, true);
  v.setUint32(8, packet.data.byteLength, true);
  v.setUint32(12, packet.origLen ?? packet.data.byteLength, true);
  out.set(packet.data, RECORD_HEADER_BYTES);
  return out;
}

/** Reads a global header at the start of `buf`; `undefined` when there is none. */
export function readGlobalHeader(buf: Uint8Array): PcapFileHeader | undefined {
  if (buf.byteLength < GLOBAL_HEADER_BYTES) return undefined;
  const v = view(buf);
  for (const littleEndian of [true, false]) {
    const magic = v.getUint32(0, littleEndian);
    if (magic !== PCAP_MAGIC && magic !== PCAP_MAGIC_NANO) continue;
    return {
      littleEndian,
      nanosecond: magic === PCAP_MAGIC_NANO,
      versionMajor: v.getUint16(4, littleEndian),
      versionMinor: v.getUint16(6, littleEndian),
      snaplen: v.getUint32(16, littleEndian),
      linktype: v.getUint32(20, littleEndian),
    };
  }
  return undefined;
}

/**
 * Reads the records from `offset` to the end of `buf`; `undefined` unless they fill it exactly
 * (a truncated record, or bytes that are not records, make the whole buffer not pcap).
 */
export function readRecords(
  buf: Uint8Array,
  offset: number,
  littleEndian: boolean,
  nanosecond = false,
): PcapRecord[] | undefined {
  const v = view(buf);
  const records: PcapRecord[] = [];
  let at = offset;
  while (at < buf.byteLength) {
    if (buf.byteLength - at < RECORD_HEADER_BYTES) return undefined;
    const tsSec = v.getUint32(at, littleEndian);
    const tsFraction = v.getUint32(at + 4, littleEndian);
    const inclLen = v.getUint32(at + 8, littleEndian);
    const origLen = v.getUint32(at + 12, littleEndian);
    const start = at + RECORD_HEADER_BYTES;
    if (inclLen > MAX_SNAPLEN || inclLen > origLen || start + inclLen > buf.byteLength) return undefined;
    if (tsFraction >= (nanosecond ? 1_000_000_000 : 1_000_000)) return undefined;
    records.push({ tsSec, tsFraction, inclLen, origLen, data: buf.subarray(start, start + inclLen) });
    at = start + inclLen;
  }
  return records;
}

/** A whole pcap file read back: its header and records. */
export interface PcapFile {
  readonly header: PcapFileHeader;
  readonly records: PcapRecord[];
}

/** Parses a whole pcap file; `undefined` when it is not one. */
export function parsePcapFile(buf: Uint8Array): PcapFile | undefined {
  const header = readGlobalHeader(buf);
  if (!header) return undefined;
  const records = readRecords(buf, GLOBAL_HEADER_BYTES, header.littleEndian, header.nanosecond);
  return records ? { header, records } : undefined;
}

/** What a message is, as far as pcap goes. */
export type PcapMessage =
  | { readonly kind: 'packet' }
  | {
      readonly kind: 'segment';
      readonly header: PcapFileHeader;
      /** The 24 header bytes as the writer wrote them. */
      readonly headerBytes: Uint8Array;
      /** The records, as they are in the message. */
      readonly body: Uint8Array;
      readonly records: number;
    }
  | { readonly kind: 'other' };

/** Classifies one message payload (see the module notes for the two pcap shapes). */
export function classifyMessage(payload: Uint8Array): PcapMessage {
  const header = readGlobalHeader(payload);
  if (header) {
    const records = readRecords(payload, GLOBAL_HEADER_BYTES, header.littleEndian, header.nanosecond);
    if (records) {
      return {
        kind: 'segment',
        header,
        headerBytes: payload.subarray(0, GLOBAL_HEADER_BYTES),
        body: payload.subarray(GLOBAL_HEADER_BYTES),
        records: records.length,
      };
    }
  }
  const one = payload.byteLength >= RECORD_HEADER_BYTES ? readRecords(payload, 0, true) : undefined;
  return one?.length === 1 ? { kind: 'packet' } : { kind: 'other' };
}

/** Whether two global headers describe the same byte order, precision and link type. */
export function sameFormat(a: PcapFileHeader, b: PcapFileHeader): boolean {
  return a.littleEndian === b.littleEndian && a.nanosecond === b.nanosecond && a.linktype === b.linktype;
}
