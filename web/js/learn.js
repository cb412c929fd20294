// learn.js: lesson mode in the browser, the case view's stepping (#/cap/case:NAME/learn/N,
// and .../learn/N/q for the question before packet N). The steps come from /api/learn,
// the same model `chattcp learn NAME` asks (session/learn.h): the packets in frame order,
// the lesson's paragraphs about each, and before each packet the lesson names a question
// whose answer is shown with the packet. The bubbles shown so far are in the middle (the
// chat's own renderer), the current one marked; the paragraph, question and answer on the
// right. n, Space, → or j: next; p, b, ← or k: previous. The last packet seen of each case
// is kept in localStorage, and opening .../learn goes on from there.
import { h, clear } from './dom.js';
import * as api from './api.js';
import { Chat } from './chat.js';
import { settings, onSettings } from './settings.js';
import { renderLesson } from './side.js';

const KEY = 'chattcp.learn';

function progress() {
	try { return JSON.parse(localStorage.getItem(KEY) || '{}') || {}; } catch (e) { return {}; }
}
function keep(name, frame) {
	const p = progress();
	if (frame) p[name] = frame; else delete p[name];
	try { localStorage.setItem(KEY, JSON.stringify(p)); } catch (e) { /* private mode */ }
}

// The step in an address: {n, asking}, or null for ".../learn" (go on from the progress).
export function learnRoute(hash) {
	const m = /\/learn(?:\/(\d+)(\/q)?)?\/?$/.exec(hash);
	if (!m) return null;
	return m[1] ? { n: Number(m[1]), asking: !!m[2] } : { n: 0, asking: false };
}

export class Learn {
	// view: the middle pane's element; side: the right pane's; go(hash), hashFor(name)
	constructor(view, side, go, hashFor) {
		this.view = view, this.side = side, this.go = go, this.hashFor = hashFor;
		this.name = null, this.steps = [], this.at = 0, this.asking = false, this.notice = '';
		this.bar = h('div.learnbar');
		this.body = h('div.learnchat', { tabindex: '-1' });
		view.append(this.bar, this.body);
		this.chat = null, this.shown = 0; // the chat of the steps shown, and how many are in it
		onSettings(key => {
			if (this.view.hidden || !this.name) return;
			if (key === 'seq') this.show({ name: this.cap }, location.hash); else this.redraw();
		});
		// the keys, ahead of the window's own (j/k move the main chat)
		window.addEventListener('keydown', e => {
			if (this.view.hidden || !this.name || e.ctrlKey || e.metaKey || e.altKey) return;
			if (e.target.matches && e.target.matches('input, select, textarea')) return;
			const next = ['n', ' ', 'ArrowRight', 'j', 'Enter'].includes(e.key), prev = ['p', 'b', 'ArrowLeft', 'k', 'Backspace'].includes(e.key);
			if (!next && !prev) return;
			e.preventDefault();
			e.stopImmediatePropagation();
			next ? this.next() : this.prev();
		}, true);
	}

	stepHash(n, asking) {
		return this.hashFor(this.cap) + '/learn/' + n + (asking ? '/q' : '');
	}

	// Shows the case of capture c (named "case:NAME") at the step of hash.
	async show(c, hash) {
		const name = c.name.slice(5);
		this.cap = c.name;
		// the notes and answers are numbered by the server: "seq real" asks them as sent
		const numbers = settings.seq === 'real' ? 'absolute' : 'relative';
		if (this.name !== name || this.numbers !== numbers) {
			clear(this.body).appendChild(h('p.loading', 'reading…'));
			const lines = await api.list('learn', { name, numbers });
			this.head = lines[0];
			this.steps = lines.slice(1);
			this.name = name, this.numbers = numbers;
			this.shown = 0;
			this.newChat();
		}
		const r = learnRoute(hash) || { n: 0 };
		if (!this.steps.length) { clear(this.side).appendChild(h('p.empty', 'this case has no TCP or UDP packets to step through')); return; }
		if (!r.n) {
			// ".../learn": go on from the packet seen last, or begin
			const kept = progress()[name];
			let i = kept ? this.steps.findIndex(s => s.frame === kept) : -1;
			if (i >= 0 && i + 1 < this.steps.length) this.notice = 'Welcome back: you stopped at frame ' + kept + ' ("start over" begins again).';
			else i = 0;
			const asking = i === 0 && !!this.steps[0].question;
			history.replaceState(null, '', this.stepHash(i + 1, asking));
			r.n = i + 1, r.asking = asking;
		}
		this.at = Math.min(Math.max(1, r.n), this.steps.length) - 1;
		this.asking = r.asking && !!this.steps[this.at].question;
		this.done = false;
		this.draw();
	}

