// dom.js: building elements. Every string from a capture goes in through text nodes
// (textContent), never through innerHTML: a payload holding "<script>" shows as text.

// h('div.a.b', {title: 't', onclick: f, dataset: {x: 1}}, child, 'text', [more]) -> Element
export function h(spec, attrs, ...kids) {
	const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
	const el = document.createElement(m && m[1] ? m[1] : 'div');
	if (m && m[2])
		for (const part of m[2].match(/[.#][\w-]+/g)) {
			if (part[0] === '.') el.classList.add(part.slice(1));
			else el.id = part.slice(1);
		}
	if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
		kids.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
		else if (k === 'dataset') Object.assign(el.dataset, v);
		else if (k === 'text') el.textContent = v;
		else if (k === 'href') el.setAttribute('href', safeHref(v));
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	add(el, kids);
	return el;
}

function add(el, kids) {
	for (const k of kids) {
		if (k === null || k === undefined || k === false) continue;
		if (Array.isArray(k)) add(el, k);
		else if (k instanceof Node) el.appendChild(k);
		else el.appendChild(document.createTextNode(String(k)));
	}
}

// Only our own routes are links: "#/...". Anything else (javascript:, data:) is dropped.
function safeHref(v) {
	return typeof v === 'string' && v.startsWith('#/') ? v : '#/';
}

export function clear(el) {
	while (el.firstChild) el.removeChild(el.firstChild);
	return el;
}

// Text with every "frame N" / "frames N and M" / "frames N-M" turned into a link made by
// link(n) (an element); the rest stays text.
export function withFrameLinks(text, link) {
	const out = [];
	const re = /\b([Ff]rames?)\s+(\d+)((?:\s*(?:,|and|-|–|to)\s*\d+)*)/g;
	let at = 0, m;
	while ((m = re.exec(text))) {
		out.push(text.slice(at, m.index), m[1] + ' ');
		out.push(link(Number(m[2]), m[2]));
		const rest = m[3];
		const nre = /(\s*(?:,|and|-|–|to)\s*)(\d+)/g;
		let n;
		while ((n = nre.exec(rest))) out.push(n[1], link(Number(n[2]), n[2]));
		at = m.index + m[0].length;
	}
	out.push(text.slice(at));
	return out.filter(x => x !== '');
}

// Bytes as hex pairs -> Uint8Array.
export function unhex(s) {
	const n = s ? s.length >> 1 : 0;
	const b = new Uint8Array(n);
	for (let i = 0; i < n; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
	return b;
}

// Printable text of bytes: \r \n shown as in the terminal, other controls as a dot.
export function bytesText(b) {
	let s = '';
	for (const c of b) {
		if (c === 10) s += '\\n\n';
		else if (c === 13) s += '\\r';
		else if (c === 9) s += '\t';
		else if (c < 32 || c === 127) s += '·';
		else s += String.fromCharCode(c);
	}
	try {
		const u = new TextDecoder('utf-8', { fatal: true }).decode(b);
		if (/[\u0080-\uffff]/.test(u)) return u.replace(/\r/g, '\\r').replace(/\n/g, '\\n\n').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '·');
	} catch (e) { /* not UTF-8: Latin-1 view above */ }
	return s;
}

export function fmtBytes(n) {
	if (n < 1024) return n + ' B';
	if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' kB';
	if (n < 1024 * 1024 * 1024) return (n / 1048576).toFixed(1) + ' MB';
	return (n / 1073741824).toFixed(2) + ' GB';
}

export function fmtDur(s) {
	if (s < 0.001) return (s * 1e6).toFixed(0) + ' µs';
	if (s < 1) return (s * 1000).toFixed(1) + ' ms';
	if (s < 120) return s.toFixed(2) + ' s';
	return (s / 60).toFixed(1) + ' min';
}

// "1 TCP connection", "2 TCP connections": n and the noun, plural unless n is 1.
export function counted(n, noun) {
	return n + ' ' + noun + (n === 1 ? '' : 's');
}
