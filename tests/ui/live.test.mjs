// live.test.mjs URL PORT: the live view of `chattcp ui -i lo -f 'tcp port PORT'` (run by
// tests/suite/ui-live, which starts the server and a small HTTP server on PORT) in
// headless chromium: connections and bubbles appear as requests are made, pause holds
// them back and resume draws them, stop and start restart the capture, and the events
// stream needs the token. Prints "ok NAME" / "FAIL NAME: why" lines.
import { chromium } from 'playwright-core';
import http from 'node:http';

const [url, port] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const base = new URL(url);

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }

// One GET to the HTTP server the capture watches (a new connection each time).
function request(path) {
	return new Promise((resolve, reject) => {
		const rq = http.get({ host: '127.0.0.1', port: Number(port), path, agent: false }, r => {
			r.resume();
			r.on('end', resolve);
		});
		rq.on('error', reject);
	});
}

function raw(path, headers = {}) {
	return new Promise((resolve, reject) => {
		const rq = http.request({ host: base.hostname, port: base.port, path, headers: { Host: base.host, ...headers } }, r => {
			let body = '';
			r.on('data', d => { body += d; if (body.length > 4096) r.destroy(); });
			r.on('end', () => resolve({ status: r.statusCode, body }));
			r.on('close', () => resolve({ status: r.statusCode, body }));
		});
		rq.on('error', reject);
		rq.end();
	});
}

const bubbles = p => p.$$eval('#chat .bubble', e => e.length);
const rows = p => p.$$eval('#connspace .connrow', e => e.length);

const b = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
try {
	await check('live view opens on #/live with start, stop and pause', async () => {
		await p.goto(url + '#/live');
		await p.waitForSelector('#livebar:not([hidden]) #livepause', { timeout: 10000 });
		assert(/#\/live/.test(p.url()), 'the address is ' + p.url());
		assert(await p.isDisabled('#livestart'), 'Start is enabled while capturing');
	});
	await check('a connection and its bubbles appear as the request is made', async () => {
		const t0 = Date.now();
		await request('/one');
		await p.waitForSelector('#chat .bubble .flag[data-flag=SYN]', { timeout: 3000 });
		const took = Date.now() - t0;
		await p.waitForFunction(() => [...document.querySelectorAll('#chat .app .summary')].some(e => /GET \/one/.test(e.textContent)), null, { timeout: 3000 });
		assert(await rows(p) >= 1, 'no connection row');
		assert(took < 2000, 'the SYN took ' + took + ' ms to show');
		console.log('# first bubble ' + took + ' ms after the request');
	});
	await check('pause holds new packets back, resume draws them', async () => {
		await p.click('#livepause');
		const before = await rows(p);
		await request('/two');
		await p.waitForFunction(() => /paused \([1-9]\d* waiting\)/.test(document.getElementById('livestatus').textContent), null, { timeout: 3000 });
		assert(await rows(p) === before, 'a row was added while paused');
		await p.click('#livepause');
		await p.waitForFunction(n => document.querySelectorAll('#connspace .connrow').length > n, before, { timeout: 3000 });
	});
	await check('stop ends the capture, start begins a new one', async () => {
		await p.click('#livestop');
		await p.waitForFunction(() => /^stopped/.test(document.getElementById('livestatus').textContent), null, { timeout: 5000 });
		const n = await bubbles(p);
		await request('/three');
		await p.waitForTimeout(1500);
		assert(await bubbles(p) === n, 'bubbles were added after stop');
		await p.click('#livestart');
		await p.waitForFunction(() => /^capturing/.test(document.getElementById('livestatus').textContent), null, { timeout: 5000 });
		await request('/four');
		await p.waitForFunction(() => [...document.querySelectorAll('#chat .app .summary')].some(e => /GET \/four/.test(e.textContent)), null, { timeout: 5000 });
	});
	await check('the events stream needs the token', async () => {
		const r = await raw('/api/live/events');
		assert(r.status === 403, 'without the token: ' + r.status);
		const s = await raw('/api/live/start');
		assert(s.status === 403, 'start without the token: ' + s.status);
	});
} finally {
	await b.close();
}
