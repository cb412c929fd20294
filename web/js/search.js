// search.js: the filter box over the connection list takes two languages, decided by
// parsing (docs/ui.md, "Search and display filters"):
//   - a display filter in Wireshark's syntax, as -Y takes it (docs/filter.md), when the
//     server compiles it: /api/filter runs the same filter code as `chattcp search -Y`;
//     the list keeps the connections with a matching frame, the chat marks the matching
//     frames, "previous/next match" walk them, and the matching packets download as pcap
//     (/api/filter/pcap: the bytes of `chattcp extract -Y`);
//   - the search form (the ☰ button): chattcp search's options as fields, made into the
//     display filter `search` runs (/api/search), which goes into the box and runs;
//   - otherwise the plain words of the fuzzy filter (every word in the id, the
//     addresses, the application or the tags), as before. A text that does not compile
//     but looks like a filter (a dotted field name, a comparison, &&, ||, !, brackets)
//     shows the server's error with its column instead.
import { h, clear, counted } from './dom.js';

// Asked after this long without a key: a filter over a large capture reads it again.
const QUIET_MS = 300;

export function looksLikeFilter(text) {
	return /[=<>~]|!|&&|\|\||[(){}[\]]|\b[a-z][a-z0-9_]*\.[a-z]/i.test(text) ||
		/\s(and|or|contains|matches|in)\s|^\s*not\s/i.test(text);
}

export class Search {
	// opts: { input, connList, chat, chatEl, go, hashFor, cap: () => state.cap, status }
	constructor(o) {
		Object.assign(this, o);
		this.seq = 0, this.timer = 0, this.groups = null, this.frames = new Map(), this.expr = '';
		this.bar = h('div#searchbar', { hidden: true });
		const tabs = this.input.closest('#tabs');
		tabs.parentNode.insertBefore(this.bar, tabs.nextSibling);
		this.input.setAttribute('placeholder', 'filter: words or a display filter  (/)');
		this.input.setAttribute('title', 'words (each must appear in a connection\'s id, addresses, protocol or tags), or a Wireshark display filter such as tcp.analysis.retransmission or http.response.code >= 400');
		this.form = new SearchForm(this, tabs);
		this.input.addEventListener('input', () => {
			clearTimeout(this.timer);
			// words filter at once, as before; whether the text is a display filter is
			// asked of the server once typing stops
			const text = this.input.value.trim();
			if (!this.groups && !looksLikeFilter(text)) this.fuzzy(text);
			if (text) this.timer = setTimeout(() => this.run(), QUIET_MS);
			else { this.seq++; this.fuzzy(''); }
		});
		this.input.addEventListener('keydown', e => { if (e.key === 'Enter') { clearTimeout(this.timer); this.run(); } });
		// n / N: the next / previous match, as a search in less or vim (the case
		// stepping's own n comes first: learn.js listens ahead of this)
		document.addEventListener('keydown', e => {
			if (!this.groups || e.ctrlKey || e.metaKey || e.altKey || e.target.matches('input, select, textarea')) return;
			if (this.chatEl.hidden || (e.key !== 'n' && e.key !== 'N')) return;
			e.preventDefault();
			this.step(e.key === 'n' ? 1 : -1);
		});
		// bubbles drawn at any time (a page read, a switch redrawn) get their mark
		new MutationObserver(muts => {
			if (!this.groups) return;
			for (const m of muts) for (const n of m.addedNodes) if (n.dataset && n.dataset.frame) this.markOne(n);
		}).observe(this.chatEl, { childList: true });
	}

	// The capture changed: the filter is run again on it.
	capChanged() { if (this.input.value.trim()) this.run(); }

	async run() {
		const text = this.input.value.trim();
		const seq = ++this.seq;
		const cap = this.cap();
		if (!text || !cap) return this.fuzzy(text);
		let r;
		try {
			r = await fetch('/api/filter?' + new URLSearchParams({ cap: cap.cap, expr: text }), { credentials: 'same-origin' });
		} catch (e) {
			return this.fuzzy(text);
		}
		if (seq !== this.seq) return;
		if (r.status === 400) {
			const j = await r.json().catch(() => ({}));
			if (seq !== this.seq) return;
			if (!looksLikeFilter(text)) return this.fuzzy(text);
			return this.showError(text, j.error || 'not a display filter', j.col || 0);
		}
		if (!r.ok) return this.showError(text, (await r.json().catch(() => ({}))).error || String(r.status), 0);
		const groups = (await r.text()).split('\n').filter(l => l).map(l => JSON.parse(l));
		if (seq !== this.seq) return;
		this.showMatches(text, groups, cap);
	}

