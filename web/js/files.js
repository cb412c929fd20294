// files.js: the Files view, #/cap/NAME/files (the whole capture) and
// #/cap/NAME/tcp:ID/files (one connection): every file HTTP carried, as `chattcp export`
// names and writes it (/api/files, the objects of `export --json`), in a table sorted by
// any column, a preview pane (an image from /api/file?view=image, which the server
// serves only when its first bytes are PNG, JPEG, GIF or WebP; text; or hex), and
// downloads of one file or all as a zip. Names, types and bytes from the capture become
// text nodes only; a file is never put in a frame, an object or an <img> as what it
// claims to be.
import { h, clear, fmtBytes, counted } from './dom.js';
import * as api from './api.js';

// The columns: key, heading, how to sort.
const COLS = [
	['name', 'name', f => f.name.toLowerCase()],
	['type', 'type', f => (f.content_type || '').toLowerCase()],
	['size', 'size', f => f.size],
	['complete', 'complete', f => f.complete ? 1 : 0],
	['conn', 'connection', f => f.conn],
	['frame', 'frame', f => f.frame],
];

function hexDump(b) {
	const out = [];
	for (let i = 0; i < b.length; i += 16) {
		const row = b.subarray(i, i + 16);
		let hx = '', tx = '';
		for (let j = 0; j < 16; j++) {
			hx += j < row.length ? row[j].toString(16).padStart(2, '0') + ' ' : '   ';
			if (j === 7) hx += ' ';
			if (j < row.length) tx += row[j] >= 32 && row[j] < 127 ? String.fromCharCode(row[j]) : '.';
		}
		out.push(i.toString(16).padStart(8, '0') + '  ' + hx + ' ' + tx);
	}
	return out.join('\n');
}

function unhexStr(s) {
	const b = new Uint8Array(s.length >> 1);
	for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
	return b;
}

// Text in another charset than UTF-8: the server sends it as hex (its preview text is
// UTF-8 only); when the Content-Type names a charset (or is text/*: windows-1252, what
// browsers assume) and the bytes hold no control byte, the browser's TextDecoder reads
// it. null when it is not such text.
function otherCharset(ctype, b) {
	const m = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(ctype || '');
	if (!m && !/^text\//i.test(ctype || '')) return null;
	for (const c of b) if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 127) return null;
	try {
		const d = new TextDecoder(m ? m[1] : 'windows-1252', { fatal: true });
		return { charset: d.encoding, text: d.decode(b) };
	} catch (e) {
		return null; // an unknown label, or bytes that are not that charset
	}
}

// Our own route, made of numbers and fixed words (h() keeps only #/ links).
function route(path, params) {
	return '/api/' + path + '?' + new URLSearchParams(params);
}

export class FilesView {
	// hashFor: app.js's address maker (links to a connection's chat and a bubble).
	constructor(el, hashFor) {
		this.el = el;
		this.hashFor = hashFor;
		this.sort = 'frame';
		this.desc = false;
		this.zipMax = 0;
		// j/k and the arrows move the chosen row here (before app.js's, which move the chat)
		document.addEventListener('keydown', e => {
			if (this.el.hidden || !this.files || !this.files.length || e.ctrlKey || e.metaKey || e.altKey) return;
			if (e.target.matches && e.target.matches('input, select, textarea')) return;
			const d = e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0;
			if (!d) return;
			e.preventDefault();
			e.stopImmediatePropagation();
			const trs = [...this.el.querySelectorAll('.filestable tbody tr')];
			const at = trs.findIndex(tr => tr.dataset.id === String(this.chosen));
			const tr = trs[Math.max(0, Math.min(trs.length - 1, at < 0 ? 0 : at + d))];
			const f = this.files.find(x => String(x.id) === tr.dataset.id);
			if (f) { this.choose(f); tr.scrollIntoView({ block: 'nearest' }); }
		}, true);
	}

