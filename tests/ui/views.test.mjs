// views.test.mjs URL XSS_PCAP OUT_DIR: the browser test of the stream window (web/js/stream.js,
// src/web/api_stream.c), run by tests/suite/ui-views, which starts the server with
// case:image-download, case:loss-fast-retransmit and the XSS capture. Checks the window
// and its routes against `chattcp stream` (--json, --raw-out), that the capture's bytes
// stay text, and writes screenshots stream-* (light and dark) to OUT_DIR.
// Prints "ok NAME" / "FAIL NAME: why" lines like every test group.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const [url, xssPcap, outDir] = process.argv.slice(2);
const CHATTCP = process.env.CHATTCP || 'build/chattcp';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }
function eq(a, b, what) { assert(JSON.stringify(a) === JSON.stringify(b), what + ': got ' + JSON.stringify(a).slice(0, 200) + ', want ' + JSON.stringify(b).slice(0, 200)); }
const sha = b => createHash('sha256').update(b).digest('hex');
const cliBytes = (...args) => execFileSync(CHATTCP, args, { maxBuffer: 1 << 28 });
const cliJson = (...args) => cliBytes(...args).toString().split('\n').filter(l => l).map(l => JSON.parse(l));

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
const page = await ctx.newPage();
const errors = [];
page.on('pageerror', e => errors.push('pageerror: ' + e.message));
page.on('response', r => { if (r.status() >= 400) errors.push(r.status() + ' ' + r.url()); });
page.on('console', m => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
page.on('dialog', d => { errors.push('dialog: ' + d.message()); d.dismiss(); });
page.setDefaultTimeout(15000);
await page.goto(url);
await page.waitForFunction(() => document.body.dataset.ready === '1');

const hashOf = (name, conn) => '#/cap/' + encodeURIComponent(name) + '/' + conn + '/stream';
const caps = await page.evaluate(async () => (await (await fetch('/api/captures')).text()).split('\n').filter(l => l).map(l => JSON.parse(l)));
const capOf = name => caps.find(c => c.name === name).cap;
// in the page, so the cookie goes with it: the answer as bytes (hex) and its headers
async function fetchIn(path) {
	return page.evaluate(async p => {
		const r = await fetch(p);
		const b = new Uint8Array(await r.arrayBuffer());
		return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
			hex: Array.from(b, x => x.toString(16).padStart(2, '0')).join('') };
	}, path);
}
async function streamShown(hash) {
	await page.evaluate(h => { if (location.hash !== h) { document.getElementById('stream').dataset.loaded = ''; location.hash = h; } }, hash);
	await page.waitForFunction(() => document.getElementById('stream').dataset.loaded === 'true' && !document.getElementById('stream').hidden);
}
async function setSel(i, value) {
	await page.evaluate(([i, v]) => { document.getElementById('stream').dataset.loaded = ''; const s = document.querySelectorAll('.streambar select')[i]; s.value = v; s.dispatchEvent(new Event('change')); }, [i, value]);
	await page.waitForFunction(() => document.getElementById('stream').dataset.loaded === 'true');
}
const shots = [];
async function shot(name) {
	await page.waitForTimeout(150);
	await page.screenshot({ path: outDir + '/' + name + '.png' });
	shots.push(name);
}

