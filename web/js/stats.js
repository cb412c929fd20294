// stats.js: the statistics view, #/cap/NAME/stats: the capture's `stats --json` drawn as
// pictures. A donut of the connections' troubles, bars of the analysis labels, bars of
// the top talkers. SVG made with createElementNS; every label is a text node, so
// nothing from the capture (or the server) becomes markup.
import { h, clear, counted, fmtBytes } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
	const el = document.createElementNS(NS, tag);
	for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
	for (const k of kids) el.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
	return el;
}

// The troubles a connection can have, as stats --json counts them (one connection may
// count in several).
const TROUBLES = [
	['handshake_incomplete', 'handshake not complete', 'var(--warn)'],
	['close_incomplete', 'not closed', 'var(--mute)'],
	['with_retransmissions', 'with retransmissions', 'var(--err)'],
	['with_rst', 'reset (RST)', 'var(--accent)'],
];

// A donut of parts [{key, label, value, color}], each an arc whose length is its share.
function donut(parts, title) {
	const total = parts.reduce((n, p) => n + p.value, 0);
	const r = 60, c = 2 * Math.PI * r;
	const svg = s('svg', { viewBox: '0 0 160 160', width: 160, height: 160, role: 'img', class: 'donut' }, s('title', {}, title));
	svg.appendChild(s('circle', { cx: 80, cy: 80, r, fill: 'none', stroke: 'var(--line)', 'stroke-width': 22 }));
	let at = 0;
	for (const p of parts) {
		if (!p.value) continue;
		const len = c * p.value / total;
		svg.appendChild(s('circle', { cx: 80, cy: 80, r, fill: 'none', stroke: p.color, 'stroke-width': 22, class: 'seg',
			'data-key': p.key, 'data-value': p.value, 'stroke-dasharray': len + ' ' + (c - len), 'stroke-dashoffset': -at, transform: 'rotate(-90 80 80)' },
		s('title', {}, p.label + ': ' + p.value)));
		at += len;
	}
	svg.appendChild(s('text', { x: 80, y: 86, 'text-anchor': 'middle', class: 'donutnum' }, String(total)));
	return svg;
}

// Horizontal bars [{key, label, value, text}] scaled to the largest.
function bars(rows, cls) {
	const max = Math.max(1, ...rows.map(r => r.value));
	const rowH = 22, w = 540, lw = 170;
	const svg = s('svg', { viewBox: `0 0 ${w} ${rowH * rows.length + 4}`, width: w, height: rowH * rows.length + 4, role: 'img', class: 'bars ' + cls });
	rows.forEach((r, i) => {
		const y = i * rowH + 2, bw = Math.max(1, (w - lw - 190) * r.value / max);
		svg.appendChild(s('text', { x: lw - 6, y: y + 15, 'text-anchor': 'end', class: 'barlabel' }, r.label));
		svg.appendChild(s('rect', { x: lw, y: y + 3, width: bw, height: rowH - 6, rx: 2, class: 'bar', 'data-key': r.key, 'data-value': r.value }));
		svg.appendChild(s('text', { x: lw + bw + 6, y: y + 15, class: 'barvalue' }, r.text || String(r.value)));
	});
	return svg;
}

export function renderStats(el, st, capName, hashFor) {
	clear(el);
	const troubles = TROUBLES.map(([key, label, color]) => ({ key, label, color, value: st[key] || 0 }));
	const anyTrouble = troubles.some(t => t.value);
	const labels = Object.entries(st.analysis || {}).filter(([, v]) => v).sort((a, b) => b[1] - a[1])
		.map(([k, v]) => ({ key: k, label: k.replace(/_/g, ' '), value: v }));
	const talkers = (st.top_by_bytes || []).map(t => ({ key: t.proto + ':' + t.conn, label: t.proto + ':' + t.conn, value: t.bytes,
		text: fmtBytes(t.bytes) + ', ' + t.packets + ' pkts' + (t.retransmissions ? ', ' + t.retransmissions + ' retr.' : '') }));
	el.append(
		h('h2', 'Statistics'),
		h('p.summary', st.packets + ' packets (' + st.tcp_packets + ' TCP, ' + st.udp_packets + ' UDP) over ' + (st.duration_s || 0).toFixed(3) + ' s; ' +
			counted(st.tcp_connections, 'TCP connection') + ', ' + counted(st.udp_conversations, 'UDP conversation')),
		h('section.statbox', h('h3', 'Connection troubles'),
			anyTrouble ? h('div.donutbox', donut(troubles, 'troubles of the TCP connections'),
				h('ul.legend', troubles.map(t => h('li', { dataset: { key: t.key } }, h('span.swatch', { style: null }), t.label + ': ' + t.value))))
				: h('p.ok', 'No TCP connection with a trouble (every handshake complete, every close seen, no retransmission, no RST).'),
			anyTrouble ? h('p.small', 'A connection may count in several.') : null),
		h('section.statbox', h('h3', 'Analysis labels (packets)'), labels.length ? bars(labels, 'labels') : h('p.ok', 'No packet labelled.')),
		h('section.statbox', h('h3', 'Top talkers (bytes)'), talkers.length ? bars(talkers, 'talkers') : h('p.empty', 'No connection.'),
			h('ul.talklinks', talkers.map(t => h('li', h('a', { href: hashFor(capName, t.key) }, 'open ' + t.key))))));
	// the legend swatches take the arcs' colours (style attributes set as properties: CSP)
	el.querySelectorAll('ul.legend li').forEach((li, i) => { li.firstChild.style.background = troubles[i].color; });
}
