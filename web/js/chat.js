// chat.js: the middle pane: one bubble per packet (client left, server right), read page
// by page from /api/chat, with the decoded application messages under the packet that
// completes them. Capture bytes only ever reach the page as text nodes (dom.js).
import { h, clear, unhex, bytesText } from './dom.js';
import { settings } from './settings.js';
import * as api from './api.js';

// What each flag means, and why a packet carries it (the hover text of a badge).
export const FLAG_HELP = {
	SYN: 'SYN (synchronize): opens a connection and carries the sender\'s initial sequence number; it uses up one sequence number.',
	ACK: 'ACK (acknowledgment): the ack field is valid; it names the next byte the sender expects, so everything before it has arrived.',
	PSH: 'PSH (push): the sender asks the receiver to hand the data to the application now; set on the last segment of a write.',
	FIN: 'FIN (finish): the sender has no more data; it uses up one sequence number and closes its direction only.',
	RST: 'RST (reset): abort the connection at once; nothing more is sent or acknowledged on it.',
	URG: 'URG (urgent): the urgent pointer is valid; almost never used today.',
	ECE: 'ECE (ECN echo): in a SYN, the sender can do ECN; later, the network marked a packet with congestion.',
	CWR: 'CWR (congestion window reduced): the sender slowed down after an ECN echo.',
	NS: 'NS (nonce sum): an old ECN experiment (RFC 3540, historic).',
};

// Bubbles drawn between two paints while a chat is read (a page of /api/chat is 2,000).
const SLICE = 100;
// Packets asked in the first page: a screen's worth and more, so it comes at once.
const FIRST_PAGE = 100;

export class Chat {
	constructor(el, onOpenPacket) {
		this.el = el, this.onOpenPacket = onOpenPacket;
		this.gen = 0, this.items = [], this.byFrame = new Map(), this.current = null;
		this.t0 = 0, this.isn = {};
	}

	async load(cap, connKey, wantFrame) {
		const gen = ++this.gen;
		this.cap = cap, this.conn = connKey, this.items = [], this.byFrame.clear(), this.current = null;
		clear(this.el).appendChild(h('p.loading', 'reading…'));
		let from = 0, first = true;
		for (;;) {
			let page;
			try {
				page = await api.chatPage(cap, connKey, from, first ? FIRST_PAGE : 0,
					settings.seq === 'real' ? 'absolute' : 'relative');
			} catch (e) {
				if (gen === this.gen) clear(this.el).appendChild(h('p.error', String(e.message)));
				return;
			}
			if (gen !== this.gen) return; // another connection was picked meanwhile
			if (first) {
				clear(this.el);
				this.t0 = page.items.length ? page.items[0].ts : 0;
				this.total = page.total;
				first = false;
			}
			// Drawn a slice at a time, the browser painting between slices: the first
			// screen of a long chat shows after FIRST_SLICE bubbles, not after a page.
			for (let i = 0; i < page.items.length; i += SLICE) {
				for (const it of page.items.slice(i, i + SLICE)) this.add(it);
				if (wantFrame && this.byFrame.has(wantFrame)) { this.focus(wantFrame, true); wantFrame = 0; }
				if (i + SLICE < page.items.length) {
					await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
					if (gen !== this.gen) return;
				}
			}
			if (page.next === null) break;
			from = page.next;
		}
		if (!this.items.length) this.el.appendChild(h('p.empty', 'no packets'));
		this.el.dispatchEvent(new CustomEvent('loaded', { bubbles: true }));
	}

	// Redraws what is loaded (a switch changed).
	redraw() {
		const items = this.items;
		this.items = [], this.byFrame.clear();
		const cur = this.current;
		clear(this.el);
		for (const it of items) this.add(it);
		if (cur) this.focus(cur, false, false);
	}

	add(it) {
		const prev = this.items.length ? this.items[this.items.length - 1] : null;
		this.items.push(it);
		if (it.at_end) {
			if (settings.decode && it.app && it.app.length)
				this.el.appendChild(h('div.tail', h('div.tailhead', 'at the end of the connection'), it.app.map(m => appMsg(m))));
			return;
		}
		const hidden = settings.hideRetrans && (it.analysis || []).some(a => /retransmission/.test(a));
		const b = this.bubble(it, prev && !prev.at_end ? prev : null);
		if (hidden) b.hidden = true;
		this.byFrame.set(it.frame, b);
		this.el.appendChild(b);
	}

