// ui.test.mjs URL XSS_PCAP OUT_DIR: the browser test of `chattcp ui` (run by tests/suite/ui,
// which starts the server). Drives Debian's chromium with playwright-core; checks the
// window against the command line's --json (the same renderers), the XSS capture, and
// the server's refusals; writes screenshots of every view, light and dark, to OUT_DIR.
// Prints "ok NAME" / "FAIL NAME: why" lines like every test group.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import http from 'node:http';

const [url, xssPcap, outDir] = process.argv.slice(2);
const CHATTCP = process.env.CHATTCP || 'build/chattcp';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const base = new URL(url);
const token = base.searchParams.get('token');
const origin = base.origin;

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }
function eq(a, b, what) { assert(JSON.stringify(a) === JSON.stringify(b), what + ': got ' + JSON.stringify(a).slice(0, 200) + ', want ' + JSON.stringify(b).slice(0, 200)); }

function cli(...args) {
	return execFileSync(CHATTCP, args, { maxBuffer: 1 << 28 }).toString().split('\n').filter(l => l).map(l => JSON.parse(l));
}
const chatJson = (spec, conn) => cli('chat', '--json', '--commentary', '-c', conn, spec).filter(o => o.frame !== undefined);

// A request with headers of our choosing (a browser would not let a page forge Host).
function raw(path, headers = {}, method = 'GET') {
	return new Promise((resolve, reject) => {
		const rq = http.request({ host: base.hostname, port: base.port, path, method, headers: { Host: base.host, ...headers } }, r => {
			let body = '';
			r.on('data', d => { body += d; });
			r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body }));
		});
		rq.on('error', reject);
		rq.end();
	});
}

// --- the server's refusals (docs/security.md "The web UI") ---
await check('no token: the page is refused', async () => {
	const r = await raw('/');
	assert(r.status === 401 || r.status === 403, 'status ' + r.status);
});
await check('no token: the API is refused', async () => {
	const r = await raw('/api/captures');
	assert(r.status === 401 || r.status === 403, 'status ' + r.status);
	assert(!r.body.includes('"cap"'), 'answered with captures');
});
await check('a wrong token of the right length is refused', async () => {
	const wrong = token.replace(/./, c => (c === '0' ? '1' : '0'));
	const r = await raw('/api/captures?token=' + wrong);
	assert(r.status === 401 || r.status === 403, 'status ' + r.status);
});
await check('the token is traded for an HttpOnly SameSite=Strict cookie', async () => {
	const r = await raw('/?token=' + token);
	assert(r.status === 303, 'status ' + r.status);
	const c = String(r.headers['set-cookie']);
	assert(/HttpOnly/.test(c) && /SameSite=Strict/.test(c) && c.includes(token), 'cookie ' + c);
});
await check('a foreign Origin is refused', async () => {
	const r = await raw('/api/captures?token=' + token, { Origin: 'http://evil.example' });
	assert(r.status === 403, 'status ' + r.status);
	const same = await raw('/api/captures?token=' + token, { Origin: origin });
	assert(same.status === 200, 'own origin: status ' + same.status);
});
await check('a foreign Host is refused (DNS rebinding)', async () => {
	const r = await raw('/api/captures?token=' + token, { Host: 'evil.example:' + base.port });
	assert(r.status === 403, 'status ' + r.status);
	const lh = await raw('/api/captures?token=' + token, { Host: 'localhost:' + base.port });
	assert(lh.status === 200, 'localhost: status ' + lh.status);
});
await check('CSP without inline script, nosniff, no framing', async () => {
	const r = await raw('/index.html?token=' + token);
	const csp = String(r.headers['content-security-policy']);
	assert(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp) && /object-src 'none'/.test(csp), csp);
	assert(r.headers['x-content-type-options'] === 'nosniff', 'nosniff');
	assert(!/<script>|<script [^>]*>[^<]/.test(r.body), 'inline script in index.html');
});
await check('an upload past the cap is refused before it is read', async () => {
	const r = await raw('/api/upload?name=big&token=' + token, { 'Content-Length': String(300 << 20), Origin: origin }, 'POST');
	assert(r.status === 413, 'status ' + r.status);
});

