// app.js: the window: routes (#/cases, #/cap/NAME[/tcp:ID[/f/N | /p/N]]), the toolbar,
// the keyboard, and the wiring between the panes. Model data comes only from the API.
import { h, clear } from './dom.js';
import * as api from './api.js';
import { settings } from './settings.js';
import { ConnList } from './conns.js';
import { Chat } from './chat.js';
import { renderPacket } from './packet.js';
import { renderDiag, renderHttp, renderLesson } from './side.js';
import { Live } from './live.js';
import { openLivePacket, LiveDiag } from './livedetail.js';
import { StreamView } from './stream.js';
import { renderStats } from './stats.js';
import { renderReport } from './report.js';
import { Learn } from './learn.js';
import { Search } from './search.js';
import { initSettingsPanel } from './settingspanel.js';
import { FilesView } from './files.js';
import { GraphsView, graphsKind } from './graphs.js';

const $ = id => document.getElementById(id);
const state = { caps: [], cap: null, conns: [], conn: null, frame: 0, packet: 0, casesList: null };
let chat, connList, live = null, liveDiag = null, streamView, learn, search, filesView;
let graphsView, chatStale = false; // graphs.js; the chat is read when it is shown

function route() {
	const m = /^#\/([^/]*)(?:\/([^/]*))?(?:\/([^/]*))?(?:\/([pf])\/(\d+))?/.exec(location.hash) || [];
	return { view: m[1] || '', name: m[2] ? decodeURIComponent(m[2]) : '', conn: m[3] || '', kind: m[4] || '', frame: Number(m[5] || 0) };
}

export function hashFor(name, conn, kind, frame) {
	let s = '#/cap/' + encodeURIComponent(name);
	if (conn) s += '/' + conn;
	if (conn && frame) s += '/' + (kind || 'f') + '/' + frame;
	return s;
}

function go(hash, replace) {
	if (location.hash === hash) return onRoute();
	if (replace) { history.replaceState(null, '', hash); onRoute(); } else location.hash = hash;
}

function status(msg, isError) {
	const s = $('status');
	s.textContent = msg || '';
	s.classList.toggle('error', !!isError);
}

async function loadCaps() {
	state.caps = await api.list('captures');
	const sel = clear($('capsel'));
	sel.appendChild(h('option', { value: '' }, state.caps.length ? 'captures…' : 'no capture open'));
	for (const c of state.caps) sel.appendChild(h('option', { value: c.name }, c.name + (c.failed ? ' (failed)' : c.damaged ? ' (damaged)' : '')));
	if (state.cap) sel.value = state.cap.name;
}

// The capture called name, opening it when it is a case not open yet.
async function capture(name) {
	let c = state.caps.find(x => x.name === name);
	if (!c && name.startsWith('case:')) {
		await api.post('open', { spec: name });
		await loadCaps();
		c = state.caps.find(x => x.name === name);
	}
	return c;
}

