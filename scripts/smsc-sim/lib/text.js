'use strict';
// Text encodings for SMPP short messages, written here independently of lianxin's C++ codec so
// that the simulator can check it: GSM 03.38 (one septet per octet, "unpacked", as SMPP carries
// it with data_coding 0), Latin-1, IA5/ASCII and UCS-2 / UTF-16BE (surrogate pairs allowed).

// GSM 03.38 default alphabet, indexed by septet value. 0x1B is the escape to the extension table.
const GSM_BASIC = [
  '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
  'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', null, 'Æ', 'æ', 'ß', 'É',
  ' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
  '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];
const GSM_ESCAPE = 0x1b;
// Extension table: septet after ESC -> character.
const GSM_EXTENSION = new Map([
  [0x0a, '\f'], [0x14, '^'], [0x28, '{'], [0x29, '}'], [0x2f, '\\'],
  [0x3c, '['], [0x3d, '~'], [0x3e, ']'], [0x40, '|'], [0x65, '€'],
]);

const gsmBasicByChar = new Map();
GSM_BASIC.forEach((ch, septet) => { if (ch !== null) gsmBasicByChar.set(ch, septet); });
const gsmExtensionByChar = new Map();
for (const [septet, ch] of GSM_EXTENSION) gsmExtensionByChar.set(ch, septet);

// Septets for one character (a JS string of one code point), or null if not in GSM 03.38.
function gsmSeptetsOf(ch) {
  if (gsmBasicByChar.has(ch)) return [gsmBasicByChar.get(ch)];
  if (gsmExtensionByChar.has(ch)) return [GSM_ESCAPE, gsmExtensionByChar.get(ch)];
  return null;
}

function isGsmEncodable(text) {
  for (const ch of text) if (gsmSeptetsOf(ch) === null) return false;
  return true;
}

function encodeGsm(text) {
  const out = [];
  for (const ch of text) {
    const septets = gsmSeptetsOf(ch);
    if (septets === null) throw new Error(`character U+${ch.codePointAt(0).toString(16)} is not in GSM 03.38`);
    out.push(...septets);
  }
  return Buffer.from(out);
}

// Decodes unpacked septets. Octets above 0x7F are not septets: they become U+FFFD and are
// reported through `errors` (an array the caller may pass).
function decodeGsm(bytes, errors) {
  let text = '';
  for (let i = 0; i < bytes.length; ++i) {
    const b = bytes[i];
    if (b > 0x7f) {
      text += '\uFFFD';
      if (errors) errors.push(`octet 0x${b.toString(16)} at ${i} is not a GSM septet`);
    } else if (b === GSM_ESCAPE) {
      const next = bytes[i + 1];
      if (next === undefined) {
        if (errors) errors.push('message ends with an escape septet');
        break;
      }
      ++i;
      // An unknown extension falls back to the basic character (03.38 says so).
      text += GSM_EXTENSION.has(next) ? GSM_EXTENSION.get(next) : (GSM_BASIC[next] ?? '\uFFFD');
    } else {
      text += GSM_BASIC[b];
    }
  }
  return text;
}

function encodeUcs2(text) {
  // A JS string is already UTF-16: emit its code units big-endian.
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; ++i) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

function decodeUcs2(bytes, errors) {
  if (bytes.length % 2 !== 0 && errors) errors.push(`odd UCS-2 length ${bytes.length}`);
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
  if (errors && /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    errors.push('lone surrogate in UCS-2 text');
  }
  return text;
}

function encodeLatin1(text) {
  for (const ch of text) {
    if (ch.codePointAt(0) > 0xff) throw new Error(`character U+${ch.codePointAt(0).toString(16)} is not Latin-1`);
  }
  return Buffer.from(text, 'latin1');
}

// Encodings by name: data_coding and the size of one part's payload.
const ENCODINGS = {
  gsm: { data_coding: 0x00, encode: encodeGsm },
  ascii: { data_coding: 0x01, encode: (t) => { if (/[^\x00-\x7f]/.test(t)) throw new Error('not ASCII'); return Buffer.from(t, 'latin1'); } },
  latin1: { data_coding: 0x03, encode: encodeLatin1 },
  ucs2: { data_coding: 0x08, encode: encodeUcs2 },
};

// "auto": the smallest encoding that holds the text (GSM 03.38, else UCS-2).
function chooseEncoding(name, text) {
  if (name === undefined || name === 'auto') return isGsmEncodable(text) ? 'gsm' : 'ucs2';
  if (!ENCODINGS[name]) throw new Error(`unknown encoding "${name}" (gsm, ucs2, latin1, ascii, auto)`);
  return name;
}

// What alphabet a data_coding value means (SMPP 3.4 5.2.19 plus the GSM 03.38 0xF0 group).
function alphabetOf(dataCoding) {
  if (dataCoding === 0x00) return 'gsm';
  if (dataCoding === 0x01) return 'ascii';
  if (dataCoding === 0x03) return 'latin1';
  if (dataCoding === 0x08) return 'ucs2';
  if ((dataCoding & 0xf0) === 0xf0) return (dataCoding & 0x04) ? 'binary' : 'gsm';
  if ((dataCoding & 0xc0) === 0x00 && dataCoding >= 0x10) {
    // GSM 03.38 general data coding group: bits 3..2 give the alphabet.
    const alphabet = (dataCoding >> 2) & 0x03;
    return ['gsm', 'binary', 'ucs2', 'binary'][alphabet];
  }
  return 'binary';
}

// Decodes a payload by data_coding; binary payloads give null text.
function decode(bytes, dataCoding, errors) {
  switch (alphabetOf(dataCoding)) {
    case 'gsm': return decodeGsm(bytes, errors);
    case 'ascii': return bytes.toString('latin1');
    case 'latin1': return bytes.toString('latin1');
    case 'ucs2': return decodeUcs2(bytes, errors);
    default: return null;
  }
}

module.exports = {
  ENCODINGS, chooseEncoding, alphabetOf, decode,
  encodeGsm, decodeGsm, gsmSeptetsOf, isGsmEncodable, encodeUcs2, decodeUcs2,
};