await check('hostile API requests get a clear error, and the server goes on', async () => {
	const t = '&token=' + token;
	for (const [path, want, method] of [
		['/api/conns?cap=-1' + t, 404], ['/api/conns?cap=99999999999999999999' + t, 404], ['/api/chat?cap=0&conn=abc' + t, 404],
		['/api/chat?cap=0&conn=tcp:4294967296' + t, 404], ['/api/chat?cap=0&conn=0&from=-5' + t, 400],
		['/api/packet?cap=0&conn=0&frame=0' + t, 404], ['/api/packet?cap=0&conn=0' + t, 404], ['/api/where?cap=0&frame=x' + t, 404],
		['/api/lesson?name=../../etc/passwd' + t, 404], ['/api/nope?' + t, 404], ['/api/captures?' + t, 405, 'DELETE'],
		['/api/open?path=../../../etc/passwd' + t, 400, 'POST'], ['/api/open?spec=/etc/passwd' + t, 400, 'POST'],
		['/api/upload?name=empty' + t, 400, 'POST'], ['/../../etc/passwd?' + t, 404], ['/' + 'a'.repeat(8000) + '?' + t, 404]]) {
		const r = await raw(path, {}, method || 'GET');
		assert(r.status === want, (method || 'GET') + ' ' + path.slice(0, 60) + ': ' + r.status + ' ' + r.body.slice(0, 100));
	}
	const r = await raw('/api/captures?' + t);
	assert(r.status === 200 && r.body.includes('case:handshake'), 'server gone: ' + r.status);
});