async function onRoute() {
	const r = route(), at = location.hash;
	document.body.classList.remove('reporting');
	$('report').hidden = true;
	// the graphs (graphs.js): #/cap/NAME/tcp:ID/graphs[/KIND], the right pane folded away
	const inGraphs = graphsKind(location.hash);
	$('graphs').hidden = !inGraphs;
	document.body.classList.toggle('graphing', !!inGraphs);
	if (r.view === 'live' && live) return showLive(r.name);
	if (r.view !== 'cap') return showCases();
	$('cases').hidden = true;
	$('panes').hidden = false;
	let c;
	try {
		c = await capture(r.name);
	} catch (e) {
		return status(e.message, true);
	}
	if (!c) return status('no capture called ' + r.name + ' is open', true);
	if (c.failed) return status(c.name + ': ' + (c.error || 'could not be read'), true);
	status(c.damaged && c.error ? 'damaged: ' + c.error : '', c.damaged);
	if (!state.cap || state.cap.cap !== c.cap) {
		state.cap = c, state.conn = null;
		$('capsel').value = c.name;
		state.conns = await api.list('conns', { cap: c.cap });
		connList.set(state.conns);
		search.capChanged();
		$('sidetabs').querySelector('[data-side=lesson]').hidden = !c.name.startsWith('case:');
		if (c.name.startsWith('case:')) setSide('lesson', false);
		else if (settings.side === 'lesson') setSide('diag', false);
	}
	// case stepping (learn.js): #/cap/case:NAME/learn[/N[/q]], shown below
	const inLearn = r.conn === 'learn' && c.name.startsWith('case:');
	$('learnview').hidden = !inLearn;
	$('sidetabs').hidden = inLearn;
	// the statistics view (stats.js): #/cap/NAME/stats
	$('statsview').hidden = r.conn !== 'stats';
	// the Files view (files.js): #/cap/NAME/files, #/cap/NAME/tcp:ID/files
	const inFiles = /\/files$/.test(location.hash);
	$('filesview').hidden = !inFiles;
	if (r.conn === 'files') {
		$('chat').hidden = $('toolbar').hidden = $('stream').hidden = true;
		state.conn = null;
		connList.select(null);
		clear($('side')).appendChild(h('p.empty', 'the files are the whole capture\'s; choose a connection for its diagnosis'));
		return filesView.show(c, null);
	}
	if (r.conn === 'stats') {
		$('chat').hidden = $('toolbar').hidden = $('stream').hidden = true;
		state.conn = null; // the side pane is a connection's: show it again when one is chosen
		connList.select(null);
		clear($('side')).appendChild(h('p.empty', 'the statistics are of the whole capture; choose a connection for its diagnosis'));
		try { renderStats($('statsview'), await api.obj('stats', { cap: c.cap }), c.name, hashFor); } catch (e) { status(e.message, true); }
		return;
	}
	if (inLearn) {
		$('chat').hidden = $('toolbar').hidden = $('stream').hidden = true;
		state.conn = null;
		connList.select(null);
		try { await learn.show(c, location.hash); } catch (e) { status(e.message, true); }
		return;
	}
	// the printable report (report.js): #/cap/NAME/report, the page alone
	document.body.classList.toggle('reporting', r.conn === 'report');
	$('report').hidden = r.conn !== 'report';
	if (r.conn === 'report') {
		state.conn = null;
		try { await renderReport($('report'), c, state.conns, hashFor); } catch (e) { status(e.message, true); }
		return;
	}
	let conn = r.conn;
	if (!conn) {
		const first = state.conns.find(x => x.proto === connList.proto) || state.conns[0];
		if (!first) { clear($('chat')).appendChild(h('p.empty', 'no TCP or UDP connection in this capture')); return; }
		return go(hashFor(c.name, first.proto + ':' + first.id), true);
	}
	const cn = state.conns.find(x => x.proto + ':' + x.id === conn);
	if (cn && cn.proto !== connList.proto) setProto(cn.proto);
	connList.select(conn);
	if (state.conn !== conn) {
		state.conn = conn;
		drawSide();
		chatStale = true;
	}
	// the stream window (stream.js): #/cap/NAME/tcp:ID/stream
	const inStream = /\/stream$/.test(location.hash);
	// the chat is shown (and read, its first bubbles at once) unless another view has the pane
	const chatShown = !inStream && !inFiles && !inGraphs;
	$('chat').hidden = $('toolbar').hidden = !chatShown;
	$('stream').hidden = !inStream;
	// a packet opens at once (a click on a graph point of a long connection), not after the chat
	state.frame = r.frame;
	if (r.kind === 'p' && r.frame) openPacket(r.frame); else closePacket(false);
	if (chatStale && chatShown) {
		chatStale = false;
		await chat.load(c.cap, conn, r.frame);
		if (location.hash !== at) return; // another view was chosen meanwhile: its own route draws
	} else if (r.frame && chatShown) chat.focus(r.frame, r.kind === 'f');
	if (inStream) streamView.show(c.cap, conn, cn);
	if (inFiles) filesView.show(c, conn);
	if (inGraphs) graphsView.show(c.cap, conn, cn, inGraphs, chat.cap === c.cap && chat.conn === conn ? chat.current : 0);
}

// The live view: the panes, fed by live.js instead of a capture's session.
function showLive(key) {
	$('cases').hidden = true;
	$('panes').hidden = false;
	closePacket(false);
	state.cap = null, state.conn = key || null;
	$('capsel').value = '';
	if (!liveDiag) liveDiag = new LiveDiag($('side'), (n, label) => h('a.framelink', { href: '#/', onclick: e => { e.preventDefault(); chat.focus(n, true); } }, label));
	liveDiag.show(key);
	if (key) {
		const proto = key.split(':')[0];
		if (proto !== connList.proto) setProto(proto);
	}
	live.show(key);
}