	// c: the /api/captures object; key: "tcp:3" or null for the whole capture.
	async show(c, key) {
		if (this.cap === c.cap && this.key === key && this.files) return;
		if (this.cap !== c.cap) this.all = null;
		this.cap = c.cap, this.name = c.name, this.key = key, this.files = null, this.chosen = null;
		this.el.dataset.loaded = '';
		const el = clear(this.el);
		el.appendChild(h('p.empty', 'exporting the files of ' + (key || 'the capture') + '…'));
		const token = this.token = {};
		try {
			if (!this.zipMax) this.zipMax = (await api.obj('info')).zip_max || 0;
			// the whole list once a capture (the connection menu needs it), one connection's from it
			const all = this.all || await api.list('files', { cap: c.cap });
			if (token !== this.token) return;
			this.all = all;
			this.files = key ? all.filter(f => 'tcp:' + f.conn === key) : all;
			this.draw();
		} catch (e) {
			if (token === this.token) clear(el).appendChild(h('p.error', e.message));
		}
		this.el.dataset.loaded = '1';
	}

	draw() {
		const el = clear(this.el), files = this.files;
		const q = { cap: this.cap };
		if (this.key) q.conn = this.key;
		const total = files.reduce((n, f) => n + f.size, 0);
		const zip = h('a.button#fileszip', { title: 'every file below in one zip, under the names chattcp export gives them' }, 'download all (zip)');
		if (!files.length || (this.zipMax && total > this.zipMax)) {
			zip.classList.add('disabled');
			zip.title = files.length ? 'the files add up to ' + fmtBytes(total) + ', more than the ' + fmtBytes(this.zipMax) + ' one zip holds: download them one by one, or use chattcp export' : 'no file to put in a zip';
		} else {
			zip.href = route('files.zip', q);
			zip.setAttribute('download', '');
		}
		el.appendChild(h('div.filesbar',
			h('span.filestitle', this.key ? 'Files of ' + this.key : 'Files of the capture'),
			h('span.small', counted(files.length, 'file') + ', ' + fmtBytes(total)),
			this.connMenu(),
			this.key ? h('a.button', { href: this.hashFor(this.name, this.key), title: 'back to this connection\'s chat' }, '← chat') : null,
			h('span.grow'), zip));
		if (!files.length) {
			el.appendChild(h('p.empty', 'no file was carried over HTTP ' + (this.key ? 'on this connection' : 'in this capture') +
				' (chattcp export finds the same: none)'));
			return;
		}
		const col = COLS.find(x => x[0] === this.sort) || COLS[5];
		const sorted = files.slice().sort((a, b) => {
			const x = col[2](a), y = col[2](b);
			return (x < y ? -1 : x > y ? 1 : a.id - b.id) * (this.desc ? -1 : 1);
		});
		const head = h('tr', COLS.map(([k, label]) => h('th', {
			dataset: { col: k }, 'aria-sort': k === this.sort ? (this.desc ? 'descending' : 'ascending') : null,
			title: 'sort by ' + label + ' (again: the other way)',
			onclick: () => { if (this.sort === k) this.desc = !this.desc; else this.sort = k, this.desc = false; this.draw(); },
		}, label + (k === this.sort ? (this.desc ? ' ▾' : ' ▴') : ''))), h('th', ''));
		const rows = sorted.map(f => {
			const conn = 'tcp:' + f.conn;
			const dl = h('a.button.filedl', { title: 'download ' + f.name + ' (the bytes chattcp export writes)' }, '⤓');
			dl.href = route('file', { cap: this.cap, id: f.id });
			dl.setAttribute('download', '');
			const type = [f.content_type || '—'];
			if (f.content_encoding) type.push(h('span.small', ' ' + f.content_encoding + (f.decoded ? ', decoded' : ', not decoded')));
			const tr = h('tr', { dataset: { id: f.id }, tabindex: 0, onclick: e => { if (!e.target.closest('a')) this.choose(f); },
				onkeydown: e => { if (e.key === 'Enter') this.choose(f); } },
				h('td.fname', f.name),
				h('td.ftype', type),
				h('td.num', { title: f.size + ' bytes' }, fmtBytes(f.size)),
				h('td', f.complete ? 'complete' : h('span.incomplete', { title: f.gaps ? 'bytes never captured: ' + f.gaps : 'the body was cut short' }, 'incomplete')),
				h('td', h('a', { href: this.hashFor(this.name, conn), title: 'the chat of ' + conn }, conn)),
				h('td.num', h('a', { href: this.hashFor(this.name, conn, 'f', f.frame),
					title: (f.first_frame && f.first_frame !== f.frame ? 'carried by frames ' + f.first_frame + '–' + f.frame + '; ' : '') + 'the bubble of frame ' + f.frame + ', where the message ends' },
					f.first_frame && f.first_frame !== f.frame ? f.first_frame + '–' + f.frame : String(f.frame))),
				h('td', dl));
			if (this.chosen === f.id) tr.classList.add('chosen');
			return tr;
		});
		el.appendChild(h('div.filestable', h('table', h('thead', head), h('tbody', rows))));
		this.pane = h('div.filepreview#filepreview');
		el.appendChild(this.pane);
		const again = files.find(f => f.id === this.chosen);
		if (again) this.preview(again);
		else this.pane.appendChild(h('p.empty', 'choose a file to preview it'));
	}