// --- the statistics view ---
const statsOf = spec => cliJson('stats', spec, '--json')[0];
async function statsShown(name) {
	await page.evaluate(h => { location.hash = h; }, '#/cap/' + encodeURIComponent(name) + '/stats');
	await page.waitForFunction(() => !document.getElementById('statsview').hidden && document.querySelector('#statsview h2'));
}
const IMG = 'case:image-download';
await check('stream: the text view holds the bytes of stream --raw-out, each side coloured', async () => {
	await streamShown(hashOf(IMG, 'tcp:0'));
	assert(await page.$eval('#chat', e => e.hidden), 'the chat is still shown');
	const runs = await page.$$eval('.streamrun', els => els.map(e => ({ dir: e.dataset.dir, cls: e.className, offset: Number(e.dataset.offset), length: Number(e.dataset.length) })));
	assert(runs.length >= 2, 'runs: ' + runs.length);
	for (const r of runs) assert(r.cls.includes(r.dir === 'c2s' ? 'client' : 'server'), 'colour of ' + JSON.stringify(r));
	const total = d => runs.filter(r => r.dir === d).reduce((n, r) => n + r.length, 0);
	eq(total('c2s'), cliBytes('stream', IMG, '-c', '0', '--raw-out', '-', '--side', 'client').length, 'client bytes shown');
	eq(total('s2c'), cliBytes('stream', IMG, '-c', '0', '--raw-out', '-', '--side', 'server').length, 'server bytes shown');
	const first = await page.$eval('.streamrun[data-dir="c2s"]', e => e.textContent);
	assert(first.startsWith('GET /served.png HTTP/1.1\\r\\n'), 'client text: ' + first.slice(0, 60));
	await shot('stream-text-light');
});
await check('stream: a long piece is folded, "show all" draws all of it', async () => {
	const before = await page.$eval('.streamrun[data-dir="s2c"]', e => e.textContent.length);
	await page.click('.streambody button.unfold');
	const after = await page.$eval('.streamrun[data-dir="s2c"]', e => e.textContent.length);
	assert(after > before && after >= 33746, 'text ' + before + ' -> ' + after);
});
await check('stream: the bytes route equals stream --raw-out, both sides in order', async () => {
	const cap = capOf(IMG);
	const r = await page.evaluate(async cap => (await (await fetch('/api/stream?cap=' + cap + '&conn=tcp:0&bytes=1')).text()), cap);
	const lines = r.split('\n').filter(l => l).map(l => JSON.parse(l));
	const all = Buffer.concat(lines.filter(l => l.hex).map(l => Buffer.from(l.hex, 'hex')));
	eq(sha(all), sha(cliBytes('stream', IMG, '-c', '0', '--raw-out', '-')), 'sha256 of both sides');
});
await check('stream: the direction filter shows one side only', async () => {
	await setSel(1, 'server');
	const dirs = await page.$$eval('.streamrun', els => [...new Set(els.map(e => e.dataset.dir))]);
	eq(dirs, ['s2c'], 'server only');
	await setSel(1, 'client');
	eq(await page.$$eval('.streamrun', els => [...new Set(els.map(e => e.dataset.dir))]), ['c2s'], 'client only');
	await setSel(1, 'both');
});
await check('stream: the hex view is a dump of the same bytes', async () => {
	await setSel(0, 'hex');
	const t = await page.$eval('.streamrun[data-dir="c2s"]', e => e.textContent);
	assert(t.startsWith('00000000  47 45 54 20 2f 73 65 72  76 65 64 2e 70 6e 67 20  GET /served.png '), 'hex: ' + t.slice(0, 80));
	await shot('stream-hex-light');
});
await check('stream: decoded messages are the summaries of stream --json', async () => {
	await setSel(0, 'messages');
	const shown = await page.$$eval('.streammsg .summary', els => els.map(e => e.textContent));
	eq(shown, cliJson('stream', IMG, '-c', '0', '--json').map(m => m.summary), 'summaries');
	const api = await page.evaluate(async cap => (await (await fetch('/api/stream?cap=' + cap + '&conn=tcp:0')).text()), capOf(IMG));
	eq(api, cliBytes('stream', IMG, '-c', '0', '--json').toString(), '/api/stream equals stream --json');
	await shot('stream-messages-light');
	await setSel(0, 'text');
});
for (const side of ['client', 'server', 'both']) {
	await check('stream: download of ' + side + ' bytes equals stream --raw-out --side ' + side + ' (sha256)', async () => {
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`.streambar a.download[data-side="${side}"]`)]);
		const path = await dl.path();
		const got = (await import('node:fs')).readFileSync(path);
		eq(sha(got), sha(cliBytes('stream', IMG, '-c', '0', '--raw-out', '-', '--side', side)), 'sha256');
		eq(dl.suggestedFilename(), 'tcp0-' + side + '.bin', 'file name');
		const r = await fetchIn('/api/stream/raw?cap=' + capOf(IMG) + '&conn=tcp:0&side=' + side);
		eq(r.type, 'application/octet-stream', 'type');
		assert(/^attachment; filename="tcp0-/.test(r.disposition), 'disposition ' + r.disposition);
	});
}
await check('stream: a bad side= or connection is refused with a reason', async () => {
	eq((await fetchIn('/api/stream/raw?cap=' + capOf(IMG) + '&conn=tcp:0&side=../x')).status, 400, 'side');
	eq((await fetchIn('/api/stream?cap=' + capOf(IMG) + '&conn=tcp:99')).status, 404, 'conn');
	eq((await fetchIn('/api/stream?cap=' + capOf(IMG) + '&conn=tcp:0&n=0')).status, 400, 'n=0');
	errors.length = 0; // the refusals above are wanted
});
await check('stream: a long stream is paged (n=1: one line a page, X-Chattcp-Next)', async () => {
	const cap = capOf('case:loss-fast-retransmit');
	const h = await page.evaluate(async cap => {
		const r = await fetch('/api/stream?cap=' + cap + '&conn=tcp:0&bytes=1&n=1');
		return { next: r.headers.get('x-chattcp-next'), total: r.headers.get('x-chattcp-total'), lines: (await r.text()).split('\n').filter(l => l).length };
	}, cap);
	eq(h.lines, 1, 'lines in the page');
	assert(Number(h.total) > 1 && h.next === '1', 'headers ' + JSON.stringify(h));
	const raw = cliBytes('stream', 'case:loss-fast-retransmit', '-c', '0', '--raw-out', '-');
	assert(raw.length > 65536, 'the case is longer than a piece: ' + raw.length);
	await streamShown(hashOf('case:loss-fast-retransmit', 'tcp:0'));
	// the window asks page after page as the reader wants more
	const lines = await page.evaluate(async cap => (await (await fetch('/api/stream?cap=' + cap + '&conn=tcp:0&bytes=1')).text()).split('\n').filter(l => l).length, cap);
	for (let i = 0; i < 100 && await page.$('.streamfoot button.more'); i++) {
		await page.evaluate(() => { document.getElementById('stream').dataset.loaded = ''; });
		await page.click('.streamfoot button.more');
		await page.waitForFunction(() => document.getElementById('stream').dataset.loaded !== '');
	}
	eq(await page.$$eval('.streamrun', els => els.length), lines, 'pieces shown');
	const shown = await page.$$eval('.streamrun', els => els.reduce((n, e) => n + Number(e.dataset.length), 0));
	eq(shown, raw.length, 'bytes shown after every page');
});
await check('stream: a hostile capture shows as text and runs nothing', async () => {
	for (const conn of ['tcp:0', 'tcp:1']) {
		for (const mode of ['text', 'messages']) {
			await streamShown(hashOf(xssPcap, conn));
			await setSel(0, mode);
			assert(await page.$$eval('#stream script, #stream img, #stream iframe, #stream [onerror], #stream [onload]', e => e.length) === 0, 'markup became elements in ' + conn + ' ' + mode);
		}
	}
	const t = await page.$eval('#stream .streambody', e => e.textContent);
	assert(t.includes('<') , 'the markup is not shown as text: ' + t.slice(0, 100));
	assert(await page.evaluate(() => window.__xss === undefined), 'script ran: ' + await page.evaluate(() => window.__xss));
	await setSel(0, 'text');
});
await check('stream: back to the chat', async () => {
	await page.click('.streambar button');
	await page.waitForFunction(() => !document.getElementById('chat').hidden && document.getElementById('stream').hidden && document.querySelectorAll('#chat .bubble').length > 0);
	assert(!/\/stream$/.test(await page.evaluate(() => location.hash)), 'hash still /stream');
	await page.click('#streamlink');
	await page.waitForFunction(() => /\/stream$/.test(location.hash) && !document.getElementById('stream').hidden);
});
await check('stats: the donut\'s segments are the troubles of stats --json', async () => {
	const LOSS = 'case:loss-fast-retransmit';
	await statsShown(LOSS);
	const st = statsOf(LOSS);
	const segs = await page.$$eval('#statsview svg.donut .seg', els => Object.fromEntries(els.map(e => [e.dataset.key, Number(e.dataset.value)])));
	const want = Object.fromEntries(['handshake_incomplete', 'close_incomplete', 'with_retransmissions', 'with_rst'].filter(k => st[k]).map(k => [k, st[k]]));
	eq(segs, want, 'segments');
	assert(Object.keys(want).length > 0, 'the case has a trouble');
	const bars = await page.$$eval('#statsview svg.labels .bar', els => Object.fromEntries(els.map(e => [e.dataset.key, Number(e.dataset.value)])));
	const sorted = o => Object.fromEntries(Object.entries(o).sort());
	eq(sorted(bars), sorted(Object.fromEntries(Object.entries(st.analysis).filter(([, v]) => v))), 'label bars');
	const talk = await page.$$eval('#statsview svg.talkers .bar', els => els.map(e => [e.dataset.key, Number(e.dataset.value)]));
	eq(talk, st.top_by_bytes.map(t => [t.proto + ':' + t.conn, t.bytes]), 'top talkers');
	assert(await page.$eval('#chat', e => e.hidden), 'the chat is still shown');
	await shot('stats-light');
});
await check('stats: a capture with no trouble says so; the hostile capture makes no markup', async () => {
	await statsShown(IMG);
	const st = statsOf(IMG);
	const troubled = ['handshake_incomplete', 'close_incomplete', 'with_retransmissions', 'with_rst'].some(k => st[k]);
	eq(await page.$$eval('#statsview svg.donut .seg', e => e.length) > 0, troubled, 'donut drawn');
	await statsShown(xssPcap);
	assert(await page.$$eval('#statsview script, #statsview img, #statsview iframe, #statsview foreignObject', e => e.length) === 0, 'markup in the stats');
	assert(await page.evaluate(() => window.__xss === undefined), 'script ran');
});
await check('stats: a talker link opens its chat', async () => {
	await statsShown('case:loss-fast-retransmit');
	await page.click('#statsview .talklinks a');
	await page.waitForFunction(() => document.getElementById('statsview').hidden && !document.getElementById('chat').hidden && document.querySelectorAll('#chat .bubble').length > 0);
});