async function drawSide() {
	const el = $('side'), c = state.cap, conn = state.conn;
	if (!c) return;
	const link = (n, label) => h('a.framelink', { href: '#/', dataset: { frame: n }, onclick: e => { e.preventDefault(); followFrame(n); } }, label);
	try {
		if (settings.side === 'lesson' && c.name.startsWith('case:')) {
			const md = await api.text('lesson', { name: c.name.slice(5) });
			renderLesson(el, md, link);
			el.prepend(h('a.button.steplink', { href: hashFor(c.name) + '/learn', title: 'the case one packet at a time, with the lesson\'s paragraph for each and questions (n / p)' }, '▶ step through this case'));
		} else if (settings.side === 'http' && conn) {
			renderHttp(el, await api.list('http', { cap: c.cap, conn }), link);
		} else if (conn) {
			renderDiag(el, (await api.list('diag', { cap: c.cap, conn }))[0], link);
		}
	} catch (e) {
		clear(el).appendChild(h('p.error', e.message));
	}
	el.scrollTop = 0;
}

// A "frame N" link: find its connection, show it, scroll to the bubble and flash it.
async function followFrame(n) {
	const c = state.cap;
	try {
		const w = await api.obj('where', { cap: c.cap, frame: n });
		go(hashFor(c.name, w.proto + ':' + w.conn, 'f', n));
	} catch (e) {
		status('frame ' + n + ': ' + e.message, true);
	}
}

async function openPacket(frame) {
	const el = $('packet');
	try {
		const [pkt, fr] = await api.list('packet', { cap: state.cap.cap, conn: state.conn, frame });
		renderPacket(el, pkt, fr, () => go(hashFor(state.cap.name, state.conn, 'f', frame)));
		chat.focus(frame, false);
	} catch (e) {
		status(e.message, true);
	}
}

function closePacket(nav) {
	const el = $('packet');
	if (el.hidden) return;
	el.hidden = true;
	if (nav && state.cap) go(hashFor(state.cap.name, state.conn, 'f', state.packet || chat.current || 0));
}

function setSide(which, draw = true) {
	settings.side = which;
	for (const b of $('sidetabs').querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.side === which));
	if (draw) drawSide();
}

function setProto(p) {
	connList.proto = p;
	for (const b of $('tabs').querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.proto === p));
	connList.refresh();
}

async function showCases() {
	$('panes').hidden = true;
	$('packet').hidden = true;
	const el = $('cases');
	el.hidden = false;
	if (!state.casesList) state.casesList = await api.list('cases');
	clear(el);
	el.appendChild(h('h2', 'Classic cases'));
	el.appendChild(h('p.small', 'Real captures with a lesson each. Open one, read the lesson on the right; every "frame N" in it shows that packet in the chat. Or open your own capture with "Open file…" (or drop it on the page).'));
	el.appendChild(h('p.small', 'Grouped by topic; new to TCP? Follow the numbers, they are a suggested order.'));
	// the list comes in the suggested order; a topic is one group, headed by its name
	const groups = [];
	state.casesList.forEach((k, i) => {
		const topic = k.topic || 'Other cases';
		if (!groups.length || groups[groups.length - 1].topic !== topic) groups.push({ topic, cases: [] });
		groups[groups.length - 1].cases.push([i + 1, k]);
	});
	for (const g of groups) {
		el.appendChild(h('h2.topic', g.topic));
		el.appendChild(h('div.caselist', g.cases.map(([n, k]) =>
			h('a.case', { href: hashFor('case:' + k.name), dataset: { case: k.name } },
				h('span.order', String(n)), h('h3', k.title), h('p', k.summary),
				h('div.topics', (k.topics || []).map(t => h('span.tag', t)))))));
	}
}

// --- the toolbar over the chat ---