	next() {
		if (this.asking) return this.go(this.stepHash(this.at + 1, false));
		if (this.at + 1 >= this.steps.length) {
			keep(this.name, 0); // done: the next time starts at the beginning
			this.done = true;
			return this.drawSide();
		}
		const s = this.steps[this.at + 1];
		this.go(this.stepHash(this.at + 2, !!s.question));
	}

	prev() {
		if (this.done) { this.done = false; return this.drawSide(); }
		if (this.asking) { if (this.at) this.go(this.stepHash(this.at, false)); return; }
		if (this.at) this.go(this.stepHash(this.at, false));
	}

	restart() {
		keep(this.name, 0);
		this.notice = '';
		this.go(this.stepHash(1, !!this.steps[0].question));
	}

	// The bubbles of the steps shown: every one before the current, and the current one
	// unless its question is being asked. Stepping on adds one; anything else draws again.
	draw() {
		const want = this.at + (this.asking ? 0 : 1);
		if (want < this.shown) this.newChat();
		for (; this.shown < want; this.shown++) this.addStep(this.steps[this.shown]);
		for (const b of this.body.querySelectorAll('.bubble.current')) b.classList.remove('current');
		const s = this.steps[this.at];
		if (!this.asking) {
			this.chat.focus(s.frame, true);
			keep(this.name, s.frame);
		} else {
			this.chat.current = null;
			this.body.scrollTop = this.body.scrollHeight;
		}
		this.drawBar();
		this.drawSide();
	}

	redraw() { this.newChat(); this.draw(); }

	// An empty chat; times relative to the case's first packet, as the chat's are.
	newChat() {
		this.shown = 0;
		this.chat = new Chat(clear(this.body), () => {});
		this.chat.t0 = this.steps.length ? this.steps[0].packet.ts : 0;
	}

	addStep(s) {
		if (s.first) {
			const p = s.packet;
			this.body.appendChild(h('div.learnconn', s.proto + ':' + s.conn + '  ' + p.src + ':' + p.sport + ' → ' + p.dst + ':' + p.dport));
		}
		this.chat.add(s.packet);
		for (const t of s.tail || []) this.chat.add(t);
	}

	drawBar() {
		const s = this.steps[this.at], n = this.steps.length;
		clear(this.bar).append(
			h('a.button.back', { href: this.hashFor(this.cap), title: 'the whole chat and the lesson' }, '← chat'),
			h('span.learntitle', { title: 'Lesson ' + this.name }, 'packet ', h('b.stepno', String(this.at + 1)), ' of ' + n + ' · frame ' + s.frame),
			h('span.grow'),
			h('button.prev', { type: 'button', title: 'previous packet (p, ←)', disabled: this.at || this.asking ? null : true, onclick: () => this.prev() }, '◀ previous'),
			h('button.next', { type: 'button', title: this.asking ? 'the answer (n, Space)' : 'next packet (n, Space, →)', onclick: () => this.next() }, this.asking ? 'answer ▶' : 'next ▶'),
			h('button.restart', { type: 'button', title: 'start the case over', onclick: () => this.restart() }, 'start over'));
		this.bar.querySelector('.back').setAttribute('href', this.hashFor(this.cap));
	}

	drawSide() {
		const el = clear(this.side), s = this.steps[this.at], n = this.steps.length;
		el.scrollTop = 0;
		const box = h('div.learnside', { dataset: { step: this.at + 1, frame: s.frame, asking: this.asking ? '1' : '' } });
		el.appendChild(box);
		box.appendChild(h('h3', (this.head && this.head.title) || this.name));
		if (this.notice) { box.appendChild(h('p.notice', this.notice)); this.notice = ''; }
		box.appendChild(h('p.small', 'Packet ' + (this.at + 1) + ' of ' + n + ', frame ' + s.frame));
		if (this.done) {
			box.appendChild(h('p.theend', 'The end of ' + this.name + ': ' + n + ' packets.'));
			box.appendChild(h('button', { type: 'button', onclick: () => this.restart() }, 'start over'));
			return;
		}
		if (s.question) {
			box.appendChild(h('div.question', h('b', 'Question: '), s.question));
			if (this.asking) {
				box.appendChild(h('p.small.think', 'Think, then press n (or Space) for the answer; p goes back.'));
				return;
			}
			box.appendChild(h('div.answer', h('b', 'Answer: '), s.answer));
		}
		const link = (f, label) => {
			const i = this.steps.findIndex(x => x.frame === f);
			return i < 0 ? label : h('a.framelink', { href: this.stepHash(i + 1, false), dataset: { frame: f } }, label);
		};
		if (!s.paragraphs.length) box.appendChild(h('p.small.nopara', '(The lesson says nothing about this frame: read the bubble\'s note.)'));
		for (const md of s.paragraphs) {
			const d = h('div.para');
			renderLesson(d, md, link);
			box.appendChild(d);
		}
		box.appendChild(h('p.small.keys', this.at + 1 < n ? 'n, Space or →: next packet; p or ←: back.' : 'n: the end; p: back.'));
	}
}
