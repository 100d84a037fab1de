'use strict';
// End-to-end self-test: the simulator driven over stdin/stdout, with a node-smpp ESME.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const smpp = require('smpp');
const text = require('../lib/text');
const concat = require('../lib/concat');

for (const command of Object.values(smpp.commands)) {
  for (const param of Object.values(command.params || {})) delete param.filter;
}
for (const tlv of Object.values(smpp.tlvs)) delete tlv.filter;

// Every simulator started here is killed when the file's tests end, passed or failed: a failed
// wait must not leave a child (and its sockets) keeping node alive until ctest's timeout.
const started = [];
test.after(() => { for (const child of started) if (child.exitCode === null) child.kill('SIGKILL'); });

class Sim {
  constructor(extra = []) {
    this.child = spawn(process.execPath, [path.join(__dirname, '..', 'smsc.js'), ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
    started.push(this.child);
    this.events = [];
    this.waiters = [];
    this.req = 0;
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      const event = JSON.parse(line);
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => !w(event));
    });
  }
  waitFor(name, pred = () => true, timeout = 3000) {
    const found = this.events.find((e) => !e.taken && e.event === name && pred(e));
    if (found) { found.taken = true; return Promise.resolve(found); }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${name}`)), timeout);
      this.waiters.push((e) => {
        if (e.taken || e.event !== name || !pred(e)) return false;
        e.taken = true;
        clearTimeout(timer);
        resolve(e);
        return true;
      });
    });
  }
  async command(cmd) {
    const req = ++this.req;
    this.child.stdin.write(JSON.stringify({ ...cmd, req }) + '\n');
    const reply = await Promise.race([this.waitFor('ack', (e) => e.req === req), this.waitFor('error', (e) => e.req === req)]);
    if (reply.event === 'error') throw new Error(reply.message);
    return reply;
  }
  close() { this.child.stdin.end(); return new Promise((r) => this.child.on('exit', r)); }
}

async function connect(sim, password = 'pw') {
  const port = (await sim.waitFor('listening')).port;
  const session = smpp.connect({ host: '127.0.0.1', port });
  await new Promise((r) => session.on('connect', r));
  const resp = await new Promise((r) => session.bind_transceiver({ system_id: 'lianxin', password }, r));
  return { session, resp };
}

test('bind with a wrong password is refused with ESME_RINVPASWD', async () => {
  const sim = new Sim(['--password', 'secret']);
  const { session, resp } = await connect(sim, 'wrong');
  assert.equal(resp.command_status, 0x0e);
  const bind = await sim.waitFor('bind');
  assert.equal(bind.result, 'ESME_RINVPASWD');
  session.destroy();
  await sim.close();
});

test('multi-part MT is reassembled; MO parts sent out of order with a duplicate', async () => {
  const sim = new Sim();
  const { session, resp } = await connect(sim);
  assert.equal(resp.command_status, 0);
  const longText = '村口两盏路灯杆被大风刮倒了，'.repeat(12);
  const parts = concat.splitPayloads(longText, 'ucs2', 'udh16');
  const ids = [];
  for (const [i, p] of [...parts.entries()].reverse()) {
    const r = await new Promise((res) => session.submit_sm({
      source_addr: '12345', destination_addr: '13800000001', esm_class: 0x40, data_coding: 8, registered_delivery: 1,
      short_message: Buffer.concat([concat.buildUdh('udh16', 999, parts.length, i + 1), p]),
    }, res));
    ids.push(r.message_id);
  }
  const message = await sim.waitFor('message');
  assert.equal(message.text, longText);
  assert.equal(message.parts, parts.length);
  assert.equal(message.concat, 'udh16');

  const received = [];
  session.on('deliver_sm', (pdu) => { received.push(pdu); session.send(pdu.response()); });
  const ack = await sim.command({ cmd: 'deliver', from: '13800000001', to: '12345', text: '村口两盏路灯', parts: 3, split: 'sar', order: [3, 1, 2], duplicate: 1, id: 'mo1' });
  assert.equal(ack.sent, 4);
  const done = await sim.waitFor('deliver_done', (e) => e.id === 'mo1');
  assert.equal(done.ok, true);
  assert.deepEqual(received.map((p) => p.sar_segment_seqnum), [3, 1, 1, 2]);
  assert.equal(received.map((p) => p).sort((a, b) => a.sar_segment_seqnum - b.sar_segment_seqnum)
    .filter((p, i, all) => i === 0 || all[i - 1].sar_segment_seqnum !== p.sar_segment_seqnum)
    .map((p) => text.decodeUcs2(p.short_message)).join(''), '村口两盏路灯');

  await sim.command({ cmd: 'receipt', message_id: ids[0], form: 'tlv', stat: 'UNDELIV' });
  await sim.waitFor('deliver_sm_resp', (e) => e.kind === 'receipt');
  const dlr = received[received.length - 1];
  assert.equal(dlr.esm_class, 4);
  assert.equal(dlr.receipted_message_id, ids[0]);
  assert.equal(dlr.message_state, 5);

  await sim.command({ cmd: 'set', throttle_next: 1 });
  const throttled = await new Promise((res) => session.submit_sm({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('hi') }, res));
  assert.equal(throttled.command_status, 0x58);
  const okAgain = await new Promise((res) => session.submit_sm({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('hi') }, res));
  assert.equal(okAgain.command_status, 0);
  assert.equal((await sim.waitFor('message', (e) => e.text === 'hi')).parts, 1);

  await sim.command({ cmd: 'drop' });
  await sim.waitFor('connection_closed');
  await sim.close();
});

test('load mode fires MOs and times the acks; USSD TLVs pass both ways', async () => {
  const sim = new Sim();
  const { session } = await connect(sim);
  const received = [];
  session.on('deliver_sm', (pdu) => { received.push(pdu); session.send(pdu.response()); });
  const ack = await sim.command({ cmd: 'load', count: 50, window: 10, id: 'bench' });
  assert.equal(ack.window, 10);
  const done = await sim.waitFor('load_done', (e) => e.id === 'bench');
  assert.equal(done.acked, 50);
  assert.equal(done.errors, 0);
  assert.equal(received.length, 50);
  assert.ok(done.latency_ms.p50 > 0 && done.latency_ms.p50 <= done.latency_ms.max);
  assert.equal(sim.events.filter((e) => e.event === 'deliver_sm_resp').length, 0);  // quiet

  await sim.command({ cmd: 'deliver', from: '13800000001', to: '*123#', text: '1', ussd_service_op: 1, its_session_info: 0x0102, id: 'u' });
  await sim.waitFor('deliver_done', (e) => e.id === 'u');
  const ussd = received[received.length - 1];
  assert.equal(ussd.ussd_service_op, 1);
  assert.equal(ussd.its_session_info.toString('hex'), '0102');
  await new Promise((res) => session.submit_sm({
    source_addr: '*123#', destination_addr: '13800000001', data_coding: 8, short_message: text.encodeUcs2('1 报事'),
    ussd_service_op: 2, its_session_info: Buffer.from([0x01, 0x03]),
  }, res));
  const submit = await sim.waitFor('submit_sm');
  assert.equal(submit.ussd_service_op, 2);
  assert.equal(submit.its_session_info, '0103');
  assert.equal(submit.text, '1 报事');
  session.destroy();
  await sim.close();
});

test('ussd: plays a USSD gateway with session numbers, sequence numbers and vendor maps', async () => {
  const sim = new Sim();
  const { session } = await connect(sim);
  const received = [];
  session.on('deliver_sm', (pdu) => { received.push(pdu); session.send(pdu.response()); });
  const reply = (op, info, body) => new Promise((res) => session.submit_sm({
    source_addr: '*123#', destination_addr: '13800000001', data_coding: 8, short_message: text.encodeUcs2(body),
    ussd_service_op: op, its_session_info: Buffer.from([info >> 8, info & 0xff]),
  }, res));

  const begin = await sim.command({ cmd: 'ussd', step: 'begin', from: '13800000001', text: '*123#' });
  await sim.waitFor('deliver_done', (e) => e.id === begin.id);
  assert.equal(received[0].ussd_service_op, 1);
  const session1 = received[0].its_session_info.readUInt16BE(0);
  assert.equal(session1 & 0xff, 0);  // sequence 0, no end bit
  assert.equal(text.decode(received[0].short_message, received[0].data_coding, []), '*123#');

  await reply(2, session1 | 2, '1 反映问题');
  const screen = await sim.waitFor('ussd_screen');
  assert.equal(screen.text, '1 反映问题');
  assert.equal(screen.end, false);
  assert.equal(screen.op, 2);

  const answer = await sim.command({ cmd: 'ussd', from: '13800000001', text: '1' });
  await sim.waitFor('deliver_done', (e) => e.id === answer.id);
  assert.equal(received[1].ussd_service_op, 18);
  assert.equal(received[1].its_session_info.readUInt16BE(0), (session1 & 0xff00) | 4);  // next sequence

  await reply(17, session1 | 5, '已受理');
  const last = await sim.waitFor('ussd_screen', (e) => e.text === '已受理');
  assert.equal(last.end, true);

  // A vendor map: 0x12 answers, 0x81 aborts; a new dialogue gets a new session number.
  const map = { begin: 1, answer: 0x12, abort: 0x81, continue: 0x12, end: 0x81 };
  const vbegin = await sim.command({ cmd: 'ussd', step: 'begin', from: '13800000001', map });
  await sim.waitFor('deliver_done', (e) => e.id === vbegin.id);
  assert.notEqual(received[2].its_session_info.readUInt16BE(0) >> 8, session1 >> 8);
  const vanswer = await sim.command({ cmd: 'ussd', from: '13800000001', text: '2', map });
  await sim.waitFor('deliver_done', (e) => e.id === vanswer.id);
  assert.equal(received[3].ussd_service_op, 0x12);
  const abort = await sim.command({ cmd: 'ussd', step: 'abort', from: '13800000001', map });
  await sim.waitFor('deliver_done', (e) => e.id === abort.id);
  assert.equal(received[4].ussd_service_op, 0x81);
  // The standard abort: the end-of-session bit.
  await sim.command({ cmd: 'ussd', step: 'begin', from: '13800000002' });
  const sabort = await sim.command({ cmd: 'ussd', step: 'abort', from: '13800000002' });
  await sim.waitFor('deliver_done', (e) => e.id === sabort.id);
  assert.equal(received[6].ussd_service_op, 18);
  assert.equal(received[6].its_session_info.readUInt16BE(0) & 1, 1);
  session.destroy();
  await sim.close();
});

test('stream: MOs left unanswered by a crashed ESME are sent again on the next bind', async () => {
  const sim = new Sim();
  const port = (await sim.waitFor('listening')).port;
  // The deliver_sm handler is attached before the bind: the simulator re-sends as soon as the bind
  // is answered, often in the same TCP segment, before an `await` after the bind would resume.
  const bindNew = async (onDeliver) => {
    const session = smpp.connect({ host: '127.0.0.1', port });
    session.on('deliver_sm', (pdu) => onDeliver(session, pdu));
    await new Promise((r) => session.on('connect', r));
    await new Promise((r) => session.bind_transceiver({ system_id: 'lianxin', password: 'pw' }, r));
    return session;
  };
  const messages = Array.from({ length: 30 }, (_, i) => ({ from: String(13900000000 + i), text: `第${i}号报告：路灯坏了` }));
  // The first ESME answers 5 MOs, refuses one (ESME_RX_T_APPN: sent again later) and then dies
  // with the rest unanswered.
  const seen = [];
  let answered = 0;
  const first = await bindNew((first, pdu) => {
    seen.push(text.decodeUcs2(pdu.short_message));
    if (answered < 5) first.send(pdu.response());
    else if (answered === 5) first.send(pdu.response({ command_status: 0x64 }));
    ++answered;
    if (answered === 8) first.destroy();
  });
  const ack = await sim.command({ cmd: 'stream', id: 'crash', messages, to: '12345', window: 4, retry_ms: 50 });
  assert.equal(ack.count, 30);
  await sim.waitFor('connection_closed');
  const half = await sim.command({ cmd: 'stream_report', id: 'crash' });
  assert.equal(half.acked, 5);
  assert.equal(half.done, false);

  const texts = [];
  const second = await bindNew((second, pdu) => {
    texts.push(text.decodeUcs2(pdu.short_message));
    second.send(pdu.response());
  });
  const done = await sim.waitFor('stream_done', (e) => e.id === 'crash', 30000);  // slow under load
  assert.equal(done.acked, 30);
  assert.ok(done.lost >= 1, JSON.stringify(done));
  assert.equal(done.errors, 1);
  const report = await sim.command({ cmd: 'stream_report', id: 'crash', detail: true });
  assert.deepEqual(report.ok_acks, new Array(30).fill(1));
  assert.ok(report.send_counts.every((n) => n >= 1));
  assert.equal(report.resent, report.send_counts.reduce((a, n) => a + n - 1, 0));
  // Every MO the first ESME did not acknowledge reached the second one.
  const all = new Set([...seen.slice(0, 5), ...texts]);
  assert.equal(all.size, 30);
  assert.equal(report.messages[3].hex, text.encodeUcs2(messages[3].text).toString('hex'));
  second.destroy();

  // "deliver" MOs: re-sent only with redeliver_unacked.
  await sim.command({ cmd: 'set', redeliver_unacked: true });
  const third = await bindNew((third) => third.destroy());  // dies without answering
  await sim.command({ cmd: 'deliver', from: '13800000001', to: '12345', text: '水管爆了', split: 'none', id: 'lost' });
  await sim.waitFor('connection_closed', (e) => e.outstanding === 1);
  const fourth = await bindNew((fourth, pdu) => fourth.send(pdu.response()));
  const redelivered = await sim.waitFor('redeliver', (e) => e.id === 'lost');
  assert.equal(redelivered.part, 1);
  const doneLost = await sim.waitFor('deliver_done', (e) => e.id === 'lost');
  assert.equal(doneLost.ok, true);
  fourth.destroy();
  await sim.close();
});
