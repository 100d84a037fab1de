'use strict';
// Delivery receipts (SMPP 3.4 appendix B text form, and the receipted_message_id /
// message_state TLV form).

// stat word -> message_state value (SMPP 3.4 5.3.2.35).
const MESSAGE_STATE = {
  ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

function pad(n, width) { return String(n).padStart(width, '0'); }

// YYMMDDhhmm in UTC.
function receiptDate(date) {
  return pad(date.getUTCFullYear() % 100, 2) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) + pad(date.getUTCMinutes(), 2);
}

// The appendix B text: "id:... sub:001 dlvrd:001 submit date:... done date:... stat:DELIVRD err:000 text:...".
function receiptText({ id, stat, err, submitted, done, sample, sub = 1 }) {
  const dlvrd = stat === 'DELIVRD' ? sub : 0;
  // Only ASCII goes in the text field: the receipt itself is sent with data_coding 0.
  const shown = (sample || '').replace(/[^\x20-\x7e]/g, '').slice(0, 20);
  return `id:${id} sub:${pad(sub, 3)} dlvrd:${pad(dlvrd, 3)} submit date:${receiptDate(submitted)} ` +
    `done date:${receiptDate(done)} stat:${stat} err:${err} text:${shown}`;
}

module.exports = { MESSAGE_STATE, receiptText };