function toolbar() {
	const el = clear($('toolbar'));
	const toggle = (key, label, title) => h('label.tog', { title },
		h('input', { type: 'checkbox', dataset: { setting: key }, checked: settings[key] ? true : null,
			onchange: e => { settings[key] = e.target.checked; key === 'hideRetrans' || key === 'decode' || key === 'commentary' || key === 'notes' || key === 'state' ? chat.redraw() : null; } }), label);
	// seq: the notes and SACK blocks are numbered by the server, so the chat is read again
	const choice = (key, opts, title) => h('select', { title, dataset: { setting: key }, onchange: e => { settings[key] = typeof settings[key] === 'number' ? Number(e.target.value) : e.target.value; key === 'seq' && chat.cap !== undefined ? chat.load(chat.cap, chat.conn, chat.current) : chat.redraw(); } },
		opts.map(([v, l]) => h('option', { value: v, selected: String(settings[key]) === v ? true : null }, l)));
	el.append(
		toggle('commentary', 'commentary', 'a longer explanation for learners under each packet'),
		toggle('notes', 'notes', 'the note in plain words under each packet'),
		toggle('state', 'state', 'the sender\'s TCP state after the packet, in the bubble header'),
		toggle('hideRetrans', 'hide retrans.', 'hide retransmitted packets'),
		toggle('decode', 'decode app', 'the decoded application messages under the packet that completes them'),
		choice('seq', [['relative', 'seq relative'], ['real', 'seq real']], 'sequence numbers relative to the first SYN (as Wireshark) or as sent'),
		choice('time', [['relative', 'time relative'], ['absolute', 'time absolute'], ['delta', 'time delta']], 'time since the first packet, of day, or since the previous packet'),
		choice('payload', [['text', 'payload text'], ['hex', 'payload hex']], 'payload as text or as a hex dump'),
		choice('appStyle', [['grid', 'fields grid'], ['text', 'fields text']], 'application messages as a grid of fields or as text'),
		choice('fold', [['64', 'fold 64 B'], ['256', 'fold 256 B'], ['1024', 'fold 1 kB'], ['0', 'no fold']], 'payload bytes shown before "show all"'),
		h('a.button#streamlink', { href: '#/', title: 'the whole connection as a stream of bytes (Follow Stream)',
			onclick: e => { e.preventDefault(); if (state.cap && state.conn) go(hashFor(state.cap.name, state.conn) + '/stream'); } }, 'stream'),
		h('a.button#pcaplink', { href: '#/', download: true, title: 'this connection\'s packets as a pcap file (what chattcp extract -c ID writes)',
			onclick: e => { if (!state.cap || !state.conn) return e.preventDefault(); e.currentTarget.href = '/api/filter/pcap?' + new URLSearchParams({ cap: state.cap.cap, conn: state.conn }); } }, '⤓ pcap'),
		h('a.button#graphslink', { href: '#/', title: 'the connection as graphs: sequence numbers, throughput, round-trip time, window',
			onclick: e => { e.preventDefault(); if (state.cap && state.conn) go(hashFor(state.cap.name, state.conn) + '/graphs'); } }, 'graphs'),
		h('a.button#statslink', { href: '#/', title: 'the capture\'s statistics as pictures',
			onclick: e => { e.preventDefault(); if (state.cap) go(hashFor(state.cap.name) + '/stats'); } }, 'statistics'),
		h('a.button#fileslink', { href: '#/', title: 'every file HTTP carried in this capture: preview, download one or all',
			onclick: e => { e.preventDefault(); if (state.cap) go(hashFor(state.cap.name) + '/files'); } }, 'files'),
		h('a.button#reportlink', { href: '#/', title: 'a printable report: summary, pictures, the troubled connections in words',
			onclick: e => { e.preventDefault(); if (state.cap) go(hashFor(state.cap.name) + '/report'); } }, 'report'),
		h('input#jump', { type: 'text', inputmode: 'numeric', placeholder: 'frame (g)', size: 8, title: 'jump to a frame (g)',
			onkeydown: e => { if (e.key === 'Enter') { const n = Number(e.target.value); if (n) followFrame(n); e.target.value = ''; e.target.blur(); } } }));
}

// --- hover explanations (flag badges and anything with data-help) ---

function tooltips() {
	const tip = $('tip');
	document.addEventListener('mouseover', e => {
		const t = e.target.closest('[data-help]');
		if (!t) { tip.hidden = true; return; }
		tip.textContent = t.dataset.help;
		tip.hidden = false;
		const r = t.getBoundingClientRect();
		const w = Math.min(360, window.innerWidth - 16);
		tip.style.maxWidth = w + 'px';
		tip.style.left = Math.max(8, Math.min(window.innerWidth - w - 8, r.left)) + 'px';
		tip.style.top = (r.bottom + 6 + 120 > window.innerHeight ? r.top - tip.offsetHeight - 6 : r.bottom + 6) + 'px';
	});
}

