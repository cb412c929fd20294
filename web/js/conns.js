// conns.js: the left pane's connection list: TCP/UDP tabs, a filter, sort by any
// column, and only the rows in view are in the page (a capture may hold 71,000).
import { h, clear, counted, fmtBytes, fmtDur } from './dom.js';

const ROW = 40; // px, fixed: the list is a window over an array
const COLS = [
	{ key: 'id', label: 'id', cls: 'c-id', val: c => c.id, num: true },
	{ key: 'peers', label: 'client → server', cls: 'c-peers', val: c => c.client + ' → ' + c.server },
	{ key: 'app', label: 'app', cls: 'c-app', val: c => c.app || '' },
	{ key: 'packets', label: 'pkts', cls: 'c-num', val: c => c.packets, num: true },
	{ key: 'bytes', label: 'bytes', cls: 'c-num', val: c => (c.bytes_c2s || 0) + (c.bytes_s2c || 0), num: true, show: fmtBytes },
	{ key: 'dur', label: 'duration', cls: 'c-num', val: c => (c.last_ts || 0) - (c.first_ts || 0), num: true, show: fmtDur },
	{ key: 'tags', label: 'tags', cls: 'c-tags', val: c => (c.tags || []).join(' ') },
];
// Drawn in two lines: the id, then "client -> server" over the other columns.

export class ConnList {
	constructor(head, list, space, count, onPick) {
		this.head = head, this.list = list, this.space = space, this.count = count, this.onPick = onPick;
		this.all = [], this.rows = [], this.proto = 'tcp', this.filter = '', this.sort = { key: 'id', dir: 1 };
		this.only = null; // a display filter's connections (search.js): Map key -> matching frames, or null
		this.selected = null, this.drawn = new Map();
		list.addEventListener('scroll', () => this.draw());
		new ResizeObserver(() => this.draw()).observe(list);
		this.drawHead();
	}

	set(conns) {
		this.all = conns;
		this.refresh();
	}

	drawHead() {
		clear(this.head);
		for (const c of COLS) {
			const arrow = this.sort.key === c.key ? (this.sort.dir > 0 ? ' ▲' : ' ▼') : '';
			this.head.appendChild(h('button.' + c.cls, {
				type: 'button', dataset: { col: c.key }, title: 'sort by ' + c.label,
				onclick: () => {
					this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : 1 };
					this.drawHead();
					this.refresh();
				},
			}, c.label + arrow));
		}
	}

	refresh() {
		const words = this.filter.toLowerCase().split(/\s+/).filter(Boolean);
		const col = COLS.find(c => c.key === this.sort.key);
		this.rows = this.all.filter(c => c.proto === this.proto && words.every(w => text(c).includes(w)) && (!this.only || this.only.has(c.proto + ':' + c.id)));
		this.rows.sort((a, b) => {
			const x = col.val(a), y = col.val(b);
			return (col.num ? x - y : String(x).localeCompare(String(y))) * this.sort.dir || a.id - b.id;
		});
		this.space.style.height = this.rows.length * ROW + 'px';
		const n = this.all.filter(c => c.proto === this.proto).length;
		this.count.textContent = (this.rows.length === n ? '' : this.rows.length + ' of ') +
			counted(n, this.proto === 'tcp' ? 'TCP connection' : 'UDP conversation');
		for (const el of this.drawn.values()) el.remove();
		this.drawn.clear();
		this.draw();
	}

	draw() {
		const top = this.list.scrollTop, hgt = this.list.clientHeight || 600;
		const a = Math.max(0, Math.floor(top / ROW) - 4), b = Math.min(this.rows.length, Math.ceil((top + hgt) / ROW) + 4);
		for (const [i, el] of this.drawn)
			if (i < a || i >= b) { el.remove(); this.drawn.delete(i); }
		for (let i = a; i < b; i++) {
			if (this.drawn.has(i)) continue;
			const el = this.row(this.rows[i]);
			el.style.top = i * ROW + 'px';
			this.space.appendChild(el);
			this.drawn.set(i, el);
		}
	}

	row(c) {
		const key = c.proto + ':' + c.id;
		return h('div.connrow' + (key === this.selected ? '.sel' : ''), {
			dataset: { conn: key }, onclick: () => this.onPick(key),
		}, COLS.map(col => {
			if (col.key === 'tags') {
				const m = this.only && this.only.get(key); // a display filter's matches (search.js)
				return h('span.' + col.cls, { title: (c.tags || []).join(', ') || null },
					m ? h('span.tag.matches', { title: m + ' frame' + (m === 1 ? '' : 's') + ' match the display filter' }, m + (m === 1 ? ' match' : ' matches')) : null,
					(c.tags || []).map(t => h('span.tag', { dataset: { tag: t } }, t)));
			}
			const v = col.val(c);
			return h('span.' + col.cls, { title: col.key === 'peers' ? v : null }, col.show ? col.show(v) : v);
		}));
	}

	select(key) {
		this.selected = key;
		for (const el of this.drawn.values()) el.classList.toggle('sel', el.dataset.conn === key);
		const i = this.rows.findIndex(c => c.proto + ':' + c.id === key);
		if (i >= 0 && (i * ROW < this.list.scrollTop || (i + 1) * ROW > this.list.scrollTop + this.list.clientHeight))
			this.list.scrollTop = Math.max(0, i * ROW - this.list.clientHeight / 2);
	}

	// The next/previous row of the sorted, filtered list (keyboard in the list).
	step(d) {
		const i = this.rows.findIndex(c => c.proto + ':' + c.id === this.selected);
		const c = this.rows[Math.min(this.rows.length - 1, Math.max(0, i + d))];
		if (c) this.onPick(c.proto + ':' + c.id);
	}
}

function text(c) {
	return (c.id + ' ' + c.client + ' ' + c.server + ' ' + (c.app || '') + ' ' + (c.tags || []).join(' ')).toLowerCase();
}
