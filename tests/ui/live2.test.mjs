// live2.test.mjs URL PORT: packet details and the diagnosis in the live view of
// `chattcp ui -i lo -f 'tcp port PORT'` (run by tests/suite/ui-live2) in headless
// chromium: a click on a live bubble opens its fields and hex dump (the server's ring of
// recent packets' bytes), the right pane has the connection's diagnosis so far, and the
// ring is bounded: past WEB_LIVE_FRAMES packets the first one is no longer kept (404 in
// words) while the newest is. Prints "ok NAME" / "FAIL NAME: why" lines.
import { chromium } from 'playwright-core';
import http from 'node:http';

const [url, port] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WEB_LIVE_FRAMES = 4096; // src/web/live.h

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }

function request(path) {
	return new Promise((resolve, reject) => {
		const rq = http.get({ host: '127.0.0.1', port: Number(port), path, agent: false }, r => {
			r.resume();
			r.on('end', resolve);
		});
		rq.on('error', reject);
	});
}

// GET an API path with the page's cookie: {status, body}
const api = (p, path) => p.evaluate(async u => {
	const r = await fetch(u, { credentials: 'same-origin' });
	return { status: r.status, body: await r.text() };
}, path);

const b = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
try {
	await p.goto(url + '#/live');
	await p.waitForSelector('#livebar:not([hidden]) #livepause', { timeout: 10000 });
	await check('a click on a live bubble opens the packet: fields and hex dump', async () => {
		await request('/one');
		await p.waitForSelector('#chat .bubble .flag[data-flag=SYN]', { timeout: 3000 });
		await p.click('#chat .bubble:has(.flag[data-flag=SYN])');
		await p.waitForSelector('#packet:not([hidden]) [data-field]', { timeout: 3000 });
		const head = await p.textContent('#packet h2');
		assert(/^Frame \d+$/.test(head), 'the heading is ' + head);
		const fields = await p.$$eval('#packet [data-field]', e => e.map(x => x.dataset.field));
		assert(fields.some(f => /port/i.test(f)), 'no port field: ' + fields.slice(0, 12).join(', '));
		const frame = Number(head.split(' ')[1]);
		const r = await api(p, '/api/live/packet?frame=' + frame);
		const o = JSON.parse(r.body);
		assert(r.status === 200 && o.frame === frame && /^[0-9a-f]+$/.test(o.bytes_hex) && o.caplen * 2 === o.bytes_hex.length,
			'api: ' + r.status + ' ' + r.body.slice(0, 200));
	});
	await check('the right pane has the live connection\'s diagnosis, kept fresh', async () => {
		await p.waitForFunction(() => /Diagnosis/.test(document.getElementById('side').textContent) &&
			document.querySelector('#side .livediag'), null, { timeout: 5000 });
		// the connection closes (the server's answer and FINs): the diagnosis says how
		await p.waitForFunction(() => /How it ended/.test(document.getElementById('side').textContent), null, { timeout: 6000 });
		const t = await p.textContent('#side');
		assert(/Handshake/.test(t), 'no handshake in ' + t.slice(0, 300));
	});
	await check('bad and unknown requests: 400 and 404 in words', async () => {
		const want = [['/api/live/packet?frame=abc', 400], ['/api/live/packet?frame=0', 400],
			['/api/live/packet?frame=4000000', 404], ['/api/live/diag?conn=tcp:99999', 404],
			['/api/live/diag?conn=xyz', 400], ['/api/live/diag?conn=tcp:1x', 400]];
		for (const [u, s] of want) {
			const r = await api(p, u);
			assert(r.status === s && /chattcp: /.test(r.body), u + ': ' + r.status + ' ' + r.body.slice(0, 120));
		}
	});
	await check('the packet ring is bounded: past ' + WEB_LIVE_FRAMES + ' packets the oldest is let go', async () => {
		const first = await api(p, '/api/live/packet?frame=1');
		assert(first.status === 200, 'frame 1 before: ' + first.status);
		// about 10 packets a request
		for (let i = 0; i < 60; i++) await Promise.all(Array.from({ length: 10 }, (_, k) => request('/one?' + i + '.' + k)));
		let st = null;
		for (let i = 0; i < 50; i++) {
			st = JSON.parse((await api(p, '/api/live/status')).body);
			if (st.packets > WEB_LIVE_FRAMES + 200) break;
			await p.waitForTimeout(100);
		}
		assert(st.packets > WEB_LIVE_FRAMES + 200, 'only ' + st.packets + ' packets captured');
		const gone = await api(p, '/api/live/packet?frame=1');
		assert(gone.status === 404 && /no longer kept/.test(gone.body), 'frame 1 after: ' + gone.status + ' ' + gone.body);
		const last = await api(p, '/api/live/packet?frame=' + (st.packets - 5));
		assert(last.status === 200, 'a recent frame: ' + last.status + ' ' + last.body.slice(0, 100));
		console.log('# ' + st.packets + ' packets: frame 1 let go, frame ' + (st.packets - 5) + ' kept');
	});
	await check('after stop the diagnosis is still there', async () => {
		await p.click('#livestop');
		await p.waitForFunction(() => /^stopped/.test(document.getElementById('livestatus').textContent), null, { timeout: 5000 });
		const r = await api(p, '/api/live/diag?conn=tcp:0');
		assert(r.status === 200 && /"diagnosis"|"end"/.test(r.body), 'diag after stop: ' + r.status + ' ' + r.body.slice(0, 200));
	});
} finally {
	await b.close();
}