// --- the window ---
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
const page = await ctx.newPage();
const errors = [];
page.on('pageerror', e => errors.push('pageerror: ' + e.message));
page.on('response', r => { if (r.status() >= 400) errors.push(r.status() + ' ' + r.url()); });
page.on('console', m => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
page.setDefaultTimeout(10000);

const hashOf = (name, conn, kind, frame) => '#/cap/' + encodeURIComponent(name) + (conn ? '/' + conn : '') + (frame ? '/' + kind + '/' + frame : '');
async function visit(hash) {
	await page.evaluate(h => { location.hash = h; }, hash);
}
async function chatLoaded(n) {
	await page.waitForFunction(n => document.querySelectorAll('#chat .bubble').length === n, n, { timeout: 15000 });
}
// The bubble of frame n is inside the chat's visible box (after the scroll settles).
async function inView(n) {
	await page.waitForTimeout(200);
	return page.$eval(`.bubble[data-frame="${n}"]`, b => {
		const r = b.getBoundingClientRect(), c = document.getElementById('chat').getBoundingClientRect();
		return r.top >= c.top - 1 && r.bottom <= c.bottom + 1;
	});
}
const shots = [];
async function shot(name) {
	await page.waitForTimeout(150);
	await page.screenshot({ path: outDir + '/' + name + '.png' });
	shots.push(name);
}

await check('the page loads with the token and no error', async () => {
	await page.goto(url);
	await page.waitForSelector('body[data-ready="1"]');
	assert(!page.url().includes('token='), 'the token stayed in the address: ' + page.url());
});

await check('cases view lists the library (as cases --json)', async () => {
	await visit('#/cases');
	await page.waitForSelector('.case');
	const want = cli('cases', '--json').map(c => c.title);
	eq(await page.$$eval('.case h3', e => e.map(x => x.textContent)), want, 'case titles');
	await shot('cases-light');
});

await check('cases view groups the cases by topic, numbered in the suggested order', async () => {
	const list = cli('cases', '--json');
	const topics = [...new Set(list.map(c => c.topic))];
	eq(await page.$$eval('h2.topic', e => e.map(x => x.textContent)), topics, 'topic headings');
	eq(await page.$$eval('.case .order', e => e.map(x => x.textContent)), list.map((c, i) => String(i + 1)), 'numbers');
});

const hs = chatJson('case:handshake', '0');
await check('open a case: bubbles, sides, states and notes as chat --json', async () => {
	await page.click('.case[data-case="handshake"]');
	await page.waitForFunction(() => /tcp:0/.test(location.hash));
	await chatLoaded(hs.length);
	const got = await page.$$eval('#chat .bubble', bs => bs.map(b => ({
		frame: Number(b.dataset.frame), side: b.classList.contains('server') ? 's2c' : 'c2s',
		state: (b.querySelector('.state') || {}).textContent, note: (b.querySelector('.note') || {}).textContent })));
	eq(got, hs.map(p => ({ frame: p.frame, side: p.dir, state: p.state, note: p.note })), 'bubbles');
});

await check('the lesson is shown and a "frame N" link highlights that bubble', async () => {
	await page.waitForSelector('#side a.framelink[data-frame="5"]');
	assert((await page.textContent('#side h3')).includes('handshake'), 'lesson title');
	await page.click('#side a.framelink[data-frame="5"]');
	await page.waitForFunction(() => /\/f\/5$/.test(location.hash));
	await page.waitForSelector('.bubble.current[data-frame="5"]');
	assert(await inView(5), 'bubble 5 not scrolled into view');
	await shot('chat-lesson-light');
});

await check('j/k move between bubbles and the address follows', async () => {
	await page.click('#chat', { position: { x: 5, y: 5 } });
	await page.keyboard.press('j');
	await page.waitForSelector('.bubble.current[data-frame="6"]');
	assert(/\/f\/6$/.test(await page.evaluate(() => location.hash)), 'hash');
	await page.keyboard.press('k');
	await page.keyboard.press('k');
	await page.waitForSelector('.bubble.current[data-frame="4"]');
});

await check('hovering a flag explains it', async () => {
	await page.hover('.bubble[data-frame="2"] .flag[data-flag="SYN"]');
	await page.waitForSelector('#tip:not([hidden])');
	const t = await page.textContent('#tip');
	assert(/synchroni[sz]e/i.test(t) && /second packet of the handshake/.test(t), 'tip: ' + t);
	await shot('flag-tip-light');
	await page.mouse.move(1, 790);
});

await check('commentary switch shows the commentary of chat --commentary, kept after reload', async () => {
	await page.check('input[data-setting="commentary"]');
	await page.waitForFunction(n => document.querySelectorAll('#chat .commentary').length === n, hs.filter(p => p.commentary).length);
	eq(await page.$$eval('#chat .commentary', e => e.map(x => x.textContent)), hs.filter(p => p.commentary).map(p => p.commentary), 'commentary');
	await page.reload();
	await page.waitForSelector('body[data-ready="1"]');
	assert(await page.isChecked('input[data-setting="commentary"]'), 'setting not kept');
	await chatLoaded(hs.length);
	await page.uncheck('input[data-setting="commentary"]');
});

await check('seq switch: relative and real values as chat --json', async () => {
	const seqs = () => page.$$eval('#chat .bubble .line .kv[data-k="seq"]', e => e.map(x => x.textContent.replace(/^seq /, '')));
	await page.selectOption('select[data-setting="seq"]', 'real');
	eq(await seqs(), hs.map(p => String(p.seq)), 'real seq');
	await page.selectOption('select[data-setting="seq"]', 'relative');
	eq(await seqs(), hs.map(p => String(p.rseq)), 'relative seq');
});

await check('the state switch hides and shows the TCP state', async () => {
	await page.uncheck('input[data-setting="state"]');
	eq(await page.$$eval('#chat .bubble .state', e => e.length), 0, 'states shown');
	await page.check('input[data-setting="state"]');
	eq(await page.$$eval('#chat .bubble .state', e => e.length), hs.length, 'states');
});

await check('a bubble opens the packet: RFC 9293 diagram values and field<->hex highlight', async () => {
	const p = hs[0];
	await page.click('.bubble[data-frame="1"] .info');
	await page.waitForSelector('#packet:not([hidden]) .tcpgrid');
	assert(/\/p\/1$/.test(await page.evaluate(() => location.hash)), 'hash');
	const val = n => page.textContent(`.tcpf[data-field="${n}"] .v`);
	eq(await val('Source Port'), String(p.sport), 'Source Port');
	eq(await val('Destination Port'), String(p.dport), 'Destination Port');
	eq(await val('Sequence Number'), String(p.seq), 'Sequence Number');
	eq(await val('Acknowledgment Number'), String(p.ack), 'Acknowledgment Number');
	eq(await val('Window'), String(p.win), 'Window');
	eq(await val('SYN'), '1', 'SYN bit');
	eq(await val('ACK'), '0', 'ACK bit');
	// The boxes sit where RFC 9293 draws them: the ports share the first row, halves.
	const box = n => page.$eval(`.tcpf[data-field="${n}"]`, e => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top), Math.round(r.width)]; });
	const [sl, st, sw] = await box('Source Port'), [dl, dt] = await box('Destination Port'), [ql, qt, qw] = await box('Sequence Number');
	assert(st === dt && dl > sl && ql === sl && qt > st && Math.abs(qw - 2 * sw) <= 3, 'layout ' + [sl, st, sw, dl, dt, ql, qt, qw]);
	// field -> bytes: the highlighted bytes hold the value.
	for (const [name, want] of [['Source Port', p.sport], ['Sequence Number', p.seq], ['Window', p.win]]) {
		await page.hover(`.tcpf[data-field="${name}"]`);
		const hex = (await page.$$eval('.hexdump .byte.hl', e => e.map(x => x.textContent))).join('');
		eq(parseInt(hex, 16), want, name + ' bytes ' + hex);
	}
	await shot('packet-light');
	// bytes -> field: the byte under the pointer lights its field.
	const off = Number(await page.getAttribute('.tcpf[data-field="Acknowledgment Number"]', 'data-off')) + 2;
	await page.hover(`.hexdump .byte[data-off="${off}"]`);
	assert(await page.$eval('.tcpf[data-field="Acknowledgment Number"]', e => e.classList.contains('hl')), 'ack box not lit from its byte');
	await page.keyboard.press('Escape');
	await page.waitForSelector('#packet', { state: 'hidden' });
});

