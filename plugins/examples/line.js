// line.js: a line protocol (the one make-line.py speaks): "VERB args\r\n" from the
// client, "+OK ..." or "-ERR ..." from the server, one message per line.
function parse() {
  const bytes = peekBytes(-1);
  const nl = bytes.indexOf(10);
  if (nl < 0) return null;                   // the line is not complete: wait
  const line = readString(nl + 1).replace(/\r?\n$/, '');
  if (chattcp.direction === 'client') {
    const [verb, ...args] = line.split(' ');
    return { summary: line, verb, args: args.join(' '), argc: args.length };
  }
  const ok = line.startsWith('+');
  return { summary: line, status: ok ? 'ok' : 'error', text: line.slice(1).trim() };
}