	fuzzy(text) {
		this.groups = null, this.expr = '', this.frames.clear();
		this.connList.only = null;
		this.connList.filter = text;
		this.connList.refresh();
		this.unmark();
		this.bar.hidden = true;
		this.input.classList.remove('isfilter', 'bad');
		this.input.dataset.mode = text ? 'words' : '';
	}

	showError(text, msg, col) {
		this.groups = null, this.expr = '', this.frames.clear();
		this.connList.only = null;
		this.connList.filter = '';
		this.connList.refresh();
		this.unmark();
		this.input.classList.remove('isfilter');
		this.input.classList.add('bad');
		this.input.dataset.mode = 'error';
		clear(this.bar).appendChild(h('div.filtererr', { role: 'alert' },
			h('div.msg', 'display filter: ' + msg),
			col > 0 ? h('pre.caret', text + '\n' + ' '.repeat(col - 1) + '^') : null));
		this.bar.hidden = false;
	}

	showMatches(text, groups, cap) {
		this.groups = groups, this.expr = text;
		this.frames.clear();
		this.list = [];
		for (const g of groups) {
			if (g.proto === 'other') continue;
			const key = g.proto + ':' + g.conn;
			this.frames.set(key, new Set(g.frames));
			for (const f of g.frames) this.list.push([key, f]);
		}
		this.connList.filter = '';
		this.connList.only = new Map(groups.filter(g => g.proto !== 'other').map(g => [g.proto + ':' + g.conn, g.matches]));
		this.connList.refresh();
		this.input.classList.remove('bad');
		this.input.classList.add('isfilter');
		this.input.dataset.mode = 'filter';
		const total = groups.reduce((n, g) => n + g.matches, 0);
		const conns = groups.filter(g => g.proto !== 'other').length;
		const other = groups.find(g => g.proto === 'other');
		const dl = (format, label) => {
			const a = h('a.button.download', { dataset: { format }, title: 'the matching packets as chattcp extract -Y writes them' }, label);
			a.href = '/api/filter/pcap?' + new URLSearchParams({ cap: cap.cap, expr: text, format }); // our route, set after h()
			a.setAttribute('download', '');
			return a;
		};
		clear(this.bar).append(
			h('code.expr', { title: 'the display filter, as -Y takes it' }, text),
			h('span.count', { title: 'frames the display filter selects, as chattcp search -Y counts them' }, counted(total, 'frame') + ' in ' + counted(conns, 'connection') + (other ? ' (' + other.matches + ' not TCP/UDP)' : '')),
			h('button.prevmatch', { type: 'button', title: 'previous matching frame (N)', disabled: this.list.length ? null : true, onclick: () => this.step(-1) }, '◀'),
			h('button.nextmatch', { type: 'button', title: 'next matching frame (n)', disabled: this.list.length ? null : true, onclick: () => this.step(1) }, '▶'),
			h('span.grow'),
			dl('pcap', '⤓ pcap'), dl('pcapng', '⤓ pcapng'));
		this.bar.hidden = false;
		this.markAll();
	}

	markOne(b) {
		const set = this.frames.get(this.chat.conn);
		b.classList.toggle('match', !!(set && set.has(Number(b.dataset.frame))));
	}

	markAll() { for (const b of this.chatEl.querySelectorAll('.bubble')) this.markOne(b); }

	unmark() { for (const b of this.chatEl.querySelectorAll('.bubble.match')) b.classList.remove('match'); }

	// The next (d 1) or previous (-1) matching frame after the chat's current one, in
	// the order search lists them (connection by connection).
	step(d) {
		if (!this.list || !this.list.length) return;
		const keys = [...this.frames.keys()];
		const ci = keys.indexOf(this.chat.conn), cur = this.chat.current || 0;
		const pos = ([k, f]) => keys.indexOf(k) * 4294967296 + f;
		const here = ci < 0 ? (d > 0 ? -1 : Infinity) : ci * 4294967296 + cur;
		let t = d > 0 ? this.list.find(x => pos(x) > here) : [...this.list].reverse().find(x => pos(x) < here);
		if (!t) t = d > 0 ? this.list[0] : this.list[this.list.length - 1]; // round again
		this.go(this.hashFor(this.cap().name, t[0], 'f', t[1]));
	}
}

