// files.test.mjs URL HOSTILE_PCAP OUT_DIR: the browser test of the Files view
// (web/js/files.js, src/web/api_files.c), run by tests/suite/ui-files, which starts the
// server with case:image-download, case:http-keepalive-close-pipelining,
// case:sse-gzip-stuck and the hostile capture (tests/ui/make-files-hostile.py). Checks the
// list, the downloads and the zip against `chattcp export` (its --json and the files it
// writes), the previews, that no object from the capture runs, and writes screenshots
// files-light/files-dark to OUT_DIR. Prints "ok NAME" / "FAIL NAME: why" lines.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, hostilePcap, outDir] = process.argv.slice(2);
const CHATTCP = process.env.CHATTCP || 'build/chattcp';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }
function eq(a, b, what) { assert(JSON.stringify(a) === JSON.stringify(b), what + ': got ' + String(JSON.stringify(a)).slice(0, 300) + ', want ' + String(JSON.stringify(b)).slice(0, 300)); }
const sha = b => createHash('sha256').update(b).digest('hex');

const scratch = mkdtempSync(join(tmpdir(), 'ui-files-test-'));
// What `chattcp export SPEC --files DIR --json` lists and writes: {list, bytes: name -> Buffer}.
const exports = {};
function exported(spec) {
	if (exports[spec]) return exports[spec];
	const dir = join(scratch, 'export' + Object.keys(exports).length);
	const out = execFileSync(CHATTCP, ['export', spec, '--files', dir, '--json']).toString();
	const list = out.split('\n').filter(l => l).map(l => JSON.parse(l));
	const bytes = {};
	for (const f of readdirSync(dir)) bytes[f] = readFileSync(join(dir, f));
	return (exports[spec] = { list, bytes });
}
// The entries of a zip file, by python3's zipfile: name -> sha256 of the bytes.
function zipEntries(path) {
	const py = 'import hashlib, json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n' +
		'print(json.dumps([[i.filename, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))';
	return JSON.parse(execFileSync('python3', ['-c', py, path]).toString());
}

// tests/run.sh sets LC_ALL=C, where chromium cannot put a non-ASCII name on disk (it saves
// résumé-αβγ.txt as "download"); a user's UTF-8 locale can.
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
const page = await ctx.newPage();
const errors = [];
const expected = []; // answers >= 400 this test asks for on purpose
page.on('pageerror', e => errors.push('pageerror: ' + e.message));
page.on('response', r => { if (r.status() >= 400 && !expected.some(p => r.url().includes(p))) errors.push(r.status() + ' ' + r.url()); });
page.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push('console: ' + m.text()); });
page.on('console', m => { if (m.type() !== 'error') errors.push('console ' + m.type() + ': ' + m.text()); }); // the capture's script would log
page.on('dialog', d => { errors.push('dialog: ' + d.message()); d.dismiss(); });
page.setDefaultTimeout(20000);
await page.goto(url);
await page.waitForFunction(() => document.body.dataset.ready === '1');

const caps = await page.evaluate(async () => (await (await fetch('/api/captures')).text()).split('\n').filter(l => l).map(l => JSON.parse(l)));
const HOSTILE = caps.find(c => c.name.endsWith('.pcap')).name;
const capOf = name => caps.find(c => c.name === name).cap;
const IMG = 'case:image-download', PIPE = 'case:http-keepalive-close-pipelining', SSE = 'case:sse-gzip-stuck';
// in the page, so the cookie goes with it
async function fetchIn(path) {
	return page.evaluate(async p => {
		const r = await fetch(p);
		const b = new Uint8Array(await r.arrayBuffer());
		return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
			nosniff: r.headers.get('x-content-type-options'), csp: r.headers.get('content-security-policy'),
			hex: Array.from(b, x => x.toString(16).padStart(2, '0')).join('') };
	}, path);
}
const apiList = async (path) => Buffer.from((await fetchIn(path)).hex, 'hex').toString().split('\n').filter(l => l).map(l => JSON.parse(l));
const filesHash = (name, conn) => '#/cap/' + encodeURIComponent(name) + (conn ? '/' + conn : '') + '/files';
async function filesShown(name, conn) {
	await page.evaluate(h => { if (location.hash !== h) { document.getElementById('filesview').dataset.loaded = ''; location.hash = h; } }, filesHash(name, conn));
	await page.waitForFunction(() => document.getElementById('filesview').dataset.loaded === '1' && !document.getElementById('filesview').hidden);
}
async function choose(name) {
	await page.evaluate(() => { const p = document.getElementById('filepreview'); if (p) p.dataset.loaded = ''; });
	await page.click('.filestable tbody tr:has(td.fname:text-is("' + name + '"))');
	await page.waitForFunction(() => document.getElementById('filepreview').dataset.loaded === '1');
}
const rows = () => page.$$eval('.filestable tbody tr', trs => trs.map(tr => ({
	id: Number(tr.dataset.id), name: tr.querySelector('td.fname').textContent, size: Number(tr.querySelector('td.num').title.split(' ')[0]) })));