const loss = chatJson('case:loss-fast-retransmit', '0');
await check('click a connection: a 232-packet chat, notes as chat --json', async () => {
	await visit('#/cap/' + encodeURIComponent('case:loss-fast-retransmit'));
	await page.waitForSelector('#connspace .connrow[data-conn="tcp:0"]');
	await page.click('#connspace .connrow[data-conn="tcp:0"]');
	await chatLoaded(loss.length);
	eq(await page.$$eval('#chat .bubble', bs => bs.map(b => (b.querySelector('.note') || {}).textContent || '')), loss.map(p => p.note || ''), 'notes');
	const labels = await page.$$eval('.bubble[data-frame="92"] .label', e => e.map(x => x.dataset.label));
	eq(labels, loss.find(p => p.frame === 92).analysis, 'labels of frame 92');
});

await check('diagnosis links its frames; ACK latency bars per direction', async () => {
	await page.click('#sidetabs [data-side="diag"]');
	await page.waitForSelector('#side li[data-rule="loss_fast_retransmit"] a.framelink');
	eq(await page.$$eval('#side .lat', e => e.map(x => x.dataset.dir)), ['c2s', 's2c'], 'latency rows');
	await page.click('#side li[data-rule="loss_fast_retransmit"] a.framelink');
	await page.waitForSelector('.bubble.current[data-frame="92"]');
	assert(await inView(92), 'bubble 92 not scrolled into view');
	for (const f of [230, 3, 150]) { // far jumps over bubbles never drawn yet
		await page.fill('#jump', String(f));
		await page.press('#jump', 'Enter');
		await page.waitForSelector(`.bubble.current[data-frame="${f}"]`);
		assert(await inView(f), 'jump to frame ' + f + ': not in view');
	}
	await page.click('#side li[data-rule="loss_fast_retransmit"] a.framelink');
	await page.waitForSelector('.bubble.current[data-frame="92"]');
	assert(await inView(92), 'bubble 92 not scrolled into view again');
	await shot('chat-diagnosis-light');
});

await check('hide retransmissions hides exactly the retransmitted packets', async () => {
	const want = loss.filter(p => p.analysis.some(a => /retransmission/.test(a))).length;
	assert(want > 0, 'case has no retransmission');
	await page.check('input[data-setting="hideRetrans"]');
	eq(await page.$$eval('#chat .bubble[hidden]', e => e.length), want, 'hidden bubbles');
	await page.uncheck('input[data-setting="hideRetrans"]');
});

