// graphs.js: the Graphs view, #/cap/NAME/tcp:ID/graphs[/KIND]: a connection's
// time-sequence graph (Stevens/tcptrace style), throughput, round-trip time, and window
// and bytes in flight, drawn on canvas by uPlot (web/vendor/, docs/deps.md) from
// /api/graph: the lines of `graph --json`, one point per packet, measured by the session
// (session/graph.c). This file only turns them into columns and draws them: every series
// has one value (or a hole) per packet, so a series is as long as the chat.
// Zoom: drag across the plot, or the wheel; pan: shift+drag, or the arrow buttons/keys;
// double-click or "reset" shows everything. The pointer names the packet under it; a
// click opens that packet (#/.../p/N). Nothing from the capture becomes markup: the words
// of the hover line are text nodes, and the marks are canvas pixels.
import { h, clear, fmtBytes } from './dom.js';
import * as api from './api.js';
import { settings } from './settings.js';

export const GRAPH_KINDS = [
	['tseq', 'time-sequence'],
	['tput', 'throughput'],
	['rtt', 'round-trip time'],
	['win', 'window & in flight'],
];

// The analysis labels in the order of graph --json's bit set (docs/json.md).
const LABELS = ['retransmission', 'fast retransmission', 'spurious retransmission', 'out of order', 'lost segment',
	'ACK of a lost segment', 'duplicate ACK', 'keep-alive', 'keep-alive ACK', 'zero window', 'zero-window probe',
	'zero-window probe ACK', 'window full', 'window update', 'reused ports'];

// The averaging windows offered for throughput (seconds); 0: chosen from the duration.
const AVERAGES = [['0', 'average: auto'], ['0.01', 'over 10 ms'], ['0.1', 'over 100 ms'], ['1', 'over 1 s']];

// The kind a location hash asks for, '' when it is not a graphs route.
export function graphsKind(hash) {
	const m = /\/graphs(?:\/(\w+))?$/.exec(hash);
	if (!m) return '';
	return GRAPH_KINDS.some(k => k[0] === m[1]) ? m[1] : 'tseq';
}

// uPlot and the two stylesheets, loaded on the first graph (scripts and styles from our
// own origin only: the CSP allows nothing else).
let lib = null;
function loadLib() {
	const add = (tag, attrs) => new Promise((ok, bad) => {
		const el = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
		el.addEventListener('load', ok);
		el.addEventListener('error', () => bad(new Error('could not load ' + (attrs.src || attrs.href))));
		document.head.appendChild(el);
	});
	if (!lib)
		lib = Promise.all([add('script', { src: '/vendor/uPlot.iife.min.js' }),
			add('link', { rel: 'stylesheet', href: '/vendor/uPlot.min.css' }),
			add('link', { rel: 'stylesheet', href: '/graphs.css' })]).then(() => window.uPlot);
	return lib;
}

const TWO32 = 4294967296;
// v (a 32-bit relative sequence number) as the number nearest ref: sequence numbers wrap
// after 4 GiB, the graph goes on upwards.
const unwrap = (v, ref) => v + Math.round((ref - v) / TWO32) * TWO32;

// The lines of /api/graph as columns (typed arrays, one entry per packet, in time order).
function columns(lines) {
	const head = lines.find(l => !Array.isArray(l) && l.fields) || { fields: [] };
	const foot = lines.find(l => !Array.isArray(l) && l.packets !== undefined);
	const f = {};
	head.fields.forEach((k, i) => { f[k] = i; });
	let pts = lines.filter(Array.isArray);
	// capture order is time order but for a clock stepped back: the x axis must ascend
	for (let i = 1; i < pts.length; i++)
		if (pts[i][f.t_us] < pts[i - 1][f.t_us]) { pts = pts.slice().sort((a, b) => a[f.t_us] - b[f.t_us]); break; }
	const n = pts.length;
	const c = { proto: head.proto || 'tcp', n, packets: foot ? foot.packets : n };
	for (const k of ['frame', 'dir', 'retx', 'labels']) c[k] = Uint32Array.from(pts, p => p[f[k]] || 0);
	for (const k of ['t', 'seq', 'end', 'ack', 'win', 'inflight', 'rtt']) c[k] = new Float64Array(n);
	const ref = [0, 0];
	const sackAt = [], sackL = [], sackR = [];
	for (let i = 0; i < n; i++) {
		const p = pts[i], d = c.dir[i] & 1;
		c.t[i] = p[f.t_us] / 1e6;
		c.win[i] = p[f.win];
		c.inflight[i] = p[f.inflight];
		c.rtt[i] = p[f.rtt_us] >= 0 ? p[f.rtt_us] / 1000 : NaN;
		if (c.proto !== 'tcp') { c.seq[i] = 0, c.end[i] = p[f.end], c.ack[i] = -1; continue; }
		// a side's seq and end, and its peer's ack and SACK blocks, share one number space
		c.seq[i] = ref[d] = unwrap(p[f.seq], ref[d]);
		c.end[i] = unwrap(p[f.end], ref[d]);
		c.ack[i] = p[f.ack] >= 0 ? unwrap(p[f.ack], ref[1 - d]) : -1;
		for (const [l, r] of p[f.sack] || []) {
			sackAt.push(i), sackL.push(unwrap(l, ref[1 - d])), sackR.push(unwrap(r, ref[1 - d]));
		}
	}
	c.sackAt = Uint32Array.from(sackAt), c.sackL = Float64Array.from(sackL), c.sackR = Float64Array.from(sackR);
	c.bytes = [0, 0];
	for (let i = 0; i < n; i++) c.bytes[c.dir[i] & 1] += Math.max(0, c.end[i] - c.seq[i]);
	return c;
}