const shots = [];
async function shot(name) {
	await page.waitForTimeout(150);
	await page.screenshot({ path: outDir + '/' + name + '.png' });
	shots.push(name);
}

await check('files: /api/files is export --json, object for object, with an id', async () => {
	for (const spec of [IMG, PIPE, SSE, HOSTILE]) {
		const api = await apiList('/api/files?cap=' + capOf(spec));
		eq(api.map(f => f.id), api.map((_, i) => i), spec + ': ids');
		eq(api.map(({ id, ...f }) => f), exported(spec).list, spec + ': /api/files against export --json');
	}
});
await check('files: conn= keeps one connection\'s files, under the whole export\'s names', async () => {
	const api = await apiList('/api/files?cap=' + capOf(PIPE) + '&conn=tcp:2');
	eq(api.map(f => f.name), exported(PIPE).list.filter(f => f.conn === 2).map(f => f.name), 'tcp:2');
	eq(api.map(f => f.name), ['a(2).txt', 'b(1).txt'], 'tcp:2 names');
	eq(await apiList('/api/files?cap=' + capOf(IMG) + '&conn=tcp:0'), await apiList('/api/files?cap=' + capOf(IMG)), 'the one connection of image-download');
});
await check('files: the view lists export\'s files (names, sizes), in capture order', async () => {
	for (const spec of [IMG, PIPE, HOSTILE]) {
		await filesShown(spec);
		assert(await page.$eval('#chat', e => e.hidden), 'the chat is still shown');
		eq(await rows(), exported(spec).list.map((f, i) => ({ id: i, name: f.name, size: f.size })), spec + ': rows');
	}
});
await check('files: a download is the file export writes (sha256), named as export names it', async () => {
	for (const [spec, name] of [[IMG, 'served.png'], [PIPE, 'a(2).txt'], [SSE, 'events'], [HOSTILE, 'evil.html'], [HOSTILE, '_._.._etc_passwd__b_'], [HOSTILE, 'résumé-αβγ.txt']]) {
		await filesShown(spec);
		const [dl] = await Promise.all([page.waitForEvent('download'),
			page.click('.filestable tbody tr:has(td.fname:text-is("' + name + '")) a.filedl')]);
		const path = join(scratch, 'dl-' + shots.length + '-' + name);
		await dl.saveAs(path);
		eq(sha(readFileSync(path)), sha(exported(spec).bytes[name]), spec + ' ' + name + ': sha256 against the exported file');
		eq(dl.suggestedFilename(), name, spec + ': the download\'s name');
	}
	eq(sha(exported(IMG).bytes['served.png']), 'c1ae8cd00eb485b698f2d2a1c362a4c2d6f16af63265d671ba9716963f658bd0', 'served.png is the PNG nginx served');
});
await check('files: a download is an attachment of type octet-stream, nosniff, with the CSP', async () => {
	const r = await fetchIn('/api/file?cap=' + capOf(HOSTILE) + '&id=0');
	eq(r.type, 'application/octet-stream', 'type of evil.html');
	assert(/^attachment; filename="evil\.html"; filename\*=UTF-8''evil\.html$/.test(r.disposition), 'disposition: ' + r.disposition);
	eq(r.nosniff, 'nosniff', 'X-Content-Type-Options');
	assert(/script-src 'self'/.test(r.csp || ''), 'CSP: ' + r.csp);
	eq(sha(Buffer.from(r.hex, 'hex')), exported(HOSTILE).list[0].sha256, 'bytes');
});
await check('files: the zip holds exactly export\'s files, byte for byte', async () => {
	for (const [spec, conn] of [[PIPE, null], [HOSTILE, null], [PIPE, 'tcp:2'], [IMG, null]]) {
		await filesShown(spec, conn);
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#fileszip')]);
		const path = join(scratch, 'zip-' + shots.length + '-' + capOf(spec) + (conn || '') + '.zip');
		await dl.saveAs(path);
		const want = exported(spec).list.filter(f => !conn || 'tcp:' + f.conn === conn).map(f => [f.name, sha(exported(spec).bytes[f.name])]);
		eq(zipEntries(path), want, spec + (conn ? ' ' + conn : '') + ': zip entries (name, sha256)');
		eq(dl.suggestedFilename(), conn ? conn.replace(':', '') + '-files.zip' : 'files.zip', 'zip name');
	}
	eq(Object.keys(exported(PIPE).bytes).sort(), ['a(1).txt', 'a(2).txt', 'a.txt', 'b(1).txt', 'b.txt'], 'export wrote the five files');
});
await check('files: an image previews (PNG, GIF), drawn from the image route', async () => {
	await filesShown(IMG);
	await choose('served.png');
	const w = await page.$eval('#filepreview img.fileimg', img => img.complete && img.naturalWidth);
	assert(w > 0, 'naturalWidth ' + w);
	const r = await fetchIn('/api/file?cap=' + capOf(IMG) + '&id=0&view=image');
	eq([r.status, r.type, r.disposition], [200, 'image/png', null], 'the image route');
	eq(sha(Buffer.from(r.hex, 'hex')), sha(exported(IMG).bytes['served.png']), 'image bytes');
	await filesShown(HOSTILE);
	await choose('dot.gif');
	eq(await page.$eval('#filepreview img.fileimg', img => [img.naturalWidth, img.naturalHeight]), [1, 1], 'the 1x1 GIF');
});
await check('files: text previews as text, other bytes as hex; the decoded body', async () => {
	await filesShown(SSE);
	assert((await page.$eval('.filestable td.ftype', e => e.textContent)).includes('gzip, decoded'), 'encoding column');
	await choose('events');
	const t = await page.$eval('#filepreview pre.filetext', e => e.textContent);
	eq(t, exported(SSE).bytes.events.toString(), 'the decoded event stream');
	await filesShown(HOSTILE);
	await choose('latin1.txt');
	eq(await page.$eval('#filepreview pre.filetext', e => [e.dataset.charset, e.textContent]), ['windows-1252', 'café crème, naïve\n'], 'Latin-1 text');
	await choose('cut.bin');
	const hx = await page.$eval('#filepreview pre.filehex', e => e.textContent);
	assert(hx.startsWith('00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  ................'), 'hex: ' + hx.slice(0, 80));
	assert((await page.$eval('.filestable tbody tr:has(td.fname:text-is("cut.bin"))', e => e.textContent)).includes('incomplete'), 'cut.bin incomplete');
});
await check('files: hostile HTML, SVG and markup claiming image/png show as text and run nothing', async () => {
	await filesShown(HOSTILE);
	for (const name of ['evil.html', 'pic.svg', 'fake.png', 'packed.html', 'evil(1).html']) {
		await choose(name);
		const t = await page.$eval('#filepreview pre.filetext', e => e.textContent);
		eq(t, exported(HOSTILE).bytes[name].toString(), name + ' as text');
		assert(t.includes('<script>'), name + ' holds the script as text');
		eq(await page.$$eval('#filepreview img, #filepreview svg, #filepreview iframe, #filepreview object, #filepreview embed, #filepreview script', e => e.length), 0, name + ': elements made');
	}
	expected.push('view=image');
	for (const name of ['fake.png', 'pic.svg', 'evil.html']) {
		const id = exported(HOSTILE).list.findIndex(f => f.name === name);
		const r = await fetchIn('/api/file?cap=' + capOf(HOSTILE) + '&id=' + id + '&view=image');
		eq([r.status, r.type], [415, 'application/json'], name + ' as an image');
	}
	eq(await page.evaluate(() => window.__xss), undefined, 'window.__xss');
	eq(await page.$$eval('iframe, object, embed, body svg:not(.donut)', e => e.length), 0, 'frames, objects, SVG in the page');
	eq(await page.$$eval('script', s => s.map(x => x.getAttribute('src'))), ['/js/app.js'], 'scripts in the page');
	await choose('evil.html');
	await page.$eval('.filestable', e => { e.scrollTop = 0; }); // the click scrolled the row under the sticky header
	await shot('files-light');
});
await check('files: a connection\'s files, its chat link and its frame link', async () => {
	await filesShown(PIPE, 'tcp:2');
	eq((await rows()).map(r => r.name), ['a(2).txt', 'b(1).txt'], 'rows of tcp:2');
	eq(await page.$eval('#filesconn', s => s.value), 'tcp:2', 'the connection menu');
	await page.click('.filestable tbody tr:has(td.fname:text-is("b(1).txt")) td.num a');
	await page.waitForFunction(() => /\/tcp:2\/f\/31$/.test(location.hash) && !document.getElementById('chat').hidden);
	await page.waitForFunction(() => { const b = document.querySelector('#chat [data-frame="31"]'); return b && b.getBoundingClientRect().height > 0; });
	await filesShown(PIPE);
	await page.click('.filestable tbody tr:has(td.fname:text-is("a(1).txt")) td:nth-child(5) a');
	await page.waitForFunction(() => /\/tcp:1$/.test(location.hash) && !document.getElementById('chat').hidden && document.getElementById('filesview').hidden);
	await page.click('#fileslink');
	await page.waitForFunction(() => /\/files$/.test(location.hash) && !document.getElementById('filesview').hidden);
});
await check('files: each column sorts, and again the other way', async () => {
	await filesShown(HOSTILE);
	const list = exported(HOSTILE).list;
	await page.click('.filestable th[data-col="size"]');
	eq((await rows()).map(r => r.size), list.map(f => f.size).sort((a, b) => a - b), 'size ascending');
	await page.click('.filestable th[data-col="size"]');
	eq((await rows()).map(r => r.size), list.map(f => f.size).sort((a, b) => b - a), 'size descending');
	await page.click('.filestable th[data-col="name"]');
	eq((await rows()).map(r => r.name), list.map(f => f.name).sort((a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : 1), 'name');
	await page.click('.filestable th[data-col="frame"]');
	eq((await rows()).map(r => r.id), list.map((_, i) => i), 'frame: capture order');
});
await check('files: j/k move the chosen file, and the address stays', async () => {
	await filesShown(HOSTILE);
	await choose('evil.html');
	const hash = await page.evaluate(() => location.hash);
	const chosen = () => page.$eval('.filestable tbody tr.chosen td.fname', e => e.textContent);
	const previewed = () => page.$eval('#filepreview .previewhead b', e => e.textContent);
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	await page.keyboard.press('j');
	await page.waitForFunction(() => document.getElementById('filepreview').dataset.loaded === '1');
	eq([await chosen(), await previewed()], ['pic.svg', 'pic.svg'], 'after j');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('k');
	await page.keyboard.press('k');
	await page.waitForFunction(() => document.querySelector('#filepreview .previewhead b').textContent === 'evil.html');
	eq(await chosen(), 'evil.html', 'after j, down, k, k');
	eq(await page.evaluate(() => location.hash), hash, 'the address');
});
await check('files: the frame column names the frames that carried the file', async () => {
	await filesShown(IMG);
	const f = exported(IMG).list[0];
	eq(await page.$eval('.filestable tbody tr td.num a', a => [a.textContent, a.getAttribute('href')]),
		[f.first_frame + '–' + f.frame, '#/cap/' + encodeURIComponent(IMG) + '/tcp:0/f/' + f.frame], 'served.png');
});
await check('files: bad requests get a clear 4xx', async () => {
	const cap = capOf(HOSTILE);
	expected.push('id=99', 'id=x', 'view=svg', 'cap=99', 'conn=tcp:77');
	for (const [path, status] of [['/api/file?cap=' + cap + '&id=99', 404], ['/api/file?cap=' + cap + '&id=x', 404],
		['/api/file?cap=' + cap + '&id=0&view=svg', 400], ['/api/files?cap=99', 404], ['/api/files.zip?cap=' + cap + '&conn=tcp:77', 404],
		['/api/file/preview?cap=' + cap + '&id=99', 404]]) {
		const r = await fetchIn(path);
		eq(r.status, status, path);
		assert(JSON.parse(Buffer.from(r.hex, 'hex').toString()).error, path + ': no error message');
	}
});
await check('files: screenshot dark', async () => {
	await page.click('#theme');
	await filesShown(IMG);
	await choose('served.png');
	await page.waitForFunction(() => { const i = document.querySelector('#filepreview img'); return i && i.complete; });
	await shot('files-dark');
	await page.click('#theme');
	for (const t of ['light', 'dark']) assert(shots.includes('files-' + t), 'missing files-' + t);
});
await check('files: no page error, failed request, dialog or console line from the capture', async () => {
	assert(!errors.length, errors.join(' | '));
});
await browser.close();
rmSync(scratch, { recursive: true, force: true });