	// all connections, or one of those that carried a file
	connMenu() {
		const keys = [...new Set(this.all.map(f => 'tcp:' + f.conn))];
		if (this.key && !keys.includes(this.key)) keys.push(this.key);
		return h('select#filesconn', { title: 'the files of every connection, or of one',
			onchange: e => { location.hash = (e.target.value ? this.hashFor(this.name, e.target.value) : this.hashFor(this.name)) + '/files'; } },
			h('option', { value: '', selected: this.key ? null : true }, 'all connections'),
			keys.map(k => h('option', { value: k, selected: k === this.key ? true : null }, k + ' (' + counted(this.all.filter(f => 'tcp:' + f.conn === k).length, 'file') + ')')));
	}

	choose(f) {
		this.chosen = f.id;
		for (const tr of this.el.querySelectorAll('tbody tr')) tr.classList.toggle('chosen', tr.dataset.id === String(f.id));
		this.preview(f);
	}

	async preview(f) {
		const pane = clear(this.pane), token = this.ptoken = {};
		pane.dataset.loaded = '';
		pane.appendChild(h('div.previewhead', h('b', f.name), ' ', h('span.small', (f.content_type || 'no type') + ', ' + fmtBytes(f.size) +
			(f.complete ? '' : ', incomplete') + (f.uri ? ' — ' : ''), f.uri ? h('span.mono', f.uri) : null)));
		let p;
		try {
			p = await api.obj('file/preview', { cap: this.cap, id: f.id });
		} catch (e) {
			if (token === this.ptoken) pane.appendChild(h('p.error', e.message));
			return;
		}
		if (token !== this.ptoken) return;
		const more = p.shown < p.size ? h('p.small', 'the first ' + fmtBytes(p.shown) + ' of ' + fmtBytes(p.size) + ' shown; download it for the rest') : null;
		if (p.kind === 'image') {
			const img = h('img.fileimg', { alt: f.name, dataset: { kind: 'image' } });
			const what = h('p.small', p.image_type + ' (by its first bytes)');
			img.addEventListener('load', () => { what.textContent += ', ' + img.naturalWidth + ' × ' + img.naturalHeight + ' px'; pane.dataset.loaded = '1'; });
			img.addEventListener('error', () => { what.textContent += ': the browser could not draw it'; pane.dataset.loaded = '1'; });
			img.src = route('file', { cap: this.cap, id: f.id, view: 'image' }); // our route: an image type only after its signature
			pane.append(what, img);
			return;
		}
		const other = p.kind === 'hex' && !p.image_type ? otherCharset(f.content_type, unhexStr(p.hex)) : null;
		if (p.kind === 'text')
			pane.append(h('pre.filetext', { dataset: { kind: 'text' } }, p.text));
		else if (other)
			pane.append(h('p.small', 'text in ' + other.charset + ' (its Content-Type)'), h('pre.filetext', { dataset: { kind: 'text', charset: other.charset } }, other.text));
		else
			pane.append(h('p.small', p.image_type ? 'an image too large to draw here: its first bytes as hex' : 'not text: shown as hex'),
				h('pre.filehex', { dataset: { kind: 'hex' } }, hexDump(unhexStr(p.hex))));
		if (more) pane.append(more);
		pane.dataset.loaded = '1';
	}
}