// First index whose time is >= x (binary search).
function lowerBound(a, x) {
	let lo = 0, hi = a.length;
	while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m; }
	return lo;
}

// Bytes per second of each direction over the window (t - w, t] at every packet's time t.
function throughput(c, w) {
	const out = [new Array(c.n), new Array(c.n)];
	for (let d = 0; d < 2; d++) {
		let j = 0, sum = 0;
		for (let i = 0; i < c.n; i++) {
			if ((c.dir[i] & 1) === d) sum += Math.max(0, c.end[i] - c.seq[i]);
			while (c.t[j] <= c.t[i] - w) { if ((c.dir[j] & 1) === d) sum -= Math.max(0, c.end[j] - c.seq[j]); j++; }
			out[d][i] = sum / w;
		}
	}
	return out;
}

// uPlot's path for a throughput series. Where no packet came for longer than the
// averaging window w, the rate falls to 0 one window after the last packet and stays there
// until the next (a line straight across would invent a rate). Points that fall in one
// pixel column are reduced to the column's lowest, highest and last.
function rateLine(w) {
	return (u, sidx, i0, i1) => {
		const xs = u.data[0], ys = u.data[sidx], p = new Path2D();
		let col = null, mn = 0, mx = 0, last = 0, prev = null;
		const flush = () => { if (col !== null) { p.lineTo(col, mn); p.lineTo(col, mx); p.lineTo(col, last); } col = null; };
		const to = (x, y) => {
			const cx = Math.round(x);
			if (cx === col) { mn = Math.min(mn, y), mx = Math.max(mx, y), last = y; return; }
			flush();
			p.lineTo(x, y);
			col = cx, mn = mx = last = y;
		};
		for (let i = i0; i <= i1; i++) {
			const t = xs[i], x = u.valToPos(t, 'x', true), y = u.valToPos(ys[i], 'y', true);
			if (prev === null) { p.moveTo(x, y); prev = t; continue; }
			if (t - prev > w) {
				const y0 = u.valToPos(0, 'y', true);
				to(u.valToPos(prev + w, 'x', true), y0);
				to(x, y0);
			}
			to(x, y);
			prev = t;
		}
		flush();
		return { stroke: p, fill: null, clip: null, band: null, gaps: null, flags: 0 };
	};
}

function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

// A number with its decimals, trailing zeros after the point dropped (1.250 -> 1.25, 10.0 -> 10).
const trim = s => s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
function fmtSecs(v) {
	const a = Math.abs(v);
	if (a === 0) return '0';
	if (a < 0.001) return trim((v * 1e6).toFixed(1)) + ' µs';
	if (a < 1) return trim((v * 1000).toFixed(3)) + ' ms';
	return trim(v.toFixed(3)) + ' s';
}
const fmtNum = v => Math.round(v).toLocaleString('en-US');
const fmtRate = v => fmtBytes(Math.round(v)) + '/s';
// An axis value in decimal units (the ticks are round in tens): 250 k, 1.5 M.
const fmtSI = v => v >= 1e9 ? trim((v / 1e9).toFixed(2)) + ' G' : v >= 1e6 ? trim((v / 1e6).toFixed(2)) + ' M' : v >= 1e3 ? trim((v / 1e3).toFixed(2)) + ' k' : trim(v.toFixed(1));
// " (12 here)" after a legend line: how many of that mark the connection has
const times = n => n === undefined ? '' : n ? ' (' + fmtNum(n) + ' here)' : ' (none here)';

