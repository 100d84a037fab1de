'use strict';
// Self-tests of the simulator's own codecs (node --test).
const test = require('node:test');
const assert = require('node:assert/strict');
const text = require('../lib/text');
const concat = require('../lib/concat');
const receipt = require('../lib/receipt');

test('GSM 03.38 round trip with the extension table', () => {
  const s = 'Hello @£$ {[€]} ~^|\\ ÄÖÑÜ§¿äöñüà';
  const bytes = text.encodeGsm(s);
  assert.equal(bytes[0], 0x48);
  assert.equal(bytes[6], 0x00);           // '@'
  assert.deepEqual([...text.encodeGsm('€')], [0x1b, 0x65]);
  assert.equal(text.decodeGsm(bytes), s);
  assert.equal(text.isGsmEncodable('村口'), false);
  assert.throws(() => text.encodeGsm('村'));
});

test('UCS-2 is UTF-16BE, surrogate pairs kept', () => {
  const s = '村口路灯😀';
  const bytes = text.encodeUcs2(s);
  assert.equal(bytes.toString('hex'), '6751' + '53e3' + '8def' + '706f' + 'd83dde00');
  assert.equal(text.decodeUcs2(bytes), s);
  const errors = [];
  text.decodeUcs2(Buffer.from([0xd8, 0x3d]), errors);
  assert.equal(errors.length, 1);
});

test('data_coding alphabets', () => {
  assert.equal(text.alphabetOf(0), 'gsm');
  assert.equal(text.alphabetOf(8), 'ucs2');
  assert.equal(text.alphabetOf(0x18), 'ucs2');
  assert.equal(text.alphabetOf(0xf0), 'gsm');
  assert.equal(text.alphabetOf(0xf4), 'binary');
  assert.equal(text.decode(Buffer.from('00410042', 'hex'), 8), 'AB');
  assert.equal(text.chooseEncoding('auto', 'abc'), 'gsm');
  assert.equal(text.chooseEncoding('auto', 'abc村'), 'ucs2');
});

test('Chinese text splits into 67-character UCS-2 parts with 8-bit UDH', () => {
  const s = '村'.repeat(150);
  const parts = concat.splitPayloads(s, 'ucs2', 'udh8');
  assert.deepEqual(parts.map((p) => p.length), [134, 134, 32]);
  assert.deepEqual(concat.splitPayloads(s, 'ucs2', 'udh16').map((p) => p.length / 2), [66, 66, 18]);
  assert.deepEqual(concat.splitPayloads(s, 'ucs2', 'sar').map((p) => p.length / 2), [70, 70, 10]);
  assert.equal(concat.splitPayloads('村'.repeat(70), 'ucs2', 'udh8'), null);  // fits in one
});

test('GSM splits at 153 septets and never cuts an escape', () => {
  const s = 'a'.repeat(152) + '€' + 'b'.repeat(10);
  const parts = concat.splitPayloads(s, 'gsm', 'udh8');
  assert.equal(parts[0].length, 152);  // the 2-septet euro moves to part 2
  assert.equal(parts[1][0], 0x1b);
  assert.equal(text.decodeGsm(Buffer.concat(parts)), s);
});

test('surrogate pairs are never cut', () => {
  const s = '村'.repeat(66) + '😀' + '口'.repeat(5);
  const parts = concat.splitPayloads(s, 'ucs2', 'udh8');
  assert.equal(parts[0].length, 132);
  assert.equal(text.decodeUcs2(parts[1]), '😀口口口口口');
});

test('forced part count spreads characters evenly', () => {
  const parts = concat.splitPayloads('abcdefghij', 'gsm', 'udh8', 4);
  assert.deepEqual(parts.map((p) => p.toString('latin1')), ['ab', 'cde', 'fg', 'hij']);
  assert.throws(() => concat.splitPayloads('ab', 'gsm', 'udh8', 3));
  assert.throws(() => concat.splitPayloads('村'.repeat(200), 'ucs2', 'udh8', 2));
});

test('UDH build and parse', () => {
  assert.equal(concat.buildUdh('udh8', 0x1ab, 3, 2).toString('hex'), '050003ab0302');
  assert.equal(concat.buildUdh('udh16', 0x1ab, 3, 2).toString('hex'), '06080401ab0302');
  assert.deepEqual(concat.parseUdh(Buffer.from('06080401ab0302ffff', 'hex')).concat, { kind: 'udh16', ref: 0x1ab, total: 3, seq: 2 });
  const withPort = concat.parseUdh(Buffer.from('0b05040b8423f0000342020141', 'hex'));
  assert.equal(withPort.length, 12);
  assert.deepEqual(withPort.concat, { kind: 'udh8', ref: 0x42, total: 2, seq: 1 });
  assert.ok(concat.parseUdh(Buffer.from('0500030102', 'hex')).error);
  assert.ok(concat.parseUdh(Buffer.from('03000301', 'hex')).error);
  assert.ok(concat.parseUdh(Buffer.alloc(0)).error);
});

test('reassembly tolerates order and duplicates, keys by sender', () => {
  const r = new concat.Reassembler();
  const s = '村口两盏路灯杆被大风刮倒了';
  const parts = concat.splitPayloads(s, 'ucs2', 'udh8', 3);
  const base = { from: 'a', to: 'b', kind: 'udh8', ref: 7, total: 3, data_coding: 8 };
  assert.equal(r.add({ ...base, seq: 3, bytes: parts[2], message_id: 'm3' }).status, 'incomplete');
  assert.equal(r.add({ ...base, from: 'other', seq: 1, bytes: parts[0], message_id: 'x' }).status, 'incomplete');
  assert.equal(r.add({ ...base, seq: 1, bytes: parts[0], message_id: 'm1' }).status, 'incomplete');
  assert.equal(r.add({ ...base, seq: 1, bytes: parts[0], message_id: 'm1b' }).status, 'duplicate');
  const done = r.add({ ...base, seq: 2, bytes: parts[1], message_id: 'm2' });
  assert.equal(done.status, 'complete');
  assert.equal(done.message.text, s);
  assert.deepEqual(done.message.message_ids, ['m1', 'm2', 'm3']);
  assert.equal(done.message.duplicates, 1);
  assert.equal(r.list().length, 1);  // the other sender's part still waits
  assert.equal(r.add({ ...base, seq: 4, bytes: parts[0] }).status, 'invalid');
});

test('receipt text', () => {
  const t = receipt.receiptText({ id: '5a000001', stat: 'DELIVRD', err: '000', submitted: new Date(Date.UTC(2024, 0, 2, 3, 4)), done: new Date(Date.UTC(2024, 0, 2, 3, 5)), sample: 'hi 村' });
  assert.equal(t, 'id:5a000001 sub:001 dlvrd:001 submit date:2401020304 done date:2401020305 stat:DELIVRD err:000 text:hi ');
});