// --- the printable report ---
await check('report: summary, pictures and the troubled connections in words, print CSS', async () => {
	const LOSS = 'case:loss-fast-retransmit';
	await page.evaluate(h => { location.hash = h; }, '#/cap/' + encodeURIComponent(LOSS) + '/report');
	await page.waitForFunction(() => document.getElementById('report').dataset.done === '1' && !document.getElementById('report').hidden);
	assert(await page.$eval('#panes', e => getComputedStyle(e).display === 'none'), 'the panes are still shown');
	const segs = await page.$$eval('#report svg.donut .seg', els => els.map(e => Number(e.dataset.value)));
	eq(segs, [statsOf(LOSS).with_retransmissions], 'donut in the report');
	const diag = cliJson('diag', LOSS, '-c', '0', '--json')[0];
	const shown = await page.$$eval('#report .reportconn[data-conn="tcp:0"] ul.diag li', els => els.map(e => e.textContent));
	eq(shown, diag.diagnosis.map(x => x.text), 'diagnosis of tcp:0 as diag --json');
	await page.emulateMedia({ media: 'print' });
	assert(await page.$eval('#top', e => getComputedStyle(e).display === 'none'), 'the top bar prints');
	assert(await page.$eval('#report', e => getComputedStyle(e).display !== 'none'), 'the report does not print');
	await page.pdf({ path: outDir + '/report.pdf' }).catch(() => {}); // headless only; not a check
	await page.emulateMedia({ media: 'screen' });
	await shot('report-light');
	await page.evaluate(h => { location.hash = h; }, '#/cap/' + encodeURIComponent(LOSS) + '/tcp:0');
	await page.waitForFunction(() => document.getElementById('report').hidden && !document.getElementById('chat').hidden);
});

await check('stream: screenshots light and dark', async () => {
	await streamShown(hashOf(IMG, 'tcp:0'));
	await page.click('#theme');
	await streamShown(hashOf(IMG, 'tcp:0'));
	await shot('stream-text-dark');
	await setSel(0, 'hex');
	await shot('stream-hex-dark');
	await setSel(0, 'messages');
	await shot('stream-messages-dark');
	await statsShown('case:loss-fast-retransmit');
	await shot('stats-dark');
	await page.evaluate(h => { location.hash = h; }, '#/cap/' + encodeURIComponent('case:loss-fast-retransmit') + '/report');
	await page.waitForFunction(() => document.getElementById('report').dataset.done === '1' && !document.getElementById('report').hidden);
	await shot('report-dark');
	await page.click('#theme');
	for (const v of ['stream-text', 'stream-hex', 'stream-messages', 'stats', 'report']) for (const t of ['light', 'dark']) assert(shots.includes(v + '-' + t), 'missing ' + v + '-' + t);
});
await check('stream: no page error and no CSP violation', async () => {
	assert(!errors.length, errors.join(' | '));
});
await browser.close();