export class GraphsView {
	// nav: { back(), open(frame), kind(kind) }: what the bar's buttons and a click ask
	// the window to show.
	constructor(el, nav) {
		this.el = el, this.nav = nav;
		this.kind = 'tseq', this.sender = 0, this.u = null, this.c = null;
		el.graph = this; // the browser test reads the plot through this (tests/ui/graphs.test.mjs)
		new MutationObserver(() => { if (this.c && !this.el.hidden) this.plot(); })
			.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
		new ResizeObserver(() => this.fit()).observe(el);
	}

	// conn: the /api/conns object (its client and server name the sides); frame: the
	// chat's current packet, ringed on the graph ("you are here"), 0 for none.
	async show(cap, key, conn, kind, frame) {
		this.kind = kind, this.frame = frame || 0;
		if (this.c && this.cap === cap && this.key === key) return this.draw();
		// another connection: the old plot goes first (its pointer events would read the old columns)
		if (this.u) { this.u.destroy(); this.u = null; }
		this.cap = cap, this.key = key, this.conn = conn || {}, this.c = null, this.here = null;
		const token = this.token = {};
		this.el.dataset.ready = '';
		clear(this.el).appendChild(h('p.loading', 'reading the packets…'));
		const t0 = performance.now();
		let c, uPlot;
		try {
			[uPlot, c] = await Promise.all([loadLib(), api.list('graph', { cap, conn: key }).then(columns)]);
		} catch (e) {
			if (token === this.token) clear(this.el).appendChild(h('p.error', e.message));
			return;
		}
		if (token !== this.token) return; // another connection was chosen meanwhile
		this.uPlot = uPlot, this.c = c;
		this.el.dataset.loadms = String(Math.round(performance.now() - t0));
		// the time-sequence graph follows the side that sent more (the download's server)
		this.sender = c.bytes[1] > c.bytes[0] ? 1 : 0;
		this.draw();
	}

	side(d) {
		const cn = this.conn;
		return d ? 'server' + (cn.server ? ' ' + cn.server : '') : 'client' + (cn.client ? ' ' + cn.client : '');
	}

	draw() {
		const el = clear(this.el), c = this.c;
		if (c.proto !== 'tcp') this.kind = 'tput'; // a UDP conversation has no sequence, ACK or window
		const tab = ([k, label]) => h('button', { type: 'button', role: 'tab', dataset: { kind: k }, 'aria-selected': String(k === this.kind),
			disabled: c.proto !== 'tcp' && k !== 'tput' ? true : null, onclick: () => this.nav.kind(k) }, label);
		const sel = (value, opts, title, set) => h('select', { title, onchange: e => { set(e.target.value); this.plot(); } },
			opts.map(([v, l]) => h('option', { value: v, selected: v === String(value) ? true : null }, l)));
		const btn = (label, title, fn, cls) => h('button' + (cls || ''), { type: 'button', title, onclick: fn }, label);
		const cn = this.conn;
		el.append(h('div.graphbar',
			h('button', { type: 'button', title: 'back to the chat', onclick: () => this.nav.back() }, '← chat'),
			h('span.graphtitle', 'Graphs ' + this.key + ': ', h('span.client', cn.client || 'client'), ' ⇄ ', h('span.server', cn.server || 'server')),
			h('span.graphtabs', { role: 'tablist' }, GRAPH_KINDS.map(tab))),
		h('div.graphbar.graphctl',
			this.kind === 'tseq' || this.kind === 'win'
				? sel(this.sender, [['0', 'data sent by the client'], ['1', 'data sent by the server']], 'whose data the graph follows', v => { this.sender = Number(v); })
				: null,
			this.kind === 'tput' ? sel(settings.graphAverage || '0', AVERAGES, 'how long a stretch each point averages', v => { settings.graphAverage = v; }) : null,
			h('span.grow'),
			btn('−', 'zoom out (-)', () => this.zoom(1 / 0.6)), btn('+', 'zoom in (+)', () => this.zoom(0.6)),
			btn('◀', 'earlier (←)', () => this.pan(-0.25)), btn('▶', 'later (→)', () => this.pan(0.25)),
			btn('reset', 'show the whole connection (double-click, 0)', () => this.reset(), '.reset')));
		this.hoverEl = h('div.graphhover', { role: 'status' });
		this.plotEl = h('div.graphplot', { tabindex: 0, onkeydown: e => this.key_(e) });
		this.legendEl = h('div.graphlegend');
		el.append(this.hoverEl, this.plotEl, this.legendEl);
		this.plot();
	}