const img = cli('http', '--json', 'case:image-download');
await check('HTTP exchanges with timing, decoded messages under their packet, payload fold', async () => {
	await visit('#/cap/' + encodeURIComponent('case:image-download') + '/tcp:0');
	await chatLoaded(chatJson('case:image-download', '0').length);
	await page.click('#sidetabs [data-side="http"]');
	await page.waitForSelector('#side .exch');
	eq(await page.$$eval('#side .exch .rq', e => e.map(x => x.firstChild.textContent)), img.map(x => x.request.summary), 'exchanges');
	eq(await page.textContent('.bubble[data-frame="50"] .app[data-kind="response"] .summary'), 'HTTP/1.1 200 OK', 'response under frame 50');
	// Frame 4 carries the 83-byte request: folded at 64 bytes, whole after "show all".
	await page.selectOption('select[data-setting="fold"]', '64');
	const shown = () => page.$eval('.bubble[data-frame="4"] pre.payload', e => e.textContent);
	assert((await shown()).startsWith('GET /served.png') && !(await shown()).includes('Accept'), 'fold 64: ' + (await shown()));
	await page.click('.bubble[data-frame="4"] button.more');
	assert((await shown()).includes('Accept: */*'), 'show all');
	await page.selectOption('select[data-setting="fold"]', '256');
	await page.fill('#jump', '50');
	await page.press('#jump', 'Enter');
	await page.waitForSelector('.bubble.current[data-frame="50"]');
	assert(await inView(50), 'jump to frame 50: not in view');
	await shot('chat-http-light');
});

await check('sort by a column and filter the list', async () => {
	await visit('#/cap/' + encodeURIComponent(xssPcap) + '/tcp:0');
	await page.waitForSelector('#connspace .connrow[data-conn="tcp:1"]');
	const order = () => page.$$eval('#connspace .connrow', e => e.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map(x => x.dataset.conn));
	eq(await order(), ['tcp:0', 'tcp:1'], 'by id');
	await page.click('#connhead [data-col="id"]');
	eq(await order(), ['tcp:1', 'tcp:0'], 'by id, descending');
	await page.click('#connhead [data-col="id"]');
	await page.fill('#filter', '7000');
	eq(await order(), ['tcp:1'], 'filtered');
	await page.fill('#filter', '');
});

await check('the XSS capture shows as text and runs nothing', async () => {
	await chatLoaded(chatJson(xssPcap, '0').length);
	await page.click('#sidetabs [data-side="http"]');
	await page.waitForSelector('#side .exch');
	const text = await page.textContent('#chat');
	assert(text.includes('<script>window.__xss=2</script>'), 'script tag not shown as text');
	assert(text.includes('<img src=x onerror="window.__xss=1">'), 'img tag not shown as text');
	assert((await page.textContent('#side')).includes('javascript:window.__xss=3'), 'javascript: URI not shown in HTTP pane');
	await shot('xss-light');
	await visit('#/cap/' + encodeURIComponent(xssPcap) + '/tcp:1/p/14');
	await page.waitForSelector('#packet:not([hidden]) .hexdump');
	await chatLoaded(chatJson(xssPcap, '1').length);
	assert((await page.textContent('#chat')).includes('<svg onload=window.__xss=9>'), 'svg tag not shown as text');
	const bad = await page.evaluate(() => ({
		xss: window.__xss,
		elems: document.querySelectorAll('body img, body svg, body iframe, body script, body object, body embed').length,
		links: [...document.querySelectorAll('a[href]')].filter(a => !a.getAttribute('href').startsWith('#')).length,
	}));
	eq(bad, { elems: 0, links: 0 }, 'markup from the capture');
	await page.keyboard.press('Escape');
});

