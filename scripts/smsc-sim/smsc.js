#!/usr/bin/env node
'use strict';
// An independent SMPP 3.4 SMSC for lianxin's integration tests and demo.
//
// It listens on 127.0.0.1 (a free port unless --port) and prints {"event":"listening","port":N}.
// It is driven by JSON lines on stdin (commands) and reports JSON lines on stdout (events); see
// usage() below. Text encodings, splitting, UDH / sar_* handling and reassembly are implemented
// here in JS (lib/), independently of lianxin's C++ code, so that each can check the other.
// It exits when stdin closes (unless --keep-running), so it never outlives the test driving it.

const readline = require('readline');
const smpp = require('smpp');
const text = require('./lib/text');
const concat = require('./lib/concat');
const receipt = require('./lib/receipt');

// Raw control of every field: node-smpp would otherwise encode/decode short_message and
// message_payload itself (guessing data_coding, splitting off UDHs with its own rules) and turn
// time fields into Dates. Without the filters, short_message is a Buffer both ways.
for (const command of Object.values(smpp.commands)) {
  for (const param of Object.values(command.params || {})) delete param.filter;
}
for (const tlv of Object.values(smpp.tlvs)) delete tlv.filter;

const ESME_ROK = 0x00;
const ESME_RINVCMDID = 0x03;
const ESME_RINVBNDSTS = 0x04;
const ESME_RALYBND = 0x05;
const ESME_RINVDSTADR = 0x0b;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
const ESME_RMSGQFUL = 0x14;
const ESME_RTHROTTLED = 0x58;

const statusNames = new Map(Object.entries(smpp.errors).map(([name, value]) => [value, name]));
function statusName(status) { return statusNames.get(status) || `0x${status.toString(16)}`; }

function usage() {
  return `usage: node smsc.js [--port N] [--host H] [--system-id ID] [--password PW]
                   [--dlr] [--transcript] [--keep-running]
Commands (stdin, one JSON object a line; "req" is echoed in the ack / error event):
  {"cmd":"deliver","from":"138...","to":"12345","text":"...","encoding":"auto|gsm|ucs2|latin1|ascii",
   "split":"udh8|udh16|sar|none|payload","parts":N,"ref":R,"order":[3,1,2],"duplicate":2,
   "delay_ms":0,"id":"tag","session":S,"hex":"raw short_message","data_coding":D,"esm_class":E,
   "service_type":"","ussd_service_op":N,"its_session_info":N}
  {"cmd":"receipt","message_id":"...","stat":"DELIVRD","err":"000","form":"text|tlv|both","from":..,"to":..}
  {"cmd":"set", <password|system_id|bind_status|mute|answer_enquire_link|refuse_connections|
   response_delay_ms|throttle_next|queue_full_next|permanent_error_next|fail_next+status|
   dlr|dlr_stat|dlr_form|dlr_delay_ms|receipt_id_format>: value, ...}
  {"cmd":"enquire_link"} {"cmd":"unbind"} {"cmd":"drop","rst":false,"all":false}
  {"cmd":"load","count":N,"rate":PER_SECOND,"window":W,"text":"...","from":..,"to":..,"id":"tag"}
  {"cmd":"stream","messages":[{"from":..,"text":..},...],"to":..,"rate":R,"window":W,"retry_ms":M,
   "events":false,"id":"tag"}   distinct single-part MOs that survive ESME restarts (see below)
  {"cmd":"stream_report","id":"tag","detail":false}
  {"cmd":"ussd","from":"138...","to":"*123#","text":"1","step":"begin|answer|abort|raw","op":N,
   "map":{"begin":1,"answer":18,"abort":null,"continue":2,"end":17},"session_info":true,"id":"tag"}
   plays a USSD gateway: a deliver_sm with ussd_service_op (from "map", standard by default; "op"
   overrides it) and its_session_info (session number per caller, sequence numbers counting up;
   an abort with map.abort null sets the end-of-session bit). A submit_sm carrying
   ussd_service_op is reported as a "ussd_screen" event {to, text, op, session_info, end}; the
   end of a dialogue (map.end, or the end bit) closes the caller's session.
  {"cmd":"stats"} {"cmd":"pending"} {"cmd":"quit"}
Setting redeliver_unacked: true re-sends "deliver" MO parts left unanswered when a connection
closes, on the next receiver/transceiver bind (stream MOs are always re-sent).`;
}

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, system_id: null, password: null, dlr: false, transcript: false, keep_running: false };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--port': args.port = Number(value()); break;
      case '--host': args.host = value(); break;
      case '--system-id': args.system_id = value(); break;
      case '--password': args.password = value(); break;
      case '--dlr': args.dlr = true; break;
      case '--transcript': args.transcript = true; break;
      case '--keep-running': args.keep_running = true; break;
      case '--help': process.stdout.write(usage() + '\n'); process.exit(0); break;
      default: throw new Error(`unknown argument ${arg}\n${usage()}`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('bad --port');
  return args;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`smsc-sim: ${e.message}\n`);
  process.exit(2);
}

const startedAt = process.hrtime.bigint();
function elapsedMs() { return Math.round(Number(process.hrtime.bigint() - startedAt) / 1e5) / 10; }

function emit(event, fields) {
  process.stdout.write(JSON.stringify({ event, t: elapsedMs(), ...fields }) + '\n');
}

// A readable conversation for the demo (stderr, so stdout stays machine-readable).
function transcript(line) {
  if (args.transcript) process.stderr.write(line + '\n');
}

// ---------------------------------------------------------------------------------------------
// State

const settings = {
  system_id: args.system_id,      // null: any system_id binds
  password: args.password,        // null: any password binds
  bind_status: 0,                 // non-zero: refuse every bind with this status
  mute: false,                    // answer nothing at all
  answer_enquire_link: true,
  refuse_connections: false,      // close every new connection at once
  response_delay_ms: 0,           // delay before every response
  dlr: args.dlr,                  // automatic receipts for submits asking for one
  dlr_stat: 'DELIVRD',
  dlr_form: 'text',
  dlr_delay_ms: 0,
  receipt_id_format: 'same',      // 'same' as submit_sm_resp (hex), or 'decimal'
  redeliver_unacked: false,       // re-send unanswered "deliver" MO parts after a reconnect
};
const failQueue = [];              // [{count, status}]: forced submit_sm / data_sm statuses