	key_(e) {
		const k = { '+': () => this.zoom(0.6), '=': () => this.zoom(0.6), '-': () => this.zoom(1 / 0.6), ArrowLeft: () => this.pan(-0.25),
			ArrowRight: () => this.pan(0.25), 0: () => this.reset() }[e.key];
		if (k) { e.preventDefault(); e.stopPropagation(); k(); }
	}

	// The series of the current kind: uPlot's data (x first), its series options, what
	// the hover finds at each packet (mainY, NaN: nothing there), and the legend.
	series() {
		const c = this.c, n = c.n, D = this.sender, R = 1 - D;
		const col = {
			side: [css('--g-client'), css('--g-server')], retx: css('--g-retx'), spur: css('--g-spurious'),
			sack: css('--g-sack'), ink: css('--ink'), grid: css('--line'), mute: css('--mute'),
		};
		this.col = col;
		const U = this.uPlot, stepped = U.paths.stepped({ align: 1 });
		const none = () => null;
		const line = (label, stroke, extra) => Object.assign({ label, stroke, width: 1.5, paths: stepped, spanGaps: true, points: { show: false } }, extra);
		const hidden = label => ({ label, paths: none, points: { show: false } });
		const mainY = new Float64Array(n).fill(NaN);
		const sd = d => this.side(d), sdD = sd(D), sdR = sd(R);
		let data, series, legend, how, ylabel, yfmt, counts = {};
		if (this.kind === 'tseq') {
			const lo = new Array(n).fill(null), hi = new Array(n).fill(null), ack = new Array(n).fill(null), edge = new Array(n).fill(null);
			counts = { data: 0, retransmission: 0, spurious: 0, ack: 0, sack: 0 };
			for (let i = 0; i < n; i++) {
				if ((c.dir[i] & 1) === D) {
					if (c.end[i] > c.seq[i]) {
						lo[i] = c.seq[i], hi[i] = c.end[i], mainY[i] = c.end[i];
						counts[c.retx[i] === 2 ? 'spurious' : c.retx[i] ? 'retransmission' : 'data']++;
					}
				} else if (c.ack[i] >= 0) {
					ack[i] = c.ack[i], edge[i] = c.ack[i] + c.win[i], mainY[i] = c.ack[i];
					counts.ack++;
				}
			}
			for (let j = 0; j < c.sackAt.length; j++) if ((c.dir[c.sackAt[j]] & 1) === R) counts.sack++;
			data = [c.t, lo, hi, ack, edge];
			series = [{}, hidden('segment start'), hidden('segment end'), line('ACK', col.side[R]), line('window', col.side[R], { width: 1, dash: [5, 4] })];
			ylabel = 'sequence number (bytes, relative)';
			yfmt = fmtNum;
			how = 'Time goes right, the bytes the ' + (D ? 'server' : 'client') + ' sent go up. Each bar is one segment, from its first byte to its last: a steady slope is a steady transfer, a flat stretch a pause. The solid line is what the ' + (R ? 'server' : 'client') + ' acknowledged; the bars above it are in flight. The dashed line is as far as the receiver\'s window lets the sender go: bars touching it mean the window held the sender back.';
			legend = [
				['bar', col.side[D], 'a segment ' + sdD + ' sent (a SYN or FIN counts one byte)' + times(counts.data)],
				['bar', col.retx, 'a retransmission: bytes sent again because they seemed lost' + times(counts.retransmission)],
				['bar', col.spur, 'a spurious retransmission: sent again, though the first copy had arrived' + times(counts.spurious)],
				['line', col.side[R], 'ACK line: the next byte ' + sdR + ' expects; everything below it arrived' + times(counts.ack)],
				['dash', col.side[R], 'window line: ACK + receive window, the most the sender may have sent'],
				['bar', col.sack, 'SACK block: bytes ' + sdR + ' got past a hole (selective acknowledgment)' + times(counts.sack)],
			];
		} else if (this.kind === 'tput') {
			const dur = n ? c.t[n - 1] - c.t[0] : 0;
			const w = Number(settings.graphAverage || 0) || Math.min(1, Math.max(0.001, dur / 50));
			this.average = w;
			const tp = throughput(c, w);
			for (let i = 0; i < n; i++) mainY[i] = tp[c.dir[i] & 1][i];
			data = [c.t, tp[0], tp[1]];
			series = [{}, line('client → server', col.side[0], { paths: rateLine(w) }), line('server → client', col.side[1], { paths: rateLine(w) })];
			ylabel = 'bytes per second';
			yfmt = fmtSI;
			how = 'How fast each side sent: at every packet, the bytes that side sent in the last ' + fmtSecs(w) + ', divided by ' + fmtSecs(w) + '. Retransmitted bytes count too (they were sent again); a SYN or FIN counts one byte.';
			legend = [['line', col.side[0], 'sent by ' + sd(0)], ['line', col.side[1], 'sent by ' + sd(1)]];
		} else if (this.kind === 'rtt') {
			const r = [new Array(n).fill(null), new Array(n).fill(null)];
			counts = { client: 0, server: 0 };
			for (let i = 0; i < n; i++) {
				if (Number.isNaN(c.rtt[i])) continue;
				const sender = 1 - (c.dir[i] & 1); // the ACK's sender measures its peer's data
				r[sender][i] = mainY[i] = c.rtt[i];
				counts[sender ? 'server' : 'client']++;
			}
			data = [c.t, r[0], r[1]];
			series = [{}, hidden('client data RTT'), hidden('server data RTT')];
			ylabel = 'round-trip time';
			yfmt = v => fmtSecs(v / 1000);
			how = 'Each dot is an ACK that acknowledged new data: the time from sending that data to its ACK, seen where the capture was taken. Data sent twice gives no dot (Karn\'s rule: which copy was acknowledged cannot be told). Dots rising together mean queues filling.';
			legend = [['dot', col.side[0], 'data sent by ' + sd(0) + ', acknowledged by the server' + times(counts.client)],
				['dot', col.side[1], 'data sent by ' + sd(1) + ', acknowledged by the client' + times(counts.server)]];
		} else {
			const fl = new Array(n).fill(null), rw = new Array(n).fill(null);
			for (let i = 0; i < n; i++) {
				if ((c.dir[i] & 1) === D) fl[i] = mainY[i] = c.inflight[i];
				else rw[i] = mainY[i] = c.win[i];
			}
			data = [c.t, fl, rw];
			series = [{}, line('bytes in flight', col.side[D]), line('receive window', col.side[R], { dash: [5, 4] })];
			ylabel = 'bytes';
			yfmt = fmtNum;
			how = 'Bytes in flight: what the ' + (D ? 'server' : 'client') + ' has sent and not yet seen acknowledged. Receive window: how much more the ' + (R ? 'server' : 'client') + ' said it can take. When the first line reaches the second, the receiver holds the sender back; a window at 0 stops it.';
			legend = [['line', col.side[D], 'bytes in flight of ' + sdD + ': sent, not yet acknowledged, at each packet it sends'], ['dash', col.side[R], 'receive window ' + sdR + ' advertised (scaled)']];
		}
		return { data, series, legend, how, ylabel, yfmt, mainY, counts };
	}

