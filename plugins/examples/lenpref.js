// lenpref.js: a length-prefixed binary protocol (the one make-lenpref.py speaks):
// each message is a 2-byte big-endian length, then that many bytes: a 1-byte type
// (1 hello, 2 data, 3 bye), a 4-byte sequence number and a UTF-8 text.
const TYPES = { 1: 'hello', 2: 'data', 3: 'bye' };

function parse() {
  if (remaining() < 2) return null;          // not even the length yet
  const len = readUint16BE();
  if (len < 5) return null;                  // not ours
  const type = readUint8();
  const seq = readUint32BE();
  const raw = peekBytes(len - 5);            // a read past the end: chattcp waits for more
  const text = readString(len - 5);
  return {
    summary: `${TYPES[type] || 'type ' + type} #${seq}: ${text}`,
    type: TYPES[type] || String(type),
    seq,
    len,
    text,
    from: chattcp.direction,
    head: Array.from(raw.slice(0, 4)).map(b => b.toString(16).padStart(2, '0')).join(' '),
  };
}