	bubble(p, prev) {
		const side = p.dir === 's2c' ? 'server' : 'client';
		const seq = settings.seq === 'relative' ? p.rseq : p.seq;
		const ack = settings.seq === 'relative' ? p.rack : p.ack;
		const hasAck = (p.flags || []).includes('ACK');
		const win = p.win_scaled !== undefined ? p.win_scaled : p.win;
		const b = h('article.bubble.' + side, { dataset: { frame: p.frame }, tabindex: '-1' },
			h('header',
				h('span.who', p.src + (p.sport !== undefined ? ':' + p.sport : '')),
				settings.state && p.state ? h('span.state', { title: 'the sender\'s TCP state after this packet' }, p.state) : null,
				h('span.time', { title: 'time (' + settings.time + ')' }, this.time(p, prev)),
				h('span.frame', '#' + p.frame),
				h('button.info', { type: 'button', title: 'open the packet: headers as a diagram, hex dump', onclick: e => { e.stopPropagation(); this.onOpenPacket(p.frame); } }, 'i')),
			h('div.line',
				(p.flags || []).map(f => h('span.flag', { dataset: { flag: f, help: flagHelp(f, p) } }, f)),
				p.proto === 'tcp' ? [
					h('span.kv', { dataset: { k: 'seq' } }, h('i', 'seq'), ' ' + seq),
					hasAck ? h('span.kv', { dataset: { k: 'ack' } }, h('i', 'ack'), ' ' + ack) : null,
					h('span.kv', { title: p.win_scaled !== undefined ? 'window ' + p.win + ' × scale = ' + win + ' bytes' : 'window in bytes' }, h('i', 'win'), ' ' + win),
				] : null,
				h('span.kv', { dataset: { k: 'len' } }, h('i', 'len'), ' ' + p.len)),
			p.options ? h('div.opts', p.options) : null,
			(p.analysis || []).length ? h('div.labels', p.analysis.map(a => h('span.label', { dataset: { label: a } }, a.replace(/_/g, ' ')))) : null,
			p.payload_hex ? payload(p.payload_hex, p.len) : null,
			settings.decode && (p.app || []).length ? h('div.apps', p.app.map(m => appMsg(m))) : null,
			settings.notes && p.note ? h('p.note', p.note) : null,
			settings.commentary && p.commentary ? h('p.commentary', p.commentary) : null);
		b.addEventListener('click', e => {
			if (e.target.closest('details, summary, button, a')) return;
			this.onOpenPacket(p.frame);
		});
		return b;
	}

	time(p, prev) {
		if (settings.time === 'absolute') {
			const d = new Date(p.ts * 1000);
			return d.toISOString().slice(11, 23) + (p.ts.toFixed(6)).slice(-3);
		}
		if (settings.time === 'delta') return '+' + ((prev ? p.ts - prev.ts : 0)).toFixed(6) + ' s';
		return (p.ts - this.t0).toFixed(6) + ' s';
	}

	// Scrolls to a bubble and marks it (j/k, a lesson's frame link, #/.../f/N).
	// reveal: show it even when a switch hides it (a link asked for it).
	focus(frame, flash, reveal = true) {
		const b = this.byFrame.get(frame);
		if (!b || (b.hidden && !reveal)) return false;
		if (this.current && this.byFrame.get(this.current)) this.byFrame.get(this.current).classList.remove('current');
		this.current = frame;
		b.hidden = false;
		b.classList.add('current');
		// Bubbles off screen are not laid out (content-visibility) and count at a guessed
		// height, so one scroll can land short: scroll again, a frame later, until the
		// bubble stays in view (each pass lays out the bubbles it passes; a few do).
		b.scrollIntoView({ block: 'center' });
		const settle = (left) => requestAnimationFrame(() => {
			if (this.current !== frame || !left) return;
			const r = b.getBoundingClientRect(), c = this.el.getBoundingClientRect();
			if (r.top < c.top || r.bottom > c.bottom) { b.scrollIntoView({ block: 'center' }); settle(left - 1); }
		});
		settle(8);
		if (flash) {
			b.classList.remove('flash');
			void b.offsetWidth;
			b.classList.add('flash');
		}
		return true;
	}