	plot() {
		if (!this.c || !this.plotEl) return;
		const t0 = performance.now();
		// the same connection drawn again (another graph, the theme, a switch): the same stretch
		// of time stays in view, so a zoom on the loss shows the loss in every graph
		const here = this.cap + '/' + this.key;
		const keepX = this.u && this.drawnFor === here ? [this.u.scales.x.min, this.u.scales.x.max] : null;
		this.drawnFor = here;
		if (this.u) { this.u.destroy(); this.u = null; }
		const U = this.uPlot, c = this.c;
		const s = this.series();
		this.mainY = s.mainY, this.hoverIdx = -1;
		const first = c.n ? c.t[0] : 0, last = c.n ? c.t[c.n - 1] : 0;
		// the whole connection and 1% each side, so a mark on the first or last packet is not cut
		const pad = last > first ? (last - first) * 0.01 : 0.001;
		this.full = [first - pad, last + pad];
		const col = this.col;
		const axis = (label, values, size) => ({ stroke: col.ink, label, labelSize: 16, labelFont: '12px system-ui, sans-serif', font: '11px system-ui, sans-serif',
			size, grid: { stroke: col.grid, width: 1 }, ticks: { stroke: col.grid, width: 1 }, values });
		const opts = {
			scales: {
				x: { time: false, range: (u, lo, hi) => lo < hi ? [lo, hi] : [lo - 0.001, hi + 0.001] },
				y: { range: (u, lo, hi) => this.yrange(lo, hi) },
			},
			axes: [axis('time since the connection\'s first packet', (u, vals) => vals.map(fmtSecs), 40),
				axis(s.ylabel, (u, vals) => vals.map(s.yfmt), 78)],
			series: s.series,
			legend: { show: false },
			cursor: {
				points: { show: false },
				y: false, // a horizontal cursor line would read as one more line of the graph
				drag: { x: true, y: false, setScale: true },
				// shift+drag pans (below); a plain drag selects the stretch to zoom to
				bind: { mousedown: (u, targ, handler) => e => { if (e.button === 0 && !e.shiftKey && e.target === targ) handler(e); } },
			},
			hooks: {
				draw: [u => this.marks(u)],
				setCursor: [u => this.hover(u)],
				setScale: [(u, k) => { if (k === 'x') this.scaled(u); }],
			},
		};
		const hereAt = this.frame ? c.frame.indexOf(this.frame) : -1;
		if (hereAt >= 0 && !Number.isNaN(s.mainY[hereAt])) s.legend.push(['ring', css('--accent'), 'frame ' + this.frame + ': the packet chosen in the chat']);
		clear(this.legendEl).append(h('ul.legend', s.legend.map(([shape, color, words]) => {
			const sw = h('span.swatch.' + shape);
			sw.style.setProperty('--sw', color); // a CSSOM property, not a style attribute (CSP)
			return h('li', sw, words);
		})), h('p.graphhow', s.how));
		this.idleHover();
		clear(this.plotEl);
		this.u = new U({ ...opts, ...this.size() }, s.data, this.plotEl);
		this.marker = h('div.graphmark', { hidden: true });
		this.here = h('div.graphmark.here', { hidden: true, title: 'the packet chosen in the chat' });
		this.u.over.append(this.here, this.marker);
		this.placeHere(this.u);
		this.bindPointer(this.u);
		this.plotEl.setAttribute('aria-label', GRAPH_KINDS.find(k => k[0] === this.kind)[1] + ' graph of ' + this.key + ', ' + c.n + ' packets; + and - zoom, the arrows move, 0 shows all');
		const d = this.el.dataset;
		d.kind = this.kind, d.points = String(c.n), d.packets = String(c.packets);
		d.series = JSON.stringify(s.data.slice(1).map(a => a.length));
		d.counts = JSON.stringify(s.counts);
		d.drawms = String(Math.round(performance.now() - t0));
		if (keepX) this.setX(keepX[0], keepX[1]); else this.reset();
		this.scaled(this.u);
		d.ready = '1';
	}

