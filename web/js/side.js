// side.js: the right pane: the diagnosis in words with its frames as links, the handshake
// RTT split, ACK latency per direction as bars, retransmissions, duplicate ACKs, zero
// windows, how it ended; the HTTP exchanges with timing; a case's lesson.
import { h, clear, withFrameLinks, fmtBytes } from './dom.js';

const ms = v => (v === undefined || v === null ? '–' : v < 1 ? v.toFixed(3) + ' ms' : v.toFixed(1) + ' ms');

export function renderDiag(el, d, frameLink) {
	clear(el);
	if (!d) return;
	el.appendChild(h('h3', 'Diagnosis'));
	const list = d.diagnosis || [];
	el.appendChild(list.length
		? h('ul.diag', list.map(x => h('li.' + (x.severity || 'note'), { dataset: { rule: x.rule } }, withFrameLinks(x.text, frameLink))))
		: h('p.ok', 'Nothing wrong found.'));
	if (d.end) el.appendChild(h('p.end', h('b', 'How it ended: '), d.end));

	if (d.handshake_rtt_ms !== undefined) {
		const a = d.handshake_syn_synack_ms || 0, b = d.handshake_synack_ack_ms || 0, t = a + b || 1;
		el.appendChild(h('h3', 'Handshake'));
		el.appendChild(h('div.split', { title: 'SYN → SYN+ACK is the server side of the path, SYN+ACK → ACK the client side, seen from where the capture was taken' },
			h('span.sa', { style: null }, ''), h('span.ab', '')));
		const bar = el.lastChild;
		bar.children[0].style.width = (100 * a / t) + '%';
		bar.children[1].style.width = (100 * b / t) + '%';
		el.appendChild(h('p.small', 'RTT ' + ms(d.handshake_rtt_ms) + ' = ', h('span.key.sa'), 'SYN→SYN+ACK ' + ms(a) + ' + ', h('span.key.ab'), 'SYN+ACK→ACK ' + ms(b) +
			(d.capture_point ? ' (captured ' + d.capture_point.replace(/_/g, ' ') + ')' : '')));
	}

	const dirs = [['c2s', 'client → server'], ['s2c', 'server → client']].filter(([k]) => d[k]);
	if (dirs.length) {
		el.appendChild(h('h3', 'ACK latency'));
		const max = Math.max(0.001, ...dirs.map(([k]) => (d[k].ack_latency || {}).max_ms || 0));
		for (const [k, label] of dirs) {
			const l = d[k].ack_latency || {};
			const row = h('div.lat', { dataset: { dir: k } }, h('span.lbl', label),
				h('div.track', h('span.range'), h('span.avg')),
				h('span.val', l.samples ? ms(l.min_ms) + ' / ' + ms(l.avg_ms) + ' / ' + ms(l.max_ms) : 'no samples'));
			if (l.samples) {
				const r = row.querySelector('.range'), a = row.querySelector('.avg');
				r.style.left = (100 * l.min_ms / max) + '%';
				r.style.width = Math.max(0.5, 100 * (l.max_ms - l.min_ms) / max) + '%';
				a.style.left = (100 * l.avg_ms / max) + '%';
			}
			el.appendChild(row);
		}
		el.appendChild(h('p.small', 'min / avg / max, from data to the ACK that covers it (' + dirs.map(([k]) => (d[k].ack_latency || {}).samples || 0).join(' and ') + ' samples)'));
		el.appendChild(h('h3', 'Per direction'));
		el.appendChild(h('table.dirs',
			h('tr', h('th', ''), dirs.map(([, l]) => h('th', l))),
			[['packets', x => x.packets], ['bytes', x => fmtBytes(x.bytes || 0)],
				['retransmitted', x => x.retransmitted_packets + ' (' + (100 * (x.retransmission_rate || 0)).toFixed(1) + '%)'],
				['duplicate ACKs', x => x.duplicate_acks], ['zero-window periods', x => x.zero_window_periods + (x.zero_window_periods ? ' (' + ms(x.zero_window_total_ms) + ')' : '')],
				['keep-alives', x => x.keep_alives]].map(([name, f]) => h('tr', h('th', name), dirs.map(([k]) => h('td', String(f(d[k]))))))));
	}
}

