// mqtt.js: MQTT 3.1.1 and 5.0 control packets (OASIS MQTT 3.1.1 section 2-3, 5.0
// section 2-3), the fixed header, CONNECT's client id, PUBLISH's topic and payload,
// SUBSCRIBE's topic filters, and the packet identifiers that pair them with their
// acknowledgements. Run: chattcp chat mqtt.pcap --plugin mqtt.js --plugin-port 1883
const NAMES = ['reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];
let level = 4; // protocol level of the CONNECT seen (5: properties follow variable headers)

function varint() {          // the Remaining Length: 1-4 bytes, 7 bits each
  let v = 0, mul = 1;
  for (let i = 0; i < 4; i++) {
    const b = readUint8();
    v += (b & 127) * mul;
    if (!(b & 128)) return v;
    mul *= 128;
  }
  throw new Error('malformed Remaining Length');
}
const str = () => readString(readUint16BE());
function skipProps() { if (level >= 5) readBytes(varint()); }

function parse() {
  if (remaining() < 2) return null;
  const b0 = readUint8();
  const type = b0 >> 4, flags = b0 & 15;
  const len = varint();
  const start = remaining();
  if (start < len) readBytes(len);           // a read past the end: wait for the whole packet
  const m = { type: NAMES[type], length: len };
  const end = () => start - remaining() < len;
  switch (type) {
    case 1: {
      m.protocol = str(); m.level = level = readUint8();
      const cf = readUint8(); m.keepalive = readUint16BE();
      skipProps(); m.clientId = str();
      m.clean = !!(cf & 2);
      m.summary = `CONNECT client ${JSON.stringify(m.clientId)} (MQTT level ${m.level}, keep-alive ${m.keepalive}s)`;
      break;
    }
    case 2: m.sessionPresent = !!(readUint8() & 1); m.returnCode = readUint8();
      m.summary = `CONNACK ${m.returnCode === 0 ? 'accepted' : 'refused, code ' + m.returnCode}`; break;
    case 3: {
      m.qos = (flags >> 1) & 3; m.retain = !!(flags & 1); m.dup = !!(flags & 8);
      m.topic = str();
      if (m.qos > 0) m.packetId = readUint16BE();
      skipProps();
      const used = start - remaining();
      m.payload = readString(len - used);
      m.summary = `PUBLISH ${m.topic} = ${JSON.stringify(m.payload)} (QoS ${m.qos}${m.retain ? ', retained' : ''})`;
      break;
    }
    case 4: case 5: case 6: case 7: case 11:
      m.packetId = readUint16BE(); m.summary = `${m.type} id ${m.packetId}`; break;
    case 8: case 10: {
      m.packetId = readUint16BE(); skipProps();
      const topics = [];
      while (end()) { topics.push(str()); if (type === 8) readUint8(); }
      m.topics = topics.join(', ');
      m.summary = `${m.type} id ${m.packetId}: ${m.topics}`; break;
    }
    case 9: m.packetId = readUint16BE(); skipProps();
      m.codes = Array.from(readBytes(len - (start - remaining()))).join(',');
      m.summary = `SUBACK id ${m.packetId}: granted QoS ${m.codes}`; break;
    default: m.summary = m.type;
  }
  // what this packet left unread (properties, will, user name) is skipped
  const left = len - (start - remaining());
  if (left > 0) readBytes(left);
  return m;
}