	// The plot's size: the pane's width, the height left under the bars and above the legend.
	size() {
		const w = Math.max(320, this.el.clientWidth - 24);
		const used = [...this.el.children].filter(e => e !== this.plotEl).reduce((n, e) => n + e.offsetHeight, 0);
		return { width: w, height: Math.max(220, Math.min(620, this.el.clientHeight - used - 24)) };
	}

	fit() {
		if (!this.u || this.el.hidden) return;
		const s = this.size();
		if (Math.abs(s.width - this.u.width) > 2 || Math.abs(s.height - this.u.height) > 2) this.u.setSize(s);
	}

	// y from 0 for the graphs of sizes and times (a line on 0 kept just above the axis),
	// with room at the top; the time-sequence graph fits what is in view.
	yrange(lo, hi) {
		if (lo === null || hi === null || !Number.isFinite(lo)) return [0, 1];
		if (this.kind !== 'tseq') lo = 0;
		const pad = (hi - lo) * 0.04 || 1;
		return [this.kind === 'tseq' ? Math.max(0, lo - pad) : -pad / 3, hi + pad];
	}

	// The ring on the chat's current packet, where it is now (after a zoom or a pan).
	placeHere(u) {
		if (!this.here || !this.c) return;
		const i = this.frame ? this.c.frame.indexOf(this.frame) : -1;
		const ok = i >= 0 && !Number.isNaN(this.mainY[i]) && this.c.t[i] >= u.scales.x.min && this.c.t[i] <= u.scales.x.max;
		this.here.hidden = !ok;
		this.el.dataset.here = ok ? String(this.frame) : '';
		if (ok) this.here.style.transform = 'translate(' + (u.valToPos(this.c.t[i], 'x') - 7) + 'px,' + (u.valToPos(this.mainY[i], 'y') - 7) + 'px)';
	}

	scaled(u) {
		this.placeHere(u);
		const x = u.scales.x;
		this.el.dataset.xmin = String(x.min), this.el.dataset.xmax = String(x.max);
	}

	setX(lo, hi) {
		const [a, b] = this.full, span = Math.min(hi - lo, b - a);
		lo = Math.max(a, Math.min(lo, b - span));
		this.u.setScale('x', { min: lo, max: lo + Math.max(span, 1e-7) });
	}

	zoom(f, at) {
		const x = this.u.scales.x;
		const mid = at === undefined ? (x.min + x.max) / 2 : at;
		this.setX(mid - (mid - x.min) * f, mid + (x.max - mid) * f);
	}

	pan(frac) {
		const x = this.u.scales.x, d = (x.max - x.min) * frac;
		this.setX(x.min + d, x.max + d);
	}

	reset() { this.setX(this.full[0], this.full[1]); }