const sessions = [];               // live connections, oldest first
let nextSessionId = 1;
let nextMessageId = 0x5a000000;
let nextDeliverTag = 1;
let nextConcatRef = 1;
const submitted = new Map();       // message_id -> what receipts need
const deliveries = new Map();      // deliver tag -> {expected, statuses}
const reassembler = new concat.Reassembler();
const counts = { received: {}, sent: {}, messages: 0, throttled: 0, failed: 0, connections: 0 };

function count(bucket, name) { counts[bucket][name] = (counts[bucket][name] || 0) + 1; }

function canReceive(s) { return s.mode === 'receiver' || s.mode === 'transceiver'; }
function canTransmit(s) { return s.mode === 'transmitter' || s.mode === 'transceiver'; }

// The session a command acts on: "session" if given, else the newest one matching `filter`.
function pickSession(cmd, filter, what) {
  if (cmd.session !== undefined) {
    const s = sessions.find((x) => x.id === cmd.session);
    if (!s) throw new Error(`no session ${cmd.session}`);
    return s;
  }
  for (let i = sessions.length - 1; i >= 0; --i) if (filter(sessions[i])) return sessions[i];
  throw new Error(`no ${what} session`);
}

// ---------------------------------------------------------------------------------------------
// Sending

function respond(s, pdu, options) {
  if (settings.mute) return false;
  const response = pdu.response(options || {});
  const send = () => { if (s.session.send(response)) count('sent', response.command); };
  if (settings.response_delay_ms > 0) setTimeout(send, settings.response_delay_ms);
  else send();
  return true;
}

// Sends an SMSC-initiated request; `context` comes back in the event for its response.
function request(s, command, fields, context) {
  const pdu = new smpp.PDU(command, fields);
  if (!s.session.send(pdu)) throw new Error(`session ${s.id} is not writable`);
  count('sent', command);
  s.outstanding.set(pdu.sequence_number, { command, sent_at: elapsedMs(), ...context });
  return pdu.sequence_number;
}

// ---------------------------------------------------------------------------------------------
// What the ESME sends

const bindModes = { bind_transmitter: 'transmitter', bind_receiver: 'receiver', bind_transceiver: 'transceiver' };

function onBind(s, pdu) {
  const mode = bindModes[pdu.command];
  let status = ESME_ROK;
  if (s.mode) status = ESME_RALYBND;
  else if (settings.system_id !== null && pdu.system_id !== settings.system_id) status = ESME_RINVSYSID;
  else if (settings.password !== null && pdu.password !== settings.password) status = ESME_RINVPASWD;
  else if (settings.bind_status) status = settings.bind_status;
  const answered = !settings.mute;
  if (answered && status === ESME_ROK) {
    s.mode = mode;
    s.system_id = pdu.system_id;
  }
  emit('bind', {
    session: s.id, seq: pdu.sequence_number, mode, system_id: pdu.system_id, system_type: pdu.system_type,
    interface_version: pdu.interface_version, status, result: statusName(status), answered,
  });
  respond(s, pdu, status === ESME_ROK ? { system_id: 'LIANXINSIM' } : { command_status: status });
  // What a real SMSC does on a new bind: deliver what is still waiting (after the bind_resp).
  if (answered && status === ESME_ROK && canReceive(s)) {
    setTimeout(() => onReceiverBound(s), settings.response_delay_ms);
  }
}

// The status the next submit_sm / data_sm gets.
function nextSubmitStatus(s) {
  if (!canTransmit(s)) return ESME_RINVBNDSTS;
  if (failQueue.length) {
    const head = failQueue[0];
    if (--head.count <= 0) failQueue.shift();
    return head.status;
  }
  return ESME_ROK;
}

function newMessageId() { return (nextMessageId++).toString(16); }

function addressFields(pdu) {
  return {
    from: pdu.source_addr, from_ton: pdu.source_addr_ton, from_npi: pdu.source_addr_npi,
    to: pdu.destination_addr, to_ton: pdu.dest_addr_ton, to_npi: pdu.dest_addr_npi,
  };
}