	step(d) {
		const frames = [...this.byFrame.entries()].filter(([, b]) => !b.hidden).map(([f]) => f);
		if (!frames.length) return null;
		const i = frames.indexOf(this.current);
		const f = frames[i < 0 ? (d > 0 ? 0 : frames.length - 1) : Math.min(frames.length - 1, Math.max(0, i + d))];
		this.focus(f, false);
		return f;
	}
}

function flagHelp(f, p) {
	const flags = p.flags || [];
	let why = '';
	if (f === 'SYN') why = flags.includes('ACK') ? 'Here with ACK: the second packet of the handshake, accepting the peer\'s SYN.' : 'Here alone: the first packet of a handshake.';
	else if (f === 'ACK' && p.len === 0 && flags.length === 1) why = 'Here alone with no data: a pure acknowledgment.';
	else if (f === 'FIN') why = 'Here the ' + (p.dir === 's2c' ? 'server' : 'client') + ' closes its side.';
	else if (f === 'PSH' && p.len) why = 'Here ' + p.len + ' bytes are handed on at once.';
	else if (f === 'RST') why = 'Here the ' + (p.dir === 's2c' ? 'server' : 'client') + ' aborts.';
	return (FLAG_HELP[f] || f) + (why ? ' ' + why : '');
}

function payload(hex, len) {
	const n = hex.length >> 1;
	const fold = settings.fold > 0 && n > settings.fold;
	const render = b => settings.payload === 'hex' ? hexLines(b) : bytesText(b);
	const label = 'payload, ' + len + ' bytes' + (n < len ? ' (' + n + ' captured)' : '');
	const d = h('details.payload', h('summary', label));
	// A closed payload gets its text when opened: a page of full segments is 3 MB of it.
	const fill = () => {
		if (d.querySelector('pre')) return;
		const bytes = unhex(hex);
		const pre = h('pre.payload', render(fold ? bytes.subarray(0, settings.fold) : bytes));
		d.appendChild(pre);
		if (fold) {
			const more = h('button.more', { type: 'button', onclick: () => { pre.textContent = render(bytes); more.remove(); } },
				'show all ' + n + ' bytes');
			d.appendChild(more);
		}
	};
	if (n <= 512) { d.open = true; fill(); } else d.addEventListener('toggle', fill);
	return d;
}

export function hexLines(b) {
	const out = [];
	for (let i = 0; i < b.length; i += 16) {
		const row = [...b.subarray(i, i + 16)];
		out.push(i.toString(16).padStart(4, '0') + '  ' + row.map(x => x.toString(16).padStart(2, '0')).join(' ').padEnd(48) + ' ' +
			row.map(x => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join(''));
	}
	return out.join('\n');
}

// A decoded application message: its summary, then its fields as a grid of boxes (the
// protocol's own fields) or as text lines, one switch (settings.appStyle).
export function appMsg(m) {
	const fields = Object.entries(m.fields || {});
	const cls = 'div.app' + (m.malformed ? '.malformed' : '') + (m.incomplete ? '.incomplete' : '');
	return h(cls, { dataset: { proto: m.proto, kind: m.kind } },
		h('div.apphead', h('span.proto', m.proto), h('span.kind', m.kind), h('span.summary', m.summary || ''),
			m.first_frame !== m.last_frame ? h('span.frames', 'frames ' + m.first_frame + '–' + m.last_frame) : null),
		fields.length ? (settings.appStyle === 'grid'
			? h('div.grid', fields.map(([k, v]) => h('div.cell', h('span.k', k), h('span.v', v))))
			: h('pre.fields', fields.map(([k, v]) => k + ': ' + v).join('\n'))) : null,
		m.body_size !== undefined ? h('div.body', 'body ' + m.body_size + ' bytes', m.body_sha256 ? h('span.sha', ' sha256 ' + m.body_sha256.slice(0, 16) + '…') : null) : null,
		(m.notes || []).map(n => h('p.appnote.' + (n.severity || 'note'), n.text)));
}