	// The wheel zooms about the pointer; shift+drag pans; a click (no drag) opens the
	// packet under the pointer.
	bindPointer(u) {
		const over = u.over;
		over.addEventListener('wheel', e => {
			e.preventDefault();
			const r = over.getBoundingClientRect();
			this.zoom(e.deltaY < 0 ? 0.8 : 1.25, u.posToVal(e.clientX - r.left, 'x'));
		}, { passive: false });
		let down = null;
		over.addEventListener('mousedown', e => {
			down = { x: e.clientX, y: e.clientY, min: u.scales.x.min, max: u.scales.x.max, pan: e.shiftKey };
			if (!e.shiftKey) return;
			const move = ev => {
				const per = (down.max - down.min) / u.over.clientWidth;
				this.setX(down.min - (ev.clientX - down.x) * per, down.max - (ev.clientX - down.x) * per);
			};
			const up = () => { document.removeEventListener('mousemove', move); document.removeEventListener('mouseup', up); };
			document.addEventListener('mousemove', move);
			document.addEventListener('mouseup', up);
		});
		over.addEventListener('click', e => {
			const moved = down && (Math.abs(e.clientX - down.x) > 3 || Math.abs(e.clientY - down.y) > 3);
			down = null;
			if (moved || this.hoverIdx < 0) return;
			this.nav.open(this.c.frame[this.hoverIdx]);
		});
		over.addEventListener('dblclick', () => this.reset());
	}

	// The packet nearest the pointer (within 12 px), found among the packets whose time is
	// that close: a search, then a scan of at most a few thousand.
	nearest(u, left, top) {
		const c = this.c, t = c.t, y = this.mainY;
		const R = 12, px = u.posToVal(left, 'x'), perPx = (u.scales.x.max - u.scales.x.min) / u.over.clientWidth;
		const a = lowerBound(t, px - R * perPx), b = Math.min(c.n, lowerBound(t, px + R * perPx + 1e-12), a + 20000);
		let best = -1, bestD = R * R;
		for (let i = a; i < b; i++) {
			if (Number.isNaN(y[i])) continue;
			const dx = u.valToPos(t[i], 'x') - left, dy = u.valToPos(y[i], 'y') - top;
			const dd = dx * dx + dy * dy;
			if (dd <= bestD) { bestD = dd; best = i; }
		}
		return best;
	}

	hover(u) {
		if (!this.c || u !== this.u) return;
		const { left, top } = u.cursor;
		const i = left >= 0 && top >= 0 ? this.nearest(u, left, top) : -1;
		if (i === this.hoverIdx) return;
		this.hoverIdx = i;
		u.over.classList.toggle('onpoint', i >= 0);
		if (i < 0) { this.marker.hidden = true; return this.idleHover(); }
		const x = u.valToPos(this.c.t[i], 'x'), y = u.valToPos(this.mainY[i], 'y');
		this.marker.hidden = false;
		this.marker.style.transform = 'translate(' + (x - 5) + 'px,' + (y - 5) + 'px)';
		this.el.dataset.hover = String(this.c.frame[i]);
		clear(this.hoverEl).append(...this.describe(i));
	}

	idleHover() {
		this.el.dataset.hover = '';
		clear(this.hoverEl).appendChild(h('span.small', 'Point at a packet to read it here; click it to open it. Drag across the plot (or turn the wheel) to zoom, shift+drag to move, double-click to see it all.'));
	}

	// The words for packet i: frame, time, who sent it, its numbers, its labels.
	describe(i) {
		const c = this.c, d = c.dir[i] & 1, tcp = c.proto === 'tcp';
		const parts = ['frame ' + c.frame[i], fmtSecs(c.t[i]), d ? 'server → client' : 'client → server'];
		const len = Math.max(0, c.end[i] - c.seq[i]);
		if (tcp) {
			if (len) parts.push('seq ' + fmtNum(c.seq[i]) + '–' + fmtNum(c.end[i]) + ' (' + fmtBytes(len) + ')');
			if (c.ack[i] >= 0) parts.push('ack ' + fmtNum(c.ack[i]));
			parts.push('window ' + fmtBytes(c.win[i]), 'in flight ' + fmtBytes(c.inflight[i]));
			if (!Number.isNaN(c.rtt[i])) parts.push('RTT ' + fmtSecs(c.rtt[i] / 1000));
		} else parts.push(fmtBytes(len));
		if (this.kind === 'tput') parts.push(fmtRate(this.mainY[i]) + ' (' + (this.mainY[i] * 8 / 1e6).toPrecision(3) + ' Mbit/s)');
		const labels = LABELS.filter((_, b) => c.labels[i] & (1 << b));
		return [h('b', parts[0]), ' · ' + parts.slice(1).join(' · '), labels.length ? h('span.glabels', ' · ' + labels.join(', ')) : null,
			h('span.small', ' · click to open')];
	}