// The search without syntax: `chattcp search`'s options as a form. The server writes
// the display filter (the code of `search`), so the box then shows which filter it is.
const FIELDS = [
	['ip', 'address', '10.0.0.1 or 10.0.0.0/8'],
	['port', 'port', '443'],
	['window', 'window', '<1000'],
	['payload', 'payload', 'text in the payload'],
	['http-method', 'HTTP method', 'POST'],
	['http-path', 'HTTP path', '/login'],
	['http-status', 'HTTP status', '404 or 5xx'],
	['http-header', 'HTTP header', 'Host: example.com'],
	['http-body', 'HTTP body', 'text in a body'],
	['label', 'analysis label', 'retransmission'],
];
const FLAGS = ['SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG'];
const LABELS = ['retransmission', 'fast_retransmission', 'spurious_retransmission', 'out_of_order', 'lost_segment',
	'ack_lost_segment', 'duplicate_ack', 'keep_alive', 'zero_window', 'zero_window_probe', 'window_full', 'window_update', 'reused_ports'];

class SearchForm {
	constructor(search, tabs) {
		this.search = search;
		this.el = h('form#searchform', { hidden: true, onsubmit: e => { e.preventDefault(); this.submit(); } });
		this.button = h('button#searchformbtn', { type: 'button', title: 'search without syntax: a form (chattcp search\'s options)', 'aria-expanded': 'false',
			onclick: () => this.toggle() }, '☰');
		search.input.after(this.button);
		tabs.parentNode.insertBefore(this.el, tabs.nextSibling);
		const list = h('datalist#searchlabels', LABELS.map(l => h('option', { value: l })));
		const rows = FIELDS.map(([k, label, hint]) => {
			const input = h('input', { type: 'text', name: k, placeholder: hint, list: k === 'label' ? 'searchlabels' : null });
			if (k === 'payload') {
				const mode = h('select', { name: 'payload-mode', title: 'the payload as text, hex bytes or a regular expression' },
					h('option', { value: 'payload' }, 'text'), h('option', { value: 'payload-hex' }, 'hex'), h('option', { value: 'payload-re' }, 'regex'));
				return h('label.frow', h('span', label), h('span.pay', input, mode));
			}
			return h('label.frow', h('span', label), input);
		});
		this.err = h('div.formerr', { role: 'alert' });
		this.el.append(list, h('div.fgrid', rows,
			h('div.frow', h('span', 'flags set'), h('span.flags', FLAGS.map(f => h('label', h('input', { type: 'checkbox', name: 'flag', value: f }), f))))),
			this.err,
			h('div.fbuttons', h('button', { type: 'submit' }, 'search'), h('button', { type: 'button', onclick: () => { this.el.reset(); this.err.textContent = ''; } }, 'clear'),
				h('span.small', 'every field given must hold; the filter it makes goes into the box')));
	}

	toggle(open) {
		open = open === undefined ? this.el.hidden : open;
		this.el.hidden = !open;
		this.button.setAttribute('aria-expanded', String(open));
	}

	// The fields as /api/search's parameters: {port: '443', flags: 'SYN,ACK', ...}.
	params() {
		const p = {};
		for (const [k] of FIELDS) {
			const v = this.el.elements[k].value.trim();
			if (!v) continue;
			p[k === 'payload' ? this.el.elements['payload-mode'].value : k] = v;
		}
		const flags = [...this.el.querySelectorAll('input[name=flag]:checked')].map(c => c.value);
		if (flags.length) p.flags = flags.join(',');
		return p;
	}

	async submit() {
		this.err.textContent = '';
		const r = await fetch('/api/search?' + new URLSearchParams(this.params()), { credentials: 'same-origin' });
		const j = await r.json().catch(() => ({ error: r.status + ' ' + r.statusText }));
		if (!r.ok) { this.err.textContent = j.error; return; }
		this.search.input.value = j.expr;
		this.search.run();
	}
}
