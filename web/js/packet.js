// packet.js: one packet opened: link and IP fields, the TCP header as RFC 9293 section
// 3.1 draws it (32 bits a row, each value in its box), and the hex dump; the bytes of the
// field under the pointer light up, and the field of the byte under the pointer.
import { h, clear, unhex } from './dom.js';

export function renderPacket(el, pkt, frame, onClose) {
	clear(el);
	const bytes = unhex(frame ? frame.bytes_hex : '');
	const fields = frame ? frame.fields : [];
	const byteEls = [];
	const fieldEls = [];

	const light = (f, on) => {
		for (const e of el.querySelectorAll('.hl')) e.classList.remove('hl');
		if (!on || !f) return;
		for (let i = f.off; i < f.off + f.len && i < byteEls.length; i++) byteEls[i].classList.add('hl');
		for (const fe of fieldEls) if (fe.f === f) fe.el.classList.add('hl');
	};
	const fieldBox = (tag, f, ...kids) => {
		const e = h(tag, { dataset: { field: f.name, layer: f.layer, off: f.off, len: f.len }, title: f.name + ': bytes ' + f.off + '–' + (f.off + f.len - 1) }, ...kids);
		e.addEventListener('mouseenter', () => light(f, true));
		e.addEventListener('mouseleave', () => light(f, false));
		fieldEls.push({ f, el: e });
		return e;
	};

	const dir = pkt.dir === 's2c' ? 'server → client' : 'client → server';
	el.appendChild(h('header.phead',
		h('h2', 'Frame ' + pkt.frame), h('span', dir + ', ' + pkt.src + ':' + pkt.sport + ' → ' + pkt.dst + ':' + pkt.dport),
		h('span.grow'),
		h('button.close', { type: 'button', title: 'close (Esc)', onclick: onClose }, '×')));
	if (frame)
		el.appendChild(h('p.meta', frame.caplen + ' bytes captured of ' + frame.wirelen + ' on the wire, link type ' + frame.linktype +
			(pkt.note ? '. ' + pkt.note : '')));

	const simple = fields.filter(f => f.layer !== 'tcp' && f.name !== 'Payload');
	if (simple.length)
		el.appendChild(h('section.layers', h('h3', 'Link and IP'),
			h('div.fieldlist', simple.map(f => fieldBox('div.frow', f, h('span.k', f.layer + ' ' + f.name), h('span.v', f.value || ''))))));

	const tcp = fields.filter(f => f.layer === 'tcp' && f.bit !== undefined);
	if (tcp.length) {
		const grid = h('div.tcpgrid', { role: 'table', 'aria-label': 'TCP header, 32 bits a row' });
		for (let b = 0; b < 32; b++) grid.appendChild(h('span.bitno', { style: null }, String(b)));
		for (const f of tcp) {
			const row = Math.floor(f.bit / 32) + 2;
			const col = (f.bit % 32) + 1;
			const span = f.name === 'Options' ? 32 : f.bits;
			
			const box = fieldBox('div.tcpf' + (f.bits === 1 ? '.bit' : '') + (f.bits === 1 && f.value === '1' ? '.on' : ''), f, h('span.k', f.name), h('span.v', f.value || ''));
			box.style.gridRow = String(row);
			box.style.gridColumn = col + ' / span ' + span;
			grid.appendChild(box);
		}
		// The bit numbers row: CSS cannot place it without the inline grid positions above.
		let i = 0;
		for (const n of grid.querySelectorAll('.bitno')) { n.style.gridRow = '1'; n.style.gridColumn = String(++i); }
		el.appendChild(h('section.tcp', h('h3', 'TCP header (RFC 9293, 3.1)'), grid));
	}

	const pay = fields.find(f => f.name === 'Payload');
	if (pay) el.appendChild(h('section', h('h3', 'Payload'), fieldBox('div.frow', pay, h('span.k', pay.layer + ' payload'), h('span.v', pay.len + ' bytes at byte ' + pay.off))));

	// The hex dump: 16 bytes a row, hex then text; each byte a span that knows its field.
	const dump = h('div.hexdump');
	const fieldAt = off => {
		let best = null;
		for (const f of fields) if (off >= f.off && off < f.off + f.len && (!best || f.len < best.len)) best = f;
		return best;
	};
	for (let r = 0; r < bytes.length; r += 16) {
		const hexs = h('span.hx'), txt = h('span.tx');
		for (let i = r; i < Math.min(r + 16, bytes.length); i++) {
			const c = bytes[i];
			const e = h('span.byte', { dataset: { off: i } }, c.toString(16).padStart(2, '0'));
			byteEls[i] = e;
			e.addEventListener('mouseenter', () => light(fieldAt(i), true));
			e.addEventListener('mouseleave', () => light(null, false));
			hexs.appendChild(e);
			txt.appendChild(document.createTextNode(c >= 32 && c < 127 ? String.fromCharCode(c) : '.'));
		}
		dump.appendChild(h('div.hrow', h('span.ho', r.toString(16).padStart(4, '0')), hexs, txt));
	}
	el.appendChild(h('section', h('h3', 'Bytes'), dump));
	el.hidden = false;
}