	// The marks uPlot does not draw: segments and SACK blocks as vertical bars, RTT
	// samples as dots. Reduced to what a pixel column can show (per column and colour,
	// one bar from the lowest to the highest), so 100,000 packets draw as fast as 1,000;
	// the series keep every packet (data-points), only the pixels are merged (data-marks).
	marks(u) {
		const c = this.c, ctx = u.ctx, { left, top, width, height } = u.bbox;
		const dpr = devicePixelRatio || 1;
		const i0 = lowerBound(c.t, u.scales.x.min), i1 = Math.min(c.n, lowerBound(c.t, u.scales.x.max + 1e-12) + 1);
		const W = Math.ceil(width) + 1;
		let drawn = 0;
		ctx.save();
		ctx.beginPath();
		ctx.rect(left, top, width, height);
		ctx.clip();
		if (this.kind === 'tseq') {
			const D = this.sender, K = 4, lo = new Float32Array(W * K).fill(Infinity), hi = new Float32Array(W * K).fill(-Infinity);
			let visible = 0;
			const put = (t, a, b, k) => {
				const x = Math.round(u.valToPos(t, 'x', true) - left);
				if (x < 0 || x >= W) return;
				const ya = Math.round(u.valToPos(b, 'y', true)), yb = Math.round(u.valToPos(a, 'y', true)), j = x * K + k;
				if (ya < lo[j]) lo[j] = ya;
				if (yb > hi[j]) hi[j] = yb;
				visible++;
			};
			for (let i = i0; i < i1; i++)
				if ((c.dir[i] & 1) === D && c.end[i] > c.seq[i]) put(c.t[i], c.seq[i], c.end[i], c.retx[i] === 2 ? 2 : c.retx[i] ? 1 : 0);
			const s0 = lowerBound(c.sackAt, i0);
			for (let j = s0; j < c.sackAt.length && c.sackAt[j] < i1; j++)
				if ((c.dir[c.sackAt[j]] & 1) !== D) put(c.t[c.sackAt[j]], c.sackL[j], c.sackR[j], 3);
			// few enough to tell apart: each segment an I-beam, as tcptrace draws it
			const sparse = visible * 6 < width, bw = Math.max(1, Math.round((sparse ? 2 : 1) * dpr)), cap = Math.round(3 * dpr);
			const colors = [this.col.side[D], this.col.retx, this.col.spur, this.col.sack];
			for (let k = 0; k < K; k++) {
				ctx.fillStyle = colors[k];
				const off = k === 3 ? Math.round(3 * dpr) : 0;
				for (let x = 0; x < W; x++) {
					const j = x * K + k;
					if (lo[j] > hi[j]) continue;
					// a retransmission stays visible in the whole view: at least 3 px each way
					const w = k === 1 || k === 2 ? Math.max(bw, Math.round(3 * dpr)) : bw;
					const px = left + x + off, hgt = Math.max(w, hi[j] - lo[j]);
					ctx.fillRect(px - (w >> 1), lo[j] - (hgt > hi[j] - lo[j] ? (hgt - (hi[j] - lo[j])) >> 1 : 0), w, hgt);
					if (sparse && k !== 3) { ctx.fillRect(px - cap, lo[j], 2 * cap + 1, bw); ctx.fillRect(px - cap, lo[j] + hgt - bw, 2 * cap + 1, bw); }
					drawn++;
				}
			}
		} else if (this.kind === 'rtt') {
			const cell = Math.max(1, Math.round(2 * dpr)), cw = Math.ceil(width / cell) + 1, ch = Math.ceil(height / cell) + 1;
			const r = Math.max(2, Math.round(2 * dpr));
			for (const sidx of [1, 2]) {
				const ys = u.data[sidx], seen = new Uint8Array(cw * ch);
				ctx.fillStyle = this.col.side[sidx - 1];
				for (let i = i0; i < i1; i++) {
					if (ys[i] === null) continue;
					const x = u.valToPos(c.t[i], 'x', true) - left, y = u.valToPos(ys[i], 'y', true) - top;
					if (x < 0 || x > width || y < -r || y > height + r) continue;
					const k = Math.floor(x / cell) * ch + Math.max(0, Math.min(ch - 1, Math.floor(y / cell)));
					if (seen[k]) continue;
					seen[k] = 1;
					ctx.fillRect(left + x - r, top + y - r, 2 * r, 2 * r);
					drawn++;
				}
			}
		}
		ctx.restore();
		this.el.dataset.marks = String(drawn);
		this.placeHere(u);
	}
}
