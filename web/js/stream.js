// stream.js: the stream window (Follow Stream), #/cap/NAME/tcp:ID/stream. Asks the
// server for the connection's bytes (/api/stream?bytes=1) or its decoded messages
// (/api/stream, the lines of `stream --json`), page by page, and draws them coloured
// by side as the chat is: client left and blue, server right and green. Bytes from the
// capture only ever become text nodes.
import { h, clear, unhex, bytesText, fmtBytes } from './dom.js';

// Hex dump lines of b: offset, 16 hex pairs, the printable characters.
function hexDump(b, base) {
	const out = [];
	for (let i = 0; i < b.length; i += 16) {
		const row = b.subarray(i, i + 16);
		let hx = '', tx = '';
		for (let j = 0; j < 16; j++) {
			hx += j < row.length ? row[j].toString(16).padStart(2, '0') + ' ' : '   ';
			if (j === 7) hx += ' ';
			if (j < row.length) tx += row[j] >= 32 && row[j] < 127 ? String.fromCharCode(row[j]) : '.';
		}
		out.push((base + i).toString(16).padStart(8, '0') + '  ' + hx + ' ' + tx);
	}
	return out.join('\n');
}

// Bytes of a piece drawn before "show all".
const FOLD = 2048;

async function page(params) {
	const r = await fetch('/api/stream?' + new URLSearchParams(params), { credentials: 'same-origin' });
	if (!r.ok) {
		let msg = r.status + ' ' + r.statusText;
		try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
		throw new Error(msg);
	}
	const next = r.headers.get('X-Chattcp-Next');
	const items = (await r.text()).split('\n').filter(l => l).map(l => JSON.parse(l));
	return { items, next: next ? Number(next) : null, total: Number(r.headers.get('X-Chattcp-Total') || 0) };
}

export class StreamView {
	constructor(el, onBack) {
		this.el = el;
		this.onBack = onBack;
		this.mode = 'text';  // text | hex | messages
		this.side = 'both';  // both | client | server
	}

	// conn: the /api/conns object (its client and server name the sides).
	async show(cap, key, conn) {
		this.cap = cap, this.key = key, this.conn = conn;
		this.el.dataset.loaded = '';
		this.draw();
		await this.load();
	}

	draw() {
		const el = clear(this.el);
		const sel = (value, opts, title, set) => h('select', { title, onchange: e => { set(e.target.value); this.load(); } },
			opts.map(([v, l]) => h('option', { value: v, selected: v === value ? true : null }, l)));
		const dl = (side, label) => {
			const a = h('a.button.download', { dataset: { side } }, label);
			// our own route, built of numbers and fixed words (h() keeps only #/ links)
			a.href = '/api/stream/raw?' + new URLSearchParams({ cap: this.cap, conn: this.key, side });
			a.setAttribute('download', '');
			return a;
		};
		const c = this.conn || {};
		this.bar = h('div.streambar',
			h('button', { type: 'button', title: 'back to the chat', onclick: () => this.onBack() }, '← chat'),
			h('span.streamtitle', 'Stream ' + this.key + ': ', h('span.client', c.client || 'client'), ' ⇄ ', h('span.server', c.server || 'server')),
			sel(this.mode, [['text', 'text'], ['hex', 'hex'], ['messages', 'decoded messages']], 'the bytes as text, as a hex dump, or decoded as `chattcp stream` shows them', v => { this.mode = v; }),
			sel(this.side, [['both', 'both sides'], ['client', 'client only'], ['server', 'server only']], 'which direction to show', v => { this.side = v; }),
			h('span.grow'),
			'download: ', dl('client', 'client bytes'), dl('server', 'server bytes'), dl('both', 'both'));
		this.body = h('div.streambody', { tabindex: 0 });
		this.foot = h('div.streamfoot');
		el.append(this.bar, this.body, this.foot);
	}

	async load() {
		const token = this.token = {};
		this.el.dataset.loaded = '';
		clear(this.body);
		clear(this.foot);
		this.shown = 0;
		await this.more(0, token);
	}

	async more(from, token) {
		const q = { cap: this.cap, conn: this.key, from };
		if (this.mode !== 'messages') q.bytes = 1;
		let p;
		try {
			p = await page(q);
		} catch (e) {
			this.body.appendChild(h('p.error', e.message));
			return;
		}
		if (token !== this.token) return;
		for (const it of p.items) this.add(it);
		clear(this.foot);
		if (p.next !== null)
			this.foot.appendChild(h('button.more', { type: 'button', onclick: () => this.more(p.next, token) },
				'show more (' + (p.total - p.next) + ' of ' + p.total + ' left)'));
		else if (!this.body.firstChild)
			this.body.appendChild(h('p.empty', this.mode === 'messages' ? 'no message decoded' : 'no bytes'));
		this.el.dataset.loaded = String(p.next === null);
	}

	add(it) {
		const side = it.dir === 'c2s' ? 'client' : 'server';
		if (this.side !== 'both' && this.side !== side) return;
		const who = it.dir === 'c2s' ? (this.conn && this.conn.client) : (this.conn && this.conn.server);
		if (it.kind === 'gap') {
			this.body.appendChild(h('p.gap.' + side, { dataset: { dir: it.dir } }, (it.dir === 'c2s' ? '>> ' : '<< ') + fmtBytes(it.length) + ' never captured (a gap at byte ' + it.offset + ')'));
			return;
		}
		if (this.mode === 'messages') {
			const fields = it.fields ? Object.entries(it.fields).map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') : '';
			this.body.appendChild(h('div.streammsg.' + side, { dataset: { dir: it.dir } },
				h('header', h('span.who', (it.dir === 'c2s' ? '>> ' : '<< ') + (who || '')), ' ', h('span.proto', it.proto + ' ' + it.kind),
					h('span.frame', 'frames ' + it.first_frame + (it.last_frame !== it.first_frame ? '-' + it.last_frame : ''))),
				h('div.summary', it.summary || ''),
				fields ? h('pre.fields', fields) : null,
				it.body_size !== undefined ? h('div.bodysize', 'body ' + fmtBytes(it.body_size)) : null,
				(it.notes || []).map(n => h('div.note', typeof n === 'string' ? n : (n.text || JSON.stringify(n))))));
			return;
		}
		const b = unhex(it.hex);
		const render = n => this.mode === 'hex' ? hexDump(b.subarray(0, n), it.offset) : bytesText(b.subarray(0, n));
		const pre = h('pre.streamrun.' + side + (this.mode === 'hex' ? '.hex' : ''), { dataset: { dir: it.dir, offset: it.offset, length: it.length }, title: (who || side) + ', bytes ' + it.offset + '-' + (it.offset + it.length) },
			render(Math.min(b.length, FOLD)));
		this.body.appendChild(pre);
		// a long run (an image, a download) is folded: the page stays quick to draw
		if (b.length > FOLD)
			this.body.appendChild(h('button.unfold', { type: 'button', onclick: e => { pre.textContent = render(b.length); e.target.remove(); } },
				'show all ' + fmtBytes(b.length) + ' of this piece (' + fmtBytes(b.length - FOLD) + ' more)'));
	}
}