await check('UDP tab: a DNS conversation (case tour, opened from its address)', async () => {
	const want = chatJson('case:tour', 'u0');
	await visit('#/cap/' + encodeURIComponent('case:tour'));
	await page.waitForSelector('#connspace .connrow[data-conn="tcp:0"]');
	await page.click('#tabs [data-proto="udp"]');
	await page.click('#connspace .connrow[data-conn="udp:0"]');
	await page.waitForFunction(() => /udp:0$/.test(location.hash));
	await chatLoaded(want.length);
	eq(await page.$$eval('#chat .bubble .note', e => e.map(x => x.textContent)), want.map(p => p.note), 'notes');
	eq(await page.$$eval('#chat .app[data-proto="dns"]', e => e.length), want.reduce((n, p) => n + p.app.length, 0), 'DNS messages');
	await page.click('.bubble[data-frame="1"] .info');
	await page.waitForSelector('#packet:not([hidden]) .hexdump');
	eq(await page.$$eval('.hexdump .byte', e => e.length), (await page.$$eval('#packet .meta', e => Number(e[0].textContent.split(' ')[0]))), 'bytes in the dump');
	await page.keyboard.press('Escape');
	await page.click('#tabs [data-proto="tcp"]');
});

await check('upload a capture from the page', async () => {
	const before = (await raw('/api/captures?token=' + token)).body.split('\n').filter(Boolean).length;
	await page.setInputFiles('#file', xssPcap);
	await page.waitForFunction(() => /upload%3Axss\.pcap/.test(location.hash), null, { timeout: 15000 });
	await chatLoaded(chatJson(xssPcap, '0').length);
	const after = (await raw('/api/captures?token=' + token)).body.split('\n').filter(Boolean).length;
	eq(after, before + 1, 'captures');
	assert((await page.textContent('#capsel')).includes('upload:xss.pcap'), 'not in the menu');
});

await check('a damaged upload opens with what could be read, and says so', async () => {
	const { readFileSync } = await import('node:fs');
	const whole = readFileSync(xssPcap);
	const cut = whole.subarray(0, whole.length - 30); // inside the last record
	await page.setInputFiles('#file', { name: 'cut.pcap', mimeType: 'application/octet-stream', buffer: cut });
	await page.waitForFunction(() => /upload%3Acut\.pcap/.test(location.hash), null, { timeout: 15000 });
	await chatLoaded(chatJson(xssPcap, '0').length);
	const st = await page.textContent('#status');
	assert(/damaged/.test(st) && /offset/.test(st), 'status: ' + st);
});

await check('no page error and no CSP violation', async () => {
	assert(!errors.length, errors.join(' | '));
});

// --- every view, dark (the light ones were taken on the way) ---
await check('screenshots of every view, light and dark', async () => {
	await page.click('#theme');
	assert(await page.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'theme switch');
	await visit('#/cases');
	await page.waitForSelector('.case');
	await shot('cases-dark');
	await visit(hashOf('case:handshake', 'tcp:0', 'f', 5));
	await chatLoaded(hs.length);
	await page.click('#sidetabs [data-side="lesson"]');
	await page.waitForSelector('#side a.framelink');
	await shot('chat-lesson-dark');
	await page.hover('.bubble[data-frame="2"] .flag[data-flag="SYN"]');
	await page.waitForSelector('#tip:not([hidden])');
	await shot('flag-tip-dark');
	await page.mouse.move(1, 790);
	await visit(hashOf('case:handshake', 'tcp:0', 'p', 1));
	await page.waitForSelector('#packet:not([hidden]) .tcpgrid');
	await page.hover('.tcpf[data-field="Sequence Number"]');
	await shot('packet-dark');
	await page.keyboard.press('Escape');
	await visit(hashOf('case:loss-fast-retransmit', 'tcp:0', 'f', 92));
	await chatLoaded(loss.length);
	await page.click('#sidetabs [data-side="diag"]');
	await page.waitForSelector('#side li[data-rule]');
	await shot('chat-diagnosis-dark');
	await visit(hashOf('case:image-download', 'tcp:0', 'f', 50));
	await page.waitForSelector('.bubble.current[data-frame="50"]');
	await page.click('#sidetabs [data-side="http"]');
	await page.waitForSelector('#side .exch');
	await shot('chat-http-dark');
	await visit(hashOf(xssPcap, 'tcp:0'));
	await page.waitForSelector('#side .exch');
	await shot('xss-dark');
	await page.click('#theme');
	const want = ['cases', 'chat-lesson', 'flag-tip', 'packet', 'chat-diagnosis', 'chat-http', 'xss'];
	for (const v of want) for (const t of ['light', 'dark']) assert(shots.includes(v + '-' + t), 'missing ' + v + '-' + t);
});

await browser.close();
