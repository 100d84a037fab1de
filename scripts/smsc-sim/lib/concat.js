'use strict';
// Concatenated SMS, written independently of lianxin's C++ code: splitting a text into parts,
// building the UDH (8-bit and 16-bit reference) or the sar_* TLVs, parsing a received UDH, and
// reassembling parts that may arrive out of order or duplicated.
const text = require('./text');

const SPLIT_KINDS = ['udh8', 'udh16', 'sar', 'none', 'payload'];
const UDH_LENGTH = { udh8: 6, udh16: 7, sar: 0, none: 0, payload: 0 };

// Octets a single short_message may carry: 160 septets (one per octet, unpacked) or 140 octets.
function singleBudget(encoding) { return encoding === 'gsm' ? 160 : 140; }

// Payload octets left for the text of one part next to its UDH. In GSM a 6-octet UDH costs
// 7 septets (153 left), a 7-octet one 8 septets (152 left).
function partBudget(encoding, kind) {
  const udh = UDH_LENGTH[kind];
  if (encoding === 'gsm') return 160 - (udh === 0 ? 0 : Math.ceil((udh * 8) / 7));
  return 140 - udh;
}

// Encodes each character on its own so parts never cut a GSM escape sequence or a surrogate pair.
function encodeUnits(str, encoding) {
  const encode = text.ENCODINGS[encoding].encode;
  return [...str].map((ch) => encode(ch));
}

function concatBytes(units) { return Buffer.concat(units); }

// Splits `str` into the payloads of `parts` parts (or as few as fit when `parts` is undefined).
// Returns an array of Buffers (text octets only, no UDH).
function splitPayloads(str, encoding, kind, parts) {
  if (!SPLIT_KINDS.includes(kind)) throw new Error(`unknown split "${kind}" (${SPLIT_KINDS.join(', ')})`);
  const units = encodeUnits(str, encoding);
  const whole = concatBytes(units);
  if (kind === 'none' || kind === 'payload') {
    if (parts !== undefined && parts !== 1) throw new Error(`split "${kind}" sends one PDU; parts must be 1`);
    if (kind === 'none' && whole.length > 254) throw new Error(`${whole.length} octets do not fit in short_message (254)`);
    if (kind === 'payload' && whole.length > 65535) throw new Error('message_payload over 65535 octets');
    return [whole];
  }
  const budget = partBudget(encoding, kind);
  if (parts === undefined) {
    if (whole.length <= singleBudget(encoding)) return null;  // fits: no concatenation needed
    const out = [];
    let current = [];
    let size = 0;
    for (const unit of units) {
      if (size + unit.length > budget) {
        out.push(concatBytes(current));
        current = [];
        size = 0;
      }
      current.push(unit);
      size += unit.length;
    }
    if (current.length) out.push(concatBytes(current));
    if (out.length > 255) throw new Error(`text needs ${out.length} parts; at most 255`);
    return out;
  }
  if (!Number.isInteger(parts) || parts < 1 || parts > 255) throw new Error('parts must be 1..255');
  if (units.length < parts) throw new Error(`${units.length} characters cannot make ${parts} parts`);
  // Spread the characters evenly over exactly `parts` parts.
  const out = [];
  for (let i = 0; i < parts; ++i) {
    const begin = Math.floor((i * units.length) / parts);
    const end = Math.floor(((i + 1) * units.length) / parts);
    const payload = concatBytes(units.slice(begin, end));
    if (payload.length > budget) throw new Error(`text does not fit in ${parts} parts of ${budget} octets`);
    out.push(payload);
  }
  return out;
}

function buildUdh(kind, ref, total, seq) {
  if (kind === 'udh8') return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
  if (kind === 'udh16') return Buffer.from([0x06, 0x08, 0x04, (ref >> 8) & 0xff, ref & 0xff, total, seq]);
  throw new Error(`no UDH for "${kind}"`);
}

// Parses the UDH at the start of a short_message (esm_class 0x40). Returns
// { length (octets including UDHL), elements: [{iei, data}], concat: {kind, ref, total, seq} | null }
// or { error } when the header is malformed.
function parseUdh(bytes) {
  if (bytes.length < 1) return { error: 'UDHI set but short_message is empty' };
  const udhl = bytes[0];
  if (udhl + 1 > bytes.length) return { error: `UDHL ${udhl} runs past the ${bytes.length}-octet message` };
  const elements = [];
  let concat = null;
  let at = 1;
  while (at < udhl + 1) {
    if (at + 2 > udhl + 1) return { error: `truncated information element at ${at}` };
    const iei = bytes[at];
    const len = bytes[at + 1];
    if (at + 2 + len > udhl + 1) return { error: `information element 0x${iei.toString(16)} runs past the UDH` };
    const data = bytes.subarray(at + 2, at + 2 + len);
    elements.push({ iei, data: data.toString('hex') });
    if (iei === 0x00 && len === 3) concat = { kind: 'udh8', ref: data[0], total: data[1], seq: data[2] };
    if (iei === 0x08 && len === 4) concat = { kind: 'udh16', ref: data.readUInt16BE(0), total: data[2], seq: data[3] };
    at += 2 + len;
  }
  return { length: udhl + 1, elements, concat };
}

// Collects parts keyed like Kannel does (sender, receiver, kind, reference, total), so parts of
// different messages never mix; tolerates any order and duplicates.
class Reassembler {
  constructor() { this.pending = new Map(); }

  // part: { from, to, kind, ref, total, seq, bytes, data_coding, message_id }
  // Returns { status: 'incomplete' | 'complete' | 'duplicate' | 'invalid', reason?, message? }.
  add(part) {
    if (part.total < 1 || part.seq < 1 || part.seq > part.total) {
      return { status: 'invalid', reason: `part ${part.seq} of ${part.total}` };
    }
    const key = [part.from, part.to, part.kind, part.ref, part.total].join('|');
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { from: part.from, to: part.to, kind: part.kind, ref: part.ref, total: part.total, parts: new Map(), duplicates: 0, first_seen: Date.now() };
      this.pending.set(key, entry);
    }
    if (entry.parts.has(part.seq)) {
      ++entry.duplicates;
      return { status: 'duplicate' };
    }
    entry.parts.set(part.seq, part);
    if (entry.parts.size < entry.total) return { status: 'incomplete', have: entry.parts.size };
    this.pending.delete(key);
    const ordered = [];
    for (let seq = 1; seq <= entry.total; ++seq) ordered.push(entry.parts.get(seq));
    const dataCoding = ordered[0].data_coding;
    const errors = [];
    const mixed = ordered.some((p) => p.data_coding !== dataCoding);
    if (mixed) errors.push('parts have different data_coding');
    const bytes = Buffer.concat(ordered.map((p) => p.bytes));
    return {
      status: 'complete',
      message: {
        from: entry.from,
        to: entry.to,
        concat: entry.kind,
        ref: entry.ref,
        parts: entry.total,
        duplicates: entry.duplicates,
        data_coding: dataCoding,
        text: text.decode(bytes, dataCoding, errors),
        hex: bytes.toString('hex'),
        message_ids: ordered.map((p) => p.message_id),
        errors,
      },
    };
  }

  // Incomplete messages, for the "pending" command.
  list() {
    return [...this.pending.values()].map((e) => ({
      from: e.from, to: e.to, concat: e.kind, ref: e.ref, total: e.total,
      have: [...e.parts.keys()].sort((a, b) => a - b), duplicates: e.duplicates,
    }));
  }
}

module.exports = { SPLIT_KINDS, partBudget, singleBudget, splitPayloads, buildUdh, parseUdh, Reassembler };