export function renderHttp(el, xs, frameLink) {
	clear(el);
	el.appendChild(h('h3', 'HTTP exchanges'));
	if (!xs.length) { el.appendChild(h('p.small', 'No HTTP in this connection.')); return; }
	const longest = Math.max(1e-6, ...xs.map(x => x.timing ? (x.timing.wait_s || 0) + (x.timing.transfer_s || 0) : 0));
	for (const x of xs) {
		const rq = x.request || {}, rs = x.response || {};
		const t = x.timing || {};
		const bar = h('div.timing', { title: 'waiting for the first byte, then the transfer' }, h('span.wait'), h('span.xfer'));
		bar.children[0].style.width = (100 * (t.wait_s || 0) / longest) + '%';
		bar.children[1].style.width = (100 * (t.transfer_s || 0) / longest) + '%';
		el.appendChild(h('div.exch',
			h('div.rq', rq.summary || '(no request)', rq.frame ? [' ', frameLink(rq.frame, '#' + rq.frame)] : null),
			h('div.rs', rs.summary || '(no response)', rs.frame ? [' ', frameLink(rs.frame, '#' + rs.frame)] : null,
				rs.content_type ? h('span.ct', ' ' + rs.content_type) : null, rs.body_size !== undefined ? h('span.ct', ', ' + fmtBytes(rs.body_size)) : null),
			bar,
			h('p.small', h('span.key.wait'), 'wait ' + ms((t.wait_s || 0) * 1000) + ', ', h('span.key.xfer'), 'transfer ' + ms((t.transfer_s || 0) * 1000)),
			(x.notes || []).map(n => h('p.appnote.' + (n.severity || 'note'), n.text))));
	}
}

// A lesson (markdown from the case library): headings, lists, paragraphs, **bold**,
// *em*, `code`; every "frame N" a link. Built as elements, never as HTML text.
export function renderLesson(el, md, frameLink) {
	clear(el);
	let list = null, para = null;
	const inline = s => {
		const out = [];
		const re = /(\*\*[^*]+\*\*|\*[^*\s][^*]*\*|`[^`]+`)/g;
		let at = 0, m;
		while ((m = re.exec(s))) {
			out.push(...withFrameLinks(s.slice(at, m.index), frameLink));
			const t = m[0];
			if (t.startsWith('**')) out.push(h('b', withFrameLinks(t.slice(2, -2), frameLink)));
			else if (t.startsWith('`')) out.push(h('code', t.slice(1, -1)));
			else out.push(h('em', withFrameLinks(t.slice(1, -1), frameLink)));
			at = m.index + t.length;
		}
		out.push(...withFrameLinks(s.slice(at), frameLink));
		return out;
	};
	const flush = () => { list = null; para = null; };
	let item = null, code = null;
	for (const raw of md.split('\n')) {
		const line = raw.replace(/\s+$/, '');
		if (line.startsWith('```')) {
			if (code) { code = null; } else { flush(); code = h('pre.code'); el.appendChild(code); }
			continue;
		}
		if (code) { code.appendChild(document.createTextNode(raw + '\n')); continue; }
		let m;
		if (!line.trim()) { flush(); item = null; continue; }
		if ((m = /^(#{1,4})\s+(.*)$/.exec(line))) { flush(); el.appendChild(h('h' + Math.min(6, m[1].length + 2), inline(m[2]))); continue; }
		if ((m = /^\s*[-*]\s+(.*)$/.exec(line))) {
			if (!list) { list = h('ul'); el.appendChild(list); para = null; }
			item = h('li', inline(m[1]));
			list.appendChild(item);
			continue;
		}
		if (list && item && /^\s+/.test(raw)) { item.append(' ', ...inline(line.trim())); continue; }
		if (!para) { list = null; para = h('p'); el.appendChild(para); } else para.append(' ');
		para.append(...inline(line.trim()));
	}
}
