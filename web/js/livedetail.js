// livedetail.js: packet details and the diagnosis in the live view (#/live/PROTO:ID).
// The server keeps the bytes of the last packets (WEB_LIVE_FRAMES, docs/live.md): a
// click on a recent bubble opens its fields and hex dump as for a file; an older one is
// told it is no longer kept. The diagnosis is the session's, asked while it captures:
// what it has measured so far, drawn again every DIAG_EVERY_MS while the view shows it.
import { h, clear } from './dom.js';
import * as api from './api.js';
import { renderPacket } from './packet.js';
import { renderDiag } from './side.js';

const DIAG_EVERY_MS = 2000;

// Opens packet `frame` (its bubble object pkt, from the live events) in el.
export async function openLivePacket(el, pkt, frame, status, onClose) {
	try {
		const fr = await api.obj('live/packet', { frame });
		renderPacket(el, pkt, fr, onClose);
		el.hidden = false;
	} catch (e) {
		status('frame ' + frame + ': ' + e.message, true);
	}
}

// The right pane's diagnosis of connection key, kept fresh while shown is true.
export class LiveDiag {
	constructor(el, frameLink) {
		this.el = el, this.frameLink = frameLink, this.key = null, this.timer = null;
	}

	show(key) {
		this.key = key;
		clearInterval(this.timer);
		this.timer = null;
		if (!key) {
			clear(this.el).appendChild(h('p.empty', 'choose a connection for its diagnosis'));
			return;
		}
		clear(this.el).appendChild(h('p.empty', 'diagnosing…'));
		this.draw();
		this.timer = setInterval(() => this.draw(), DIAG_EVERY_MS);
	}

	hide() {
		clearInterval(this.timer);
		this.timer = null, this.key = null;
	}

	async draw() {
		const key = this.key;
		if (!key || !/^#\/live/.test(location.hash)) return this.hide();
		try {
			const d = await api.obj('live/diag', { conn: key });
			if (key !== this.key) return;
			const top = this.el.scrollTop;
			renderDiag(this.el, d, this.frameLink);
			this.el.insertBefore(h('p.small.livediag', 'so far: the live capture goes on'), this.el.firstChild);
			this.el.scrollTop = top;
		} catch (e) {
			if (key === this.key) clear(this.el).appendChild(h('p.empty', e.message));
		}
	}
}
