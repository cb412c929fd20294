// live.js: the live view (#/live[/PROTO:ID]) of `chattcp ui -i IFACE` and `ui --remote URL`:
// connections and bubbles appear as the server's capture sees them, read from
// /api/live/events (Server-Sent Events: conn, packet, tail, capture, status, missed).
// Start and stop ask the server; pause is this page's: it stops drawing and keeps what
// arrives (bounded), and draws it on resume. Nothing is computed here: the objects are
// the ones `conns --json` and `chat --json` print.
import { h, clear } from './dom.js';
import * as api from './api.js';

// What the page keeps: bubbles per connection, and in all (older ones are let go first,
// as the server's ring does); and events held while paused.
const KEEP_PER_CONN = 5000;
const KEEP_ALL = 50000;
const HELD_MAX = 20000;

export class Live {
	// ui: { chat, connList, status(msg, isError), go(hash), current() -> selected key or null }
	constructor(bar, ui) {
		this.bar = bar, this.ui = ui;
		this.conns = new Map(), this.items = new Map(), this.count = 0;
		this.paused = false, this.held = [], this.generation = 0, this.info = null, this.es = null;
	}

	// Asks the server whether it has a live view; draws the bar when it has.
	async init() {
		try {
			this.info = await api.obj('live/status');
		} catch (e) {
			return false;
		}
		if (!this.info.available) return false;
		this.bar.hidden = false;
		this.drawBar();
		this.es = new EventSource('/api/live/events');
		for (const name of ['conn', 'packet', 'tail', 'capture', 'status', 'missed'])
			this.es.addEventListener(name, e => this.onEvent(name, JSON.parse(e.data)));
		return true;
	}

	drawBar() {
		const s = this.info || {};
		const src = (s.source ? s.source + ' ' : '') + (s.interface || '');
		clear(this.bar).append(
			h('a#livelink', { href: '#/live', title: 'the live capture' }, '● live ' + src),
			h('button#livestart', { type: 'button', disabled: !!s.running, onclick: () => this.ask('start') }, 'Start'),
			h('button#livestop', { type: 'button', disabled: !s.running, onclick: () => this.ask('stop') }, 'Stop'),
			h('button#livepause', { type: 'button', onclick: () => this.pause(!this.paused) }, this.paused ? 'Resume' : 'Pause'),
			h('span#livestatus', this.words()));
		this.bar.classList.toggle('running', !!s.running);
	}

	words() {
		const s = this.info || {};
		if (s.error) return s.error;
		return (s.running ? 'capturing: ' : 'stopped: ') + (s.packets || 0) + ' packets, ' + (s.connections || 0) +
			' connections, kernel drops ' + (s.kernel_drops || 0) + (this.paused ? ', paused (' + this.held.length + ' waiting)' : '');
	}

	async ask(what) {
		try {
			this.info = await api.post('live/' + what);
		} catch (e) {
			this.ui.status(e.message, true);
		}
		this.drawBar();
	}

	pause(on) {
		this.paused = on;
		if (!on) {
			const held = this.held;
			this.held = [];
			for (const [name, o] of held) this.apply(name, o);
		}
		this.drawBar();
	}

	onEvent(name, o) {
		if (name === 'status') {
			this.info = o;
			const t = document.getElementById('livestatus');
			if (t) t.textContent = this.words();
			this.bar.classList.toggle('running', !!o.running);
			document.getElementById('livestart').disabled = !!o.running;
			document.getElementById('livestop').disabled = !o.running;
			return;
		}
		if (this.paused && name !== 'capture') {
			if (this.held.length < HELD_MAX) this.held.push([name, o]);
			return;
		}
		this.apply(name, o);
	}

	apply(name, o) {
		if (name === 'capture') {
			if (o.started && o.generation !== this.generation) {
				// a new capture numbers its connections from 0 again
				this.generation = o.generation;
				this.conns.clear(), this.items.clear(), this.count = 0, this.held = [];
				if (this.active()) this.refresh(true);
			}
			api.obj('live/status').then(s => { this.info = s; this.drawBar(); }).catch(() => {});
			return;
		}
		if (name === 'missed') return this.ui.status('the live view fell behind: ' + o.lines + ' lines were missed', true);
		const key = o.proto + ':' + (o.conn !== undefined ? o.conn : o.id);
		if (name === 'conn') {
			const old = this.conns.get(key);
			this.conns.set(key, Object.assign(old || { packets: 0 }, o, { packets: old ? old.packets : 0 }));
			if (this.active()) this.ui.connList.set([...this.conns.values()]);
			return;
		}
		let list = this.items.get(key);
		if (!list) this.items.set(key, list = []);
		list.push(o);
		if (list.length > KEEP_PER_CONN) list.shift();
		if (++this.count > KEEP_ALL) this.trim();
		const c = this.conns.get(key);
		if (c && !o.at_end) c.packets++;
		if (!this.active()) return;
		if (this.ui.current() === key) {
			const el = this.ui.chat.el;
			const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
			if (!this.ui.chat.items.length) { clear(el); this.ui.chat.t0 = o.ts || 0; }
			this.ui.chat.add(o);
			if (atEnd) el.scrollTop = el.scrollHeight;
		} else if (!this.ui.current() && c) {
			this.ui.go('#/live/' + key, true);
		}
	}

	trim() {
		// the connection with the most bubbles gives up its oldest
		let big = null;
		for (const [k, v] of this.items) if (!big || v.length > this.items.get(big).length) big = k;
		if (big) this.items.get(big).splice(0, Math.ceil(this.items.get(big).length / 10));
		this.count = 0;
		for (const v of this.items.values()) this.count += v.length;
	}

	active() { return /^#\/live/.test(location.hash); }

	// The bubble object of frame in connection key, while the page keeps it.
	packet(key, frame) { return (this.items.get(key) || []).find(o => o.frame === frame); }

	// Shows the live view, the connection key's chat (or none yet).
	show(key) {
		this.ui.connList.set([...this.conns.values()]);
		if (key) this.ui.connList.select(key);
		this.refresh(true, key);
	}

	refresh(redraw, key = this.ui.current()) {
		const chat = this.ui.chat;
		chat.items = [], chat.byFrame.clear(), chat.current = null;
		clear(chat.el);
		const list = key ? this.items.get(key) || [] : [];
		if (!list.length) {
			chat.el.appendChild(h('p.empty', this.conns.size ? 'no packets of this connection yet' : 'waiting for the first packet…'));
			return;
		}
		chat.t0 = list[0].ts || 0;
		for (const it of list) chat.add(it);
		chat.el.scrollTop = chat.el.scrollHeight;
	}
}