function sarOf(pdu) {
  if (pdu.sar_msg_ref_num === undefined && pdu.sar_total_segments === undefined && pdu.sar_segment_seqnum === undefined) return null;
  return { ref: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
}

// USSD sessions ride on submit_sm / deliver_sm / data_sm with these TLVs (absent for plain SMS).
function ussdFields(pdu) {
  const fields = {};
  if (pdu.ussd_service_op !== undefined) fields.ussd_service_op = pdu.ussd_service_op;
  if (Buffer.isBuffer(pdu.its_session_info)) fields.its_session_info = pdu.its_session_info.toString('hex');
  return fields;
}

// ---- USSD gateway role ----
// caller → { session: 0..255, seq: 0..127 }; one dialogue per caller, as on a handset.
const ussdDialogues = new Map();
let nextUssdSession = 1;
const standardUssdMap = { begin: 1, answer: 18, abort: null, continue: 2, end: 17 };

function ussdInfo(dialogue, end) {
  return ((dialogue.session & 0xff) << 8) | ((dialogue.seq & 0x7f) << 1) | (end ? 1 : 0);
}

function cmdUssd(cmd, ack) {
  if (typeof cmd.from !== 'string') throw new Error('ussd needs "from"');
  const map = { ...standardUssdMap, ...(cmd.map || {}) };
  const step = cmd.step || 'answer';
  let dialogue = ussdDialogues.get(cmd.from);
  if (step === 'begin' || !dialogue) {
    dialogue = { session: nextUssdSession++ & 0xff, seq: 0, map };
    ussdDialogues.set(cmd.from, dialogue);
  } else {
    dialogue.seq = (dialogue.seq + 1) & 0x7f;
    dialogue.map = map;
  }
  let op;
  if (cmd.op !== undefined) op = integerOr(cmd.op, 0, 'op');
  else if (step === 'begin') op = map.begin;
  else if (step === 'abort') op = map.abort === null ? map.answer : map.abort;
  else op = map.answer;
  const end = step === 'abort' && map.abort === null;
  const deliver = {
    req: cmd.req, cmd: 'deliver', from: cmd.from, to: cmd.to || '*123#', text: cmd.text || '',
    split: 'none', ussd_service_op: op, id: cmd.id, session: cmd.session,
  };
  if (cmd.session_info !== false) deliver.its_session_info = ussdInfo(dialogue, end);
  if (step === 'abort') ussdDialogues.delete(cmd.from);
  cmdDeliver(deliver, (fields) => ack({ ...fields, ussd_service_op: op, its_session_info: deliver.its_session_info === undefined ? null : deliver.its_session_info }));
}

function onUssdSubmit(pdu, partText) {
  const info = Buffer.isBuffer(pdu.its_session_info) && pdu.its_session_info.length === 2 ? pdu.its_session_info.readUInt16BE(0) : null;
  const dialogue = ussdDialogues.get(pdu.destination_addr);
  const map = dialogue ? dialogue.map : standardUssdMap;
  const end = pdu.ussd_service_op === map.end || (info !== null && (info & 1) === 1);
  if (dialogue && info !== null) dialogue.seq = (info >> 1) & 0x7f;
  if (end) ussdDialogues.delete(pdu.destination_addr);
  emit('ussd_screen', {
    to: pdu.destination_addr, from: pdu.source_addr, text: partText, op: pdu.ussd_service_op,
    session_info: info, end, service_type: pdu.service_type, data_coding: pdu.data_coding,
  });
  transcript(`USSD screen    → ${pdu.destination_addr}${end ? ' (end)' : ''}: ${partText}`);
}

function onSubmitSm(s, pdu) {
  const shortMessage = Buffer.isBuffer(pdu.short_message) ? pdu.short_message : Buffer.alloc(0);
  const errors = [];
  let udh = null;
  let body = shortMessage;
  if (pdu.esm_class & 0x40) {
    udh = concat.parseUdh(shortMessage);
    if (udh.error) errors.push(`UDH: ${udh.error}`);
    else body = shortMessage.subarray(udh.length);
  }
  const sar = sarOf(pdu);
  const payload = Buffer.isBuffer(pdu.message_payload) ? pdu.message_payload : null;
  if (payload && shortMessage.length) errors.push('both short_message and message_payload are set');
  if (payload && !shortMessage.length) body = payload;
  const partText = text.decode(body, pdu.data_coding, errors);

  const status = nextSubmitStatus(s);
  const messageId = status === ESME_ROK ? newMessageId() : '';
  if (status === ESME_RTHROTTLED) ++counts.throttled;
  else if (status !== ESME_ROK) ++counts.failed;

  const concatInfo = udh && !udh.error && udh.concat ? udh.concat : sar && sar.total ? { kind: 'sar', ...sar } : null;
  emit('submit_sm', {
    session: s.id, seq: pdu.sequence_number, ...addressFields(pdu), service_type: pdu.service_type,
    esm_class: pdu.esm_class, protocol_id: pdu.protocol_id, priority_flag: pdu.priority_flag,
    registered_delivery: pdu.registered_delivery, data_coding: pdu.data_coding,
    schedule_delivery_time: pdu.schedule_delivery_time, validity_period: pdu.validity_period,
    sm_length: shortMessage.length, payload: payload !== null,
    udh: udh && !udh.error ? { length: udh.length, elements: udh.elements, concat: udh.concat } : null,
    sar, text: partText, hex: body.toString('hex'), ...ussdFields(pdu), errors,
    status, result: statusName(status), message_id: messageId, answered: !settings.mute,
  });
  respond(s, pdu, status === ESME_ROK ? { message_id: messageId } : { command_status: status });
  if (status !== ESME_ROK) return;
  // A USSD screen is not an SMS: reported as "ussd_screen" only.
  if (pdu.ussd_service_op !== undefined) return onUssdSubmit(pdu, partText);

  submitted.set(messageId, {
    from: pdu.source_addr, to: pdu.destination_addr, registered_delivery: pdu.registered_delivery,
    sample: partText || '', submitted_at: new Date(), session: s.id,
  });
  if (concatInfo) {
    const result = reassembler.add({
      from: pdu.source_addr, to: pdu.destination_addr, kind: concatInfo.kind, ref: concatInfo.ref,
      total: concatInfo.total, seq: concatInfo.seq, bytes: body, data_coding: pdu.data_coding, message_id: messageId,
    });
    if (result.status === 'invalid') emit('concat_error', { session: s.id, seq: pdu.sequence_number, reason: result.reason });
    if (result.status === 'duplicate') emit('duplicate_part', { session: s.id, seq: pdu.sequence_number, ...concatInfo });
    if (result.status === 'complete') emitMessage(s, result.message);
  } else {
    emitMessage(s, {
      from: pdu.source_addr, to: pdu.destination_addr, concat: payload ? 'payload' : 'none', ref: null, parts: 1,
      duplicates: 0, data_coding: pdu.data_coding, text: partText, hex: body.toString('hex'), message_ids: [messageId], errors,
    });
  }
  maybeAutoReceipt(s, messageId, pdu.registered_delivery);
}

function emitMessage(s, message) {
  ++counts.messages;
  emit('message', { session: s.id, ...message });
  transcript(`SMSC received  ${message.from} → ${message.to} (${message.parts} part${message.parts > 1 ? 's' : ''}, ` +
    `${message.concat}, data_coding ${message.data_coding}): ${message.text}`);
}

function onDataSm(s, pdu) {
  const payload = Buffer.isBuffer(pdu.message_payload) ? pdu.message_payload : Buffer.alloc(0);
  const errors = [];
  const status = nextSubmitStatus(s);
  const messageId = status === ESME_ROK ? newMessageId() : '';
  emit('data_sm', {
    session: s.id, seq: pdu.sequence_number, ...addressFields(pdu), service_type: pdu.service_type,
    esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery, data_coding: pdu.data_coding,
    text: text.decode(payload, pdu.data_coding, errors), hex: payload.toString('hex'),
    ...ussdFields(pdu),
    errors, status, result: statusName(status), message_id: messageId, answered: !settings.mute,
  });
  respond(s, pdu, status === ESME_ROK ? { message_id: messageId } : { command_status: status });
}

function onResponse(s, pdu) {
  const context = s.outstanding.get(pdu.sequence_number);
  s.outstanding.delete(pdu.sequence_number);
  s.resendable.delete(pdu.sequence_number);
  const fields = { session: s.id, seq: pdu.sequence_number, status: pdu.command_status, result: statusName(pdu.command_status) };
  if (!context) {
    emit(pdu.command, { ...fields, unexpected: true });
    return;
  }
  if (context.load) return onLoadResponse(context, pdu);
  if (context.stream) return onStreamResponse(context, pdu);
  const { command, sent_at: sentAt, ...rest } = context;
  emit(pdu.command === 'generic_nack' ? 'generic_nack' : pdu.command, { ...fields, request: command, rtt_ms: Math.round((elapsedMs() - sentAt) * 10) / 10, ...rest });
  if (rest.id !== undefined && deliveries.has(rest.id)) {
    const delivery = deliveries.get(rest.id);
    delivery.statuses.push(pdu.command_status);
    if (delivery.statuses.length === delivery.expected) {
      deliveries.delete(rest.id);
      emit('deliver_done', { id: rest.id, statuses: delivery.statuses, ok: delivery.statuses.every((x) => x === ESME_ROK) });
    }
  }
  if (command === 'unbind' && pdu.command === 'unbind_resp') s.session.close();
}

function onPdu(s, pdu) {
  count('received', pdu.command);
  if (pdu.isResponse()) return onResponse(s, pdu);
  switch (pdu.command) {
    case 'bind_transmitter':
    case 'bind_receiver':
    case 'bind_transceiver':
      return onBind(s, pdu);
    case 'submit_sm':
      return onSubmitSm(s, pdu);
    case 'data_sm':
      return onDataSm(s, pdu);
    case 'enquire_link':
      emit('enquire_link', { session: s.id, seq: pdu.sequence_number, answered: !settings.mute && settings.answer_enquire_link });
      if (settings.answer_enquire_link) respond(s, pdu);
      return;
    case 'unbind':
      emit('unbind', { session: s.id, seq: pdu.sequence_number, answered: !settings.mute });
      if (respond(s, pdu)) s.mode = null;
      return;
    case 'unknown':
      emit('unknown_pdu', { session: s.id, seq: pdu.sequence_number, command_id: pdu.command_id });
      respond(s, pdu);  // node-smpp answers an unknown command with generic_nack ESME_RINVCMDID
      return;
    default:
      emit('unsupported_pdu', { session: s.id, seq: pdu.sequence_number, command: pdu.command });
      respond(s, pdu, { command_status: ESME_RINVCMDID });
  }
}

// ---------------------------------------------------------------------------------------------
// Connections

function onConnection(session) {
  ++counts.connections;
  const s = { id: nextSessionId++, session, mode: null, system_id: null, outstanding: new Map(), resendable: new Map() };
  const remote = `${session.socket.remoteAddress}:${session.socket.remotePort}`;
  if (settings.refuse_connections) {
    emit('connection_refused', { session: s.id, remote });
    session.socket.destroy();
    return;
  }
  session.socket.setNoDelay(true);
  sessions.push(s);
  emit('connect', { session: s.id, remote });
  session.on('pdu', (pdu) => {
    try {
      onPdu(s, pdu);
    } catch (e) {
      emit('internal_error', { session: s.id, message: String(e && e.stack || e) });
    }
  });
  // node-smpp reports unparsable input as 'error' and then stops reading: drop the link.
  session.on('error', (e) => {
    emit('socket_error', { session: s.id, message: e.message });
    session.socket.destroy();
  });
  session.on('close', () => {
    const index = sessions.indexOf(s);
    if (index >= 0) sessions.splice(index, 1);
    emit('connection_closed', { session: s.id, bound: s.mode, outstanding: s.outstanding.size });
    for (const run of loads.values()) if (run.session === s) finishLoad(run, 'connection closed');
    onSessionLost(s);
  });
}

// ---------------------------------------------------------------------------------------------
// Commands

function integerOr(value, fallback, name) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer`);
  return value;
}

// The order parts are sent in (1-based), from "order" and "duplicate".
function sendOrder(cmd, total) {
  let order = cmd.order !== undefined ? cmd.order : Array.from({ length: total }, (_, i) => i + 1);
  if (!Array.isArray(order) || order.some((n) => !Number.isInteger(n) || n < 1 || n > total)) {
    throw new Error(`order must list part numbers 1..${total}`);
  }
  const duplicates = cmd.duplicate === undefined ? [] : Array.isArray(cmd.duplicate) ? cmd.duplicate : [cmd.duplicate];
  for (const n of duplicates) {
    const at = order.indexOf(n);
    if (at < 0) throw new Error(`duplicate ${n} is not a part that is sent`);
    order = [...order.slice(0, at + 1), n, ...order.slice(at + 1)];
  }
  return order;
}

function optionalTlvs(cmd) {
  const tlvs = {};
  if (cmd.ussd_service_op !== undefined) tlvs.ussd_service_op = integerOr(cmd.ussd_service_op, 0, 'ussd_service_op');
  if (cmd.its_session_info !== undefined) {
    const info = Buffer.alloc(2);
    info.writeUInt16BE(integerOr(cmd.its_session_info, 0, 'its_session_info'));
    tlvs.its_session_info = info;
  }
  if (cmd.user_message_reference !== undefined) tlvs.user_message_reference = integerOr(cmd.user_message_reference, 0, 'user_message_reference');
  return tlvs;
}

function cmdDeliver(cmd, ack) {
  const s = pickSession(cmd, canReceive, 'receiver/transceiver bound');
  if (typeof cmd.from !== 'string' || typeof cmd.to !== 'string') throw new Error('deliver needs "from" and "to"');
  const split = cmd.split || 'udh8';
  let encoding;
  let payloads;
  let dataCoding;
  if (cmd.hex !== undefined) {
    payloads = [Buffer.from(cmd.hex, 'hex')];
    dataCoding = integerOr(cmd.data_coding, 0, 'data_coding');
    encoding = 'raw';
  } else {
    if (typeof cmd.text !== 'string') throw new Error('deliver needs "text" (or "hex")');
    encoding = text.chooseEncoding(cmd.encoding, cmd.text);
    dataCoding = integerOr(cmd.data_coding, text.ENCODINGS[encoding].data_coding, 'data_coding');
    payloads = concat.splitPayloads(cmd.text, encoding, split, cmd.parts);
  }
  const concatenated = payloads !== null && (split === 'udh8' || split === 'udh16' || split === 'sar');
  if (payloads === null) payloads = [text.ENCODINGS[encoding].encode(cmd.text)];
  const total = payloads.length;
  const ref = integerOr(cmd.ref, nextConcatRef++ & (split === 'udh8' ? 0xff : 0xffff), 'ref');
  const order = concatenated ? sendOrder(cmd, total) : [1];
  const id = cmd.id !== undefined ? cmd.id : `d${nextDeliverTag++}`;
  if (deliveries.has(id)) throw new Error(`deliver id "${id}" is still in flight`);
  const tlvs = optionalTlvs(cmd);

  const pduFor = (partNumber) => {
    const fields = {
      service_type: cmd.service_type || '',
      source_addr_ton: integerOr(cmd.from_ton, 1, 'from_ton'), source_addr_npi: integerOr(cmd.from_npi, 1, 'from_npi'), source_addr: cmd.from,
      dest_addr_ton: integerOr(cmd.to_ton, 0, 'to_ton'), dest_addr_npi: integerOr(cmd.to_npi, 1, 'to_npi'), destination_addr: cmd.to,
      esm_class: integerOr(cmd.esm_class, 0, 'esm_class'), protocol_id: 0, priority_flag: 0,
      schedule_delivery_time: '', validity_period: '', registered_delivery: 0, replace_if_present_flag: 0,
      data_coding: dataCoding, sm_default_msg_id: 0, short_message: payloads[partNumber - 1], ...tlvs,
    };
    if (concatenated && (split === 'udh8' || split === 'udh16')) {
      fields.esm_class |= 0x40;
      fields.short_message = Buffer.concat([concat.buildUdh(split, ref, total, partNumber), payloads[partNumber - 1]]);
    } else if (concatenated && split === 'sar') {
      Object.assign(fields, { sar_msg_ref_num: ref, sar_total_segments: total, sar_segment_seqnum: partNumber });
    } else if (split === 'payload') {
      fields.message_payload = payloads[0];
      fields.short_message = Buffer.alloc(0);
    }
    return fields;
  };

  deliveries.set(id, { expected: order.length, statuses: [] });
  const seqs = [];
  const sendPart = (index) => {
    const partNumber = order[index];
    const context = { id, part: partNumber, total, kind: 'mo' };
    const fields = pduFor(partNumber);
    const seq = request(s, 'deliver_sm', fields, context);
    s.resendable.set(seq, { fields, context });
    seqs.push(seq);
    emit('deliver_sm_sent', { session: s.id, id, seq, part: partNumber, total });
  };
  const finish = () => {
    if (cmd.text !== undefined) {
      transcript(`SMSC delivers  ${cmd.from} → ${cmd.to} (${total} part${total > 1 ? 's' : ''}, ${encoding}, ${concatenated ? split : 'single'}): ${cmd.text}`);
    }
    ack({ id, session: s.id, seqs, parts: total, sent: order.length, encoding, data_coding: dataCoding, split: concatenated ? split : split === 'payload' ? 'payload' : 'none', ref: concatenated ? ref : null });
  };
  // With delay_ms the parts go out one timer tick apart and the ack comes after the last one.
  const delay = integerOr(cmd.delay_ms, 0, 'delay_ms');
  let index = 0;
  const step = () => {
    try {
      do sendPart(index++); while (delay <= 0 && index < order.length);
    } catch (e) {
      deliveries.delete(id);
      emit('error', { req: cmd.req, cmd: 'deliver', message: e.message });
      return;
    }
    if (index < order.length) setTimeout(step, delay);
    else finish();
  };
  step();
}

// The id as the receipt carries it: as submit_sm_resp gave it, or (hex ids) in decimal, as some
// SMSCs do.
function receiptId(messageId, format) {
  if (format === 'decimal' && /^[0-9a-f]+$/i.test(messageId)) return BigInt('0x' + messageId).toString(10);
  return messageId;
}

// Sends a delivery receipt for `messageId` to a receiver-capable session.
function sendReceipt(cmd, preferredSession) {
  if (typeof cmd.message_id !== 'string' || !cmd.message_id) throw new Error('receipt needs "message_id"');
  const stat = cmd.stat || 'DELIVRD';
  if (!(stat in receipt.MESSAGE_STATE)) throw new Error(`unknown stat "${stat}" (${Object.keys(receipt.MESSAGE_STATE).join(', ')})`);
  const form = cmd.form || 'text';
  if (!['text', 'tlv', 'both'].includes(form)) throw new Error('form must be text, tlv or both');
  const original = submitted.get(cmd.message_id) || {};
  let s;
  if (cmd.session === undefined && preferredSession && canReceive(preferredSession) && sessions.includes(preferredSession)) s = preferredSession;
  else s = pickSession(cmd, canReceive, 'receiver/transceiver bound');
  const id = receiptId(cmd.message_id, cmd.id_format || settings.receipt_id_format);
  const err = cmd.err || (stat === 'DELIVRD' ? '000' : '001');
  const fields = {
    service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: cmd.from || original.to || '',
    dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: cmd.to || original.from || '',
    esm_class: 0x04, protocol_id: 0, priority_flag: 0, schedule_delivery_time: '', validity_period: '',
    registered_delivery: 0, replace_if_present_flag: 0, data_coding: 0, sm_default_msg_id: 0,
    short_message: Buffer.alloc(0),
  };
  const now = new Date();
  const body = receipt.receiptText({ id, stat, err, submitted: original.submitted_at || now, done: now, sample: original.sample });
  if (form === 'text' || form === 'both') fields.short_message = Buffer.from(body, 'latin1');
  if (form === 'tlv' || form === 'both') {
    fields.receipted_message_id = id;
    fields.message_state = receipt.MESSAGE_STATE[stat];
    if (stat !== 'DELIVRD') fields.network_error_code = Buffer.from([0x03, 0x00, Number.parseInt(err, 10) & 0xff]);
  }
  const tag = cmd.id !== undefined ? cmd.id : `r${nextDeliverTag++}`;
  deliveries.set(tag, { expected: 1, statuses: [] });
  const seq = request(s, 'deliver_sm', fields, { id: tag, kind: 'receipt', message_id: cmd.message_id });
  emit('deliver_sm_sent', { session: s.id, id: tag, seq, kind: 'receipt', message_id: cmd.message_id, receipted_id: id, stat, form });
  return { id: tag, session: s.id, seq, receipted_id: id, text: form === 'tlv' ? '' : body };
}

function maybeAutoReceipt(s, messageId, registeredDelivery) {
  const wanted = registeredDelivery & 0x03;
  const failed = settings.dlr_stat !== 'DELIVRD';
  if (!settings.dlr || wanted === 0 || (wanted === 2 && !failed)) return;
  const fire = () => {
    try {
      sendReceipt({ message_id: messageId, stat: settings.dlr_stat, form: settings.dlr_form }, s);
    } catch (e) {
      emit('error', { cmd: 'auto_receipt', message: e.message, message_id: messageId });
    }
  };
  if (settings.dlr_delay_ms > 0) setTimeout(fire, settings.dlr_delay_ms);
  else setImmediate(fire);
}

// ---- load: many single-part MOs at a steady rate, acks timed (for benchmarks) ----
// Per-PDU events are not emitted; one "load_done" event sums the run up.
const loads = new Map();

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function finishLoad(run, aborted) {
  if (!loads.has(run.id)) return;
  loads.delete(run.id);
  clearTimeout(run.timer);
  const sorted = run.latencies.slice().sort((a, b) => a - b);
  const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  const durationMs = Number(process.hrtime.bigint() - run.started) / 1e6;
  emit('load_done', {
    id: run.id, count: run.count, sent: run.sent, acked: run.acked, errors: run.errors,
    aborted: aborted || null, duration_ms: round(durationMs),
    rate_achieved: round(run.acked / (durationMs / 1000)),
    latency_ms: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? null) },
  });
}

function onLoadResponse(context, pdu) {
  const run = loads.get(context.load);
  if (!run) return;
  run.latencies.push(Number(process.hrtime.bigint() - context.sent_hr) / 1e6);
  if (pdu.command_status === ESME_ROK && pdu.command === 'deliver_sm_resp') ++run.acked;
  else ++run.errors;
  if (run.acked + run.errors === run.count) finishLoad(run, null);
  else pumpLoad(run);
}

function pumpLoad(run) {
  clearTimeout(run.timer);
  const elapsedS = Number(process.hrtime.bigint() - run.started) / 1e9;
  const due = run.rate > 0 ? Math.min(run.count, Math.floor(elapsedS * run.rate) + 1) : run.count;
  while (run.sent < due && (run.window === 0 || run.sent - run.acked - run.errors < run.window)) {
    const n = run.sent++;
    const fields = {
      service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: run.from(n),
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: run.to, esm_class: 0, protocol_id: 0,
      priority_flag: 0, schedule_delivery_time: '', validity_period: '', registered_delivery: 0,
      replace_if_present_flag: 0, data_coding: run.data_coding, sm_default_msg_id: 0, short_message: run.payload,
    };
    try {
      request(run.session, 'deliver_sm', fields, { load: run.id, sent_hr: process.hrtime.bigint() });
    } catch (e) {
      finishLoad(run, e.message);
      return;
    }
  }
  if (run.sent < run.count && run.rate > 0) {
    const nextAtS = run.sent / run.rate;
    run.timer = setTimeout(() => pumpLoad(run), Math.max(0, (nextAtS - elapsedS) * 1000));
  }
}

function cmdLoad(cmd) {
  const s = pickSession(cmd, canReceive, 'receiver/transceiver bound');
  const count = integerOr(cmd.count, 100, 'count');
  const rate = cmd.rate === undefined ? 0 : Number(cmd.rate);
  if (count < 1 || !(rate >= 0)) throw new Error('load needs count >= 1 and rate >= 0 (0: as fast as the window allows)');
  const body = cmd.text !== undefined ? String(cmd.text) : '村口路灯坏了 load test';
  const encoding = text.chooseEncoding(cmd.encoding, body);
  const payload = text.ENCODINGS[encoding].encode(body);
  if (payload.length > concat.singleBudget(encoding)) throw new Error('load text must fit in one part');
  const id = cmd.id !== undefined ? cmd.id : `l${nextDeliverTag++}`;
  if (loads.has(id)) throw new Error(`load "${id}" is running`);
  const from = typeof cmd.from === 'string' ? () => cmd.from : (n) => String(13900000000 + (n % 100000));
  const run = {
    id, session: s, count, rate, window: integerOr(cmd.window, 0, 'window'), from, to: cmd.to || '12345',
    payload, data_coding: text.ENCODINGS[encoding].data_coding, sent: 0, acked: 0, errors: 0,
    latencies: [], started: process.hrtime.bigint(), timer: null,
  };
  if (rate === 0 && run.window === 0) run.window = 100;  // never flood without a bound
  loads.set(id, run);
  pumpLoad(run);
  return { id, session: s.id, count, rate, window: run.window };
}


// ---- re-delivery: what a real SMSC does with MOs an ESME never answered ----
// A deliver_sm left unanswered when its connection closed was not delivered: it is sent again on
// the next receiver/transceiver bind (stream MOs always; "deliver" MOs with redeliver_unacked).
const redeliveryQueue = [];        // [{fields, context}] from closed sessions, oldest first

function onSessionLost(s) {
  const lost = [...s.outstanding.entries()].sort((a, b) => a[0] - b[0]);
  for (const [seq, context] of lost) {
    if (context.stream) {
      const run = streams.get(context.stream);
      if (run) streamLost(run, context.index);
    } else if (settings.redeliver_unacked && s.resendable.has(seq)) {
      redeliveryQueue.push(s.resendable.get(seq));
    }
  }
  s.outstanding.clear();
  s.resendable.clear();
}

function onReceiverBound(s) {
  if (!sessions.includes(s) || !canReceive(s)) return;
  while (redeliveryQueue.length) {
    const { fields, context } = redeliveryQueue.shift();
    try {
      const seq = request(s, 'deliver_sm', fields, context);
      s.resendable.set(seq, { fields, context });
      emit('redeliver', { session: s.id, id: context.id, part: context.part, seq });
    } catch (e) {
      redeliveryQueue.unshift({ fields, context });
      break;
    }
  }
  for (const run of streams.values()) pumpStream(run);
}

// ---- stream: many distinct single-part MOs that survive ESME crashes (for crash tests) ----
// Sent at "rate" per second (0: as fast as the window allows) with at most "window" unanswered,
// on the newest receiver/transceiver session. An MO whose connection closed before its
// deliver_sm_resp is sent again on the next bind; one answered with an error status is sent
// again after retry_ms. The run keeps, per MO, how often it was sent and acknowledged (status 0),
// for stream_report; "stream_done" is emitted once every MO was acknowledged.
const streams = new Map();

function streamSession() {
  for (let i = sessions.length - 1; i >= 0; --i) if (canReceive(sessions[i])) return sessions[i];
  return null;
}

function streamLost(run, index) {
  --run.inflight;
  ++run.lost;
  run.retry.push({ index, at: 0 });
}

function onStreamResponse(context, pdu) {
  const run = streams.get(context.stream);
  if (!run) return;
  --run.inflight;
  const ok = pdu.command === 'deliver_sm_resp' && pdu.command_status === ESME_ROK;
  if (ok) {
    if (run.ok_acks[context.index]++ === 0) ++run.acked;
  } else {
    ++run.errors;
    run.retry.push({ index: context.index, at: Date.now() + run.retry_ms });
  }
  if (run.events) emit('stream_ack', { id: run.id, index: context.index, status: pdu.command_status, attempt: run.sends[context.index] });
  if (run.acked === run.count && !run.done) {
    run.done = true;
    clearTimeout(run.timer);
    emit('stream_done', streamSummary(run));
  }
  pumpStream(run);
}

function streamSummary(run) {
  return {
    id: run.id, count: run.count, sent_new: run.next, acked: run.acked, inflight: run.inflight,
    sends: run.sends.reduce((a, b) => a + b, 0), resent: run.sends.reduce((a, n) => a + Math.max(0, n - 1), 0),
    lost: run.lost, errors: run.errors, retry_pending: run.retry.length, done: run.done,
    duration_ms: Math.round(Number(process.hrtime.bigint() - run.started) / 1e5) / 10,
  };
}

function pumpStream(run) {
  clearTimeout(run.timer);
  run.timer = null;
  if (run.done) return;
  const s = streamSession();
  if (!s) return;  // resumed by the next bind
  const elapsedS = Number(process.hrtime.bigint() - run.started) / 1e9;
  const due = run.rate > 0 ? Math.min(run.count, Math.floor(elapsedS * run.rate) + 1) : run.count;
  const now = Date.now();
  while (run.window === 0 || run.inflight < run.window) {
    let index;
    const r = run.retry.findIndex((x) => x.at <= now);
    if (r >= 0) index = run.retry.splice(r, 1)[0].index;
    else if (run.next < due) index = run.next++;
    else break;
    try {
      request(s, 'deliver_sm', run.fields(index), { stream: run.id, index });
    } catch (e) {
      run.retry.unshift({ index, at: 0 });
      break;  // the session is going away; its close resumes nothing, the next bind does
    }
    ++run.sends[index];
    ++run.inflight;
  }
  let wakeAt = null;
  if (run.retry.length) {
    const earliest = Math.min(...run.retry.map((x) => x.at));
    if (earliest > now) wakeAt = (earliest - now) / 1000;
  }
  if (run.next < run.count && run.rate > 0) {
    const nextAtS = run.next / run.rate - elapsedS;
    wakeAt = wakeAt === null ? nextAtS : Math.min(wakeAt, nextAtS);
  }
  if (wakeAt !== null) run.timer = setTimeout(() => pumpStream(run), Math.max(0, wakeAt * 1000));
}

function cmdStream(cmd) {
  if (!Array.isArray(cmd.messages) || cmd.messages.length === 0) throw new Error('stream needs "messages": [{"from","text"}, ...]');
  const to = cmd.to !== undefined ? String(cmd.to) : '12345';
  const payloads = cmd.messages.map((m, i) => {
    if (!m || typeof m.from !== 'string' || typeof m.text !== 'string') throw new Error(`messages[${i}] needs "from" and "text"`);
    const encoding = text.chooseEncoding(cmd.encoding, m.text);
    const payload = text.ENCODINGS[encoding].encode(m.text);
    if (payload.length > concat.singleBudget(encoding)) throw new Error(`messages[${i}] does not fit in one part`);
    return { from: m.from, payload, data_coding: text.ENCODINGS[encoding].data_coding };
  });
  const id = cmd.id !== undefined ? String(cmd.id) : `s${nextDeliverTag++}`;
  if (streams.has(id)) throw new Error(`stream "${id}" exists`);
  const rate = cmd.rate === undefined ? 0 : Number(cmd.rate);
  if (!(rate >= 0)) throw new Error('rate must be >= 0');
  const count = payloads.length;
  const run = {
    id, count, rate, window: integerOr(cmd.window, 10, 'window'), retry_ms: integerOr(cmd.retry_ms, 200, 'retry_ms'),
    events: cmd.events === true, payloads, next: 0, inflight: 0, acked: 0, lost: 0, errors: 0, done: false,
    sends: new Array(count).fill(0), ok_acks: new Array(count).fill(0), retry: [], timer: null,
    started: process.hrtime.bigint(),
    fields: (index) => ({
      service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: payloads[index].from,
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: to, esm_class: 0, protocol_id: 0,
      priority_flag: 0, schedule_delivery_time: '', validity_period: '', registered_delivery: 0,
      replace_if_present_flag: 0, data_coding: payloads[index].data_coding, sm_default_msg_id: 0,
      short_message: payloads[index].payload,
    }),
  };
  if (run.window === 0 && rate === 0) run.window = 100;  // never flood without a bound
  streams.set(id, run);
  pumpStream(run);
  return { id, count, rate, window: run.window, bound: streamSession() !== null };
}

function cmdStreamReport(cmd) {
  const run = streams.get(String(cmd.id));
  if (!run) throw new Error(`no stream "${cmd.id}"`);
  const report = { ...streamSummary(run), send_counts: run.sends, ok_acks: run.ok_acks };
  if (cmd.detail === true) {
    report.messages = run.payloads.map((p) => ({ from: p.from, data_coding: p.data_coding, hex: p.payload.toString('hex') }));
  }
  return report;
}

const settingKinds = {
  system_id: 'string?', password: 'string?', bind_status: 'int', mute: 'bool', answer_enquire_link: 'bool',
  refuse_connections: 'bool', response_delay_ms: 'int', dlr: 'bool', dlr_stat: 'string', dlr_form: 'string',
  dlr_delay_ms: 'int', receipt_id_format: 'string', redeliver_unacked: 'bool',
};

function cmdSet(cmd) {
  const failStatus = cmd.status !== undefined ? integerOr(cmd.status, 0, 'status') : null;
  for (const [key, value] of Object.entries(cmd)) {
    if (key === 'cmd' || key === 'req' || key === 'status') continue;
    if (key === 'throttle_next' || key === 'queue_full_next' || key === 'permanent_error_next' || key === 'fail_next') {
      const n = integerOr(value, 0, key);
      const status = { throttle_next: ESME_RTHROTTLED, queue_full_next: ESME_RMSGQFUL, permanent_error_next: ESME_RINVDSTADR, fail_next: failStatus }[key];
      if (status === null) throw new Error('fail_next needs "status"');
      if (n > 0) failQueue.push({ count: n, status });
      else failQueue.length = 0;
      continue;
    }
    const kind = settingKinds[key];
    if (!kind) throw new Error(`unknown setting "${key}"`);
    const ok = kind === 'bool' ? typeof value === 'boolean'
      : kind === 'int' ? Number.isInteger(value) && value >= 0
        : kind === 'string' ? typeof value === 'string' : value === null || typeof value === 'string';
    if (!ok) throw new Error(`setting "${key}" must be ${kind}`);
    if (key === 'dlr_stat' && !(value in receipt.MESSAGE_STATE)) throw new Error(`unknown dlr_stat "${value}"`);
    if (key === 'dlr_form' && !['text', 'tlv', 'both'].includes(value)) throw new Error('dlr_form must be text, tlv or both');
    if (key === 'receipt_id_format' && !['same', 'decimal'].includes(value)) throw new Error('receipt_id_format must be same or decimal');
    settings[key] = value;
  }
  return { settings, fail_queue: failQueue };
}

function cmdStats() {
  return {
    counts, pending: reassembler.list().length, fail_queue: failQueue,
    sessions: sessions.map((s) => ({ session: s.id, mode: s.mode, system_id: s.system_id, outstanding: s.outstanding.size })),
  };
}

function handleCommand(line) {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
    if (cmd === null || typeof cmd !== 'object' || Array.isArray(cmd)) throw new Error('a command is a JSON object');
  } catch (e) {
    emit('error', { message: `bad command line: ${e.message}` });
    return;
  }
  const ack = (fields) => emit('ack', { req: cmd.req, cmd: cmd.cmd, ...fields });
  try {
    switch (cmd.cmd) {
      case 'deliver':
        cmdDeliver(cmd, ack);
        return;
      case 'receipt':
        return ack(sendReceipt(cmd, null));
      case 'ussd':
        cmdUssd(cmd, ack);
        return;
      case 'set':
        return ack(cmdSet(cmd));
      case 'enquire_link': {
        const s = pickSession(cmd, (x) => x.mode !== null, 'bound');
        return ack({ session: s.id, seq: request(s, 'enquire_link', {}, {}) });
      }
      case 'unbind': {
        const s = pickSession(cmd, (x) => x.mode !== null, 'bound');
        return ack({ session: s.id, seq: request(s, 'unbind', {}, {}) });
      }
      case 'drop': {
        const targets = cmd.all ? [...sessions] : [pickSession(cmd, () => true, 'connected')];
        for (const s of targets) {
          if (cmd.rst && typeof s.session.socket.resetAndDestroy === 'function') s.session.socket.resetAndDestroy();
          else s.session.socket.destroy();
        }
        return ack({ sessions: targets.map((s) => s.id) });
      }
      case 'stats':
        return ack(cmdStats());
      case 'load':
        return ack(cmdLoad(cmd));
      case 'stream':
        return ack(cmdStream(cmd));
      case 'stream_report':
        return ack(cmdStreamReport(cmd));
      case 'pending':
        return ack({ pending: reassembler.list() });
      case 'quit':
        ack({});
        shutdown(0);
        return;
      default:
        throw new Error(`unknown command "${cmd.cmd}"`);
    }
  } catch (e) {
    emit('error', { req: cmd.req, cmd: cmd.cmd, message: e.message });
  }
}

// ---------------------------------------------------------------------------------------------
// Start

const server = smpp.createServer(onConnection);

function shutdown(code) {
  for (const s of [...sessions]) s.session.socket.destroy();
  server.close();
  // Let stdout drain before exiting.
  process.stdout.write('', () => process.exit(code));
}

server.on('error', (e) => {
  process.stderr.write(`smsc-sim: ${e.message}\n`);
  process.exit(1);
});
server.listen(args.port, args.host, () => {
  emit('listening', { port: server.address().port, host: args.host });
});

const input = readline.createInterface({ input: process.stdin, terminal: false });
input.on('line', handleCommand);
input.on('close', () => {
  if (!args.keep_running) shutdown(0);
});
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
