// report.js: the printable report, #/cap/NAME/report: the capture's summary and
// statistics pictures (stats.js), then the diagnosis in words of every troubled
// connection (tagged, or with analysis labels), each as /api/diag says it. Print CSS
// (app.css, @media print) keeps only this page; the "print" button calls window.print().
import { h, clear } from './dom.js';
import * as api from './api.js';
import { renderStats } from './stats.js';

// Connections whose diagnosis the report gives in full: enough for a capture with a few
// troubles; past it the report says how many more there are.
const REPORT_CONNS_MAX = 50;

export async function renderReport(el, cap, conns, hashFor) {
	clear(el);
	el.dataset.done = '';
	const st = await api.obj('stats', { cap: cap.cap });
	const statsEl = h('div.reportstats');
	renderStats(statsEl, st, cap.name, hashFor);
	const h2 = statsEl.querySelector('h2');
	if (h2) h2.remove();
	const troubled = conns.filter(c => (c.tags && c.tags.length) || (c.analysis && Object.keys(c.analysis).length) ||
		(c.proto === 'tcp' && (c.handshake !== 'complete' || c.close !== 'fin')));
	el.append(
		h('div.reportbar', h('button', { type: 'button', onclick: () => window.print() }, 'print'), ' ', h('a', { href: hashFor(cap.name) }, '← back')),
		h('h1', 'chattcp report: ', cap.name),
		h('p.small', 'made ' + new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC by chattcp ui' + (cap.damaged ? '; the capture is damaged: ' + (cap.error || '') : '')),
		statsEl,
		h('h2', 'Troubled connections (' + troubled.length + ' of ' + conns.length + ')'));
	if (!troubled.length) el.appendChild(h('p.ok', 'No connection with a trouble.'));
	const list = h('div.reportconns');
	el.appendChild(list);
	for (const c of troubled.slice(0, REPORT_CONNS_MAX)) {
		const key = c.proto + ':' + c.id;
		let d = null;
		try { d = (await api.list('diag', { cap: cap.cap, conn: key }))[0]; } catch (e) { d = { diagnosis: [{ text: e.message }] }; }
		list.appendChild(h('section.reportconn', { dataset: { conn: key } },
			h('h3', key + '  ', c.client + ' → ' + c.server, c.app ? '  (' + c.app + ')' : ''),
			h('p.small', c.packets + ' packets' + (c.tags && c.tags.length ? '; tags: ' + c.tags.join(', ') : '')),
			d && d.diagnosis && d.diagnosis.length ? h('ul.diag', d.diagnosis.map(x => h('li.' + (x.severity || 'note'), x.text))) : h('p.ok', 'Nothing wrong found in words.'),
			d && d.end ? h('p', h('b', 'How it ended: '), d.end) : null));
	}
	if (troubled.length > REPORT_CONNS_MAX)
		el.appendChild(h('p.small', (troubled.length - REPORT_CONNS_MAX) + ' more troubled connections: chattcp diag FILE gives every one.'));
	el.dataset.done = '1';
}