function keys() {
	document.addEventListener('keydown', e => {
		if (e.target.matches('input, select, textarea')) {
			if (e.key === 'Escape') e.target.blur();
			return;
		}
		if (e.ctrlKey || e.metaKey || e.altKey) return;
		if (e.key === 'Escape') return closePacket(true);
		if (!state.cap || $('panes').hidden || graphsKind(location.hash)) return; // the graphs have their own keys
		if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') {
			e.preventDefault();
			const f = chat.step(e.key === 'j' || e.key === 'ArrowDown' ? 1 : -1);
			if (f) history.replaceState(null, '', hashFor(state.cap.name, state.conn, $('packet').hidden ? 'f' : 'p', f));
			if (f && !$('packet').hidden) openPacket(f);
		} else if (e.key === 'Enter' && chat.current) {
			go(hashFor(state.cap.name, state.conn, 'p', chat.current));
		} else if (e.key === '/') {
			e.preventDefault();
			$('filter').focus();
		} else if (e.key === 'g') {
			e.preventDefault();
			$('jump').focus();
		}
	});
}

function theme() {
	const apply = () => { document.documentElement.dataset.theme = settings.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'); };
	apply();
	$('theme').addEventListener('click', () => {
		settings.theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
		apply();
	});
}

async function upload(file) {
	status('reading ' + file.name + '…');
	try {
		const info = await api.obj('info');
		if (file.size > info.upload_max) throw new Error(file.name + ' is larger than the ' + (info.upload_max >> 20) + ' MiB an upload may be: start chattcp ui FILE instead');
		await api.post('upload', { name: file.name }, file);
		await loadCaps();
		const c = state.caps[state.caps.length - 1];
		status('');
		go(hashFor(c.name));
	} catch (e) {
		status(e.message, true);
	}
}

async function main() {
	theme();
	chat = new Chat($('chat'), frame => {
		if (!state.cap && live) return openLivePacket($('packet'), live.packet(state.conn, frame) || { frame }, frame, status, () => { $('packet').hidden = true; });
		if (!state.cap) return;
		state.packet = frame;
		go(hashFor(state.cap.name, state.conn, 'p', frame));
	});
	streamView = new StreamView($('stream'), () => go(hashFor(state.cap.name, state.conn)));
	filesView = new FilesView($('filesview'), hashFor);
	graphsView = new GraphsView($('graphs'), {
		back: () => go(hashFor(state.cap.name, state.conn)),
		open: frame => go(hashFor(state.cap.name, state.conn, 'p', frame)),
		kind: k => go(hashFor(state.cap.name, state.conn) + '/graphs/' + k),
	});
	connList = new ConnList($('connhead'), $('connlist'), $('connspace'), $('conncount'),
		key => go(state.cap ? hashFor(state.cap.name, key) + (graphsKind(location.hash) ? '/graphs/' + graphsKind(location.hash) : '') : '#/live/' + key));
	for (const b of $('tabs').querySelectorAll('button')) b.addEventListener('click', () => setProto(b.dataset.proto));
	for (const b of $('sidetabs').querySelectorAll('button')) b.addEventListener('click', () => setSide(b.dataset.side));
	search = new Search({ input: $('filter'), connList, chat, chatEl: $('chat'), go, hashFor, cap: () => state.cap });
	learn = new Learn($('learnview'), $('side'), go, hashFor);
	initSettingsPanel($('top'), key => key === 'seq' && chat.cap !== undefined ? chat.load(chat.cap, chat.conn, chat.current) : chat.redraw());
	$('capsel').addEventListener('change', e => { if (e.target.value) go(hashFor(e.target.value)); });
	$('file').addEventListener('change', e => { if (e.target.files[0]) upload(e.target.files[0]); });
	document.addEventListener('dragover', e => e.preventDefault());
	document.addEventListener('drop', e => { e.preventDefault(); if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]); });
	setProto('tcp');
	setSide(settings.side === 'lesson' ? 'diag' : settings.side, false);
	toolbar();
	tooltips();
	keys();
	window.addEventListener('hashchange', onRoute);
	await loadCaps();
	const lv = new Live($('livebar'), { chat, connList, status, go, current: () => state.cap ? null : state.conn });
	if (await lv.init()) live = lv;
	if ((!location.hash || location.hash === '#/') && live)
		history.replaceState(null, '', '#/live');
	if (!location.hash || location.hash === '#/')
		history.replaceState(null, '', state.caps.length ? hashFor(state.caps[0].name) : '#/cases');
	await onRoute();
	document.body.dataset.ready = '1';
}

main().catch(e => status(String(e.message || e), true));
