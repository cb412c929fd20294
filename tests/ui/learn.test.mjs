// learn.test.mjs URL OUT_DIR: the browser test of case stepping (web/js/learn.js,
// src/web/api_learn.c), display filters (web/js/search.js, src/web/api_filter.c) and the
// settings panel (web/js/settingspanel.js), run by tests/suite/ui-learn, which starts the
// server with case:handshake and case:loss-fast-retransmit. Checks the page against the
// command line (`chattcp learn`, `search -Y --json`, `extract -Y`), writes screenshots
// learn-*, search-*, settings-* (light and dark) to OUT_DIR.
// Prints "ok NAME" / "FAIL NAME: why" lines like every test group.
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const [url, outDir] = process.argv.slice(2);
const CHATTCP = process.env.CHATTCP || 'build/chattcp';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function ok(n) { console.log('ok ' + n); }
function fail(n, why) { console.log('FAIL ' + n + ': ' + String(why && why.message || why).replace(/\s+/g, ' ').slice(0, 600)); }
async function check(name, fn) {
	try { await fn(); ok(name); } catch (e) { fail(name, e); }
}
function assert(c, msg) { if (!c) throw new Error(msg); }
function eq(a, b, what) { assert(JSON.stringify(a) === JSON.stringify(b), what + ': got ' + JSON.stringify(a).slice(0, 300) + ', want ' + JSON.stringify(b).slice(0, 300)); }
const sha = b => createHash('sha256').update(b).digest('hex');
const cliText = (...args) => execFileSync(CHATTCP, args, { maxBuffer: 1 << 28 }).toString();
const cliJson = (...args) => cliText(...args).split('\n').filter(l => l).map(l => JSON.parse(l));
const norm = s => s.replace(/\s+/g, ' ').trim().replace(/^(- |\d+\. )/, '');

const tmp = mkdtempSync(tmpdir() + '/ui-learn-test-');
const HS = 'case:handshake', LOSS = 'case:loss-fast-retransmit';

// `chattcp learn NAME` stepped through without a terminal (one line, one key): its
// screens, each {packet, frame, question, answer, paragraphs}.
function cliLearn(name) {
	const r = spawnSync(CHATTCP, ['learn', name, '--restart', '--width', '1000'], {
		input: '\n'.repeat(20000), env: { ...process.env, HOME: tmp, XDG_STATE_HOME: tmp }, maxBuffer: 1 << 26 });
	const out = r.stdout.toString();
	const re = new RegExp('^Lesson ' + name + ' - packet (\\d+) of (\\d+) \\(frame (\\d+)\\)$', 'gm');
	const heads = [...out.matchAll(re)];
	const screens = [];
	heads.forEach((m, i) => {
		const body = out.slice(m.index + m[0].length, i + 1 < heads.length ? heads[i + 1].index : out.length);
		const q = /^Question: (.*)$/m.exec(body), a = /^Answer: (.*)$/m.exec(body);
		const sc = { packet: Number(m[1]), frame: Number(m[3]), question: q ? q[1] : null, answer: a ? a[1] : null, paragraphs: [] };
		if (!q) {
			const end = body.search(/^(Enter\/space\/n: next packet|Enter: the end)/m);
			// after the bubble's bottom border (unicode or ASCII, as the locale allows)
			const borders = [...body.matchAll(/^\s*(╰─+╯|\+-+\+)\s*$/gm)];
			const last = borders[borders.length - 1];
			const after = body.slice(last ? last.index + last[0].length : 0, end);
			sc.paragraphs = after.split(/\n\s*\n/).map(norm).filter(x => x && !x.startsWith('(The lesson says nothing'));
		}
		screens.push(sc);
	});
	return screens;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
const page = await ctx.newPage();
const errors = [];
page.on('pageerror', e => errors.push('pageerror: ' + e.message));
// a bad display filter is answered 400 on purpose (the error is shown)
page.on('response', r => { if (r.status() >= 400 && !/\/api\/filter\?/.test(r.url())) errors.push(r.status() + ' ' + r.url()); });
page.on('console', m => { if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push('console: ' + m.text()); });
page.setDefaultTimeout(15000);
await page.goto(url);
await page.waitForFunction(() => document.body.dataset.ready === '1');

const shots = [];
async function shot(name) {
	await page.waitForTimeout(200);
	await page.screenshot({ path: outDir + '/' + name + '.png' });
	shots.push(name);
}
const apiLines = async (path) => (await page.evaluate(async p => (await (await fetch(p)).text()), path)).split('\n').filter(l => l).map(l => JSON.parse(l));
const capOf = async name => (await apiLines('/api/captures')).find(c => c.name === name).cap;

// --- case stepping ---
const steps = (await apiLines('/api/learn?name=handshake')).slice(1);
const screens = cliLearn('handshake');

await check('learn: /api/learn asks what chattcp learn asks (questions, answers, paragraphs, order)', async () => {
	const cliPackets = screens.filter(s => !s.question || s.answer);
	eq(steps.map(s => s.frame), cliPackets.map(s => s.frame), 'frames in order');
	for (const s of steps) {
		const asked = screens.find(x => x.frame === s.frame && x.question && !x.answer);
		const shown = cliPackets.find(x => x.frame === s.frame);
		eq(s.question || null, asked ? asked.question : null, 'question before frame ' + s.frame);
		eq(s.answer || null, shown.answer, 'answer of frame ' + s.frame);
		eq(s.paragraphs.map(p => norm(p.replace(/\*\*|`/g, '').replace(/\*([^*\s][^*]*)\*/g, '$1'))), shown.paragraphs, 'paragraphs of frame ' + s.frame);
	}
	assert(steps.some(s => s.question) && steps.some(s => s.paragraphs.length), 'the case has questions and paragraphs');
});

await check('learn: every case: /api/learn is chattcp learn (frames, questions, answers, paragraphs)', async () => {
	const cases = await apiLines('/api/cases');
	assert(cases.length >= 10, 'cases: ' + cases.length);
	for (const k of cases) {
		const api = (await apiLines('/api/learn?name=' + encodeURIComponent(k.name))).slice(1);
		const sc = cliLearn(k.name);
		const packets = sc.filter(s => !s.question || s.answer);
		eq(api.map(s => s.frame), packets.map(s => s.frame), k.name + ': frames in order');
		for (const s of api) {
			const shown = packets.find(x => x.frame === s.frame);
			eq(s.answer || null, shown.answer, k.name + ': answer of frame ' + s.frame);
			eq(s.question || null, (sc.find(x => x.frame === s.frame && x.question && !x.answer) || {}).question || null, k.name + ': question before frame ' + s.frame);
			eq(s.paragraphs.length, shown.paragraphs.length, k.name + ': paragraphs of frame ' + s.frame);
		}
	}
});

const learnState = () => page.evaluate(() => {
	const side = document.querySelector('.learnside');
	return {
		hash: decodeURIComponent(location.hash),
		step: side && Number(side.dataset.step), asking: side && side.dataset.asking === '1',
		bubbles: [...document.querySelectorAll('#learnview .bubble')].map(b => Number(b.dataset.frame)),
		current: (document.querySelector('#learnview .bubble.current') || { dataset: {} }).dataset.frame,
		question: (document.querySelector('.learnside .question') || {}).textContent || null,
		answer: (document.querySelector('.learnside .answer') || {}).textContent || null,
		paragraphs: [...document.querySelectorAll('.learnside .para')].map(p => p.textContent),
		inView: (() => {
			const b = document.querySelector('#learnview .bubble.current'), c = document.querySelector('.learnchat');
			if (!b) return null;
			const r = b.getBoundingClientRect(), cr = c.getBoundingClientRect();
			return r.top >= cr.top - 1 && r.bottom <= cr.bottom + 1;
		})(),
	};
});
const waitStep = (n, asking) => page.waitForFunction(([n, a]) => {
	const s = document.querySelector('.learnside');
	return s && Number(s.dataset.step) === n && (s.dataset.asking === '1') === a;
}, [n, asking]);

await check('learn: stepping through case handshake shows the paragraphs, questions and answers of chattcp learn', async () => {
	await page.evaluate(() => { localStorage.removeItem('chattcp.learn'); location.hash = '#/cap/case%3Ahandshake'; });
	await page.waitForSelector('#side a.steplink');
	await page.click('#side a.steplink');
	const first = steps[0];
	await waitStep(1, !!first.question);
	for (let i = 0; i < steps.length; i++) {
		const s = steps[i];
		if (s.question) {
			await waitStep(i + 1, true);
			const st = await learnState();
			eq(st.bubbles, steps.slice(0, i).map(x => x.frame), 'bubbles while asking before step ' + (i + 1));
			eq(st.question, 'Question: ' + s.question, 'question');
			eq(st.answer, null, 'the answer is hidden while asking');
			assert(st.hash.endsWith('/learn/' + (i + 1) + '/q'), 'address ' + st.hash);
			if (i === 1) await shot('learn-question-light');
			await page.keyboard.press(i % 2 ? 'n' : 'Space');
		}
		await waitStep(i + 1, false);
		const st = await learnState();
		eq(st.bubbles, steps.slice(0, i + 1).map(x => x.frame), 'bubbles at step ' + (i + 1));
		eq(Number(st.current), s.frame, 'the current bubble');
		assert(st.hash.endsWith('/learn/' + (i + 1)), 'address ' + st.hash);
		eq(st.answer, s.answer ? 'Answer: ' + s.answer : null, 'answer at step ' + (i + 1));
		const cli = screens.find(x => x.frame === s.frame && (!x.question || x.answer));
		eq(st.paragraphs.map(norm), cli.paragraphs, 'paragraphs at step ' + (i + 1) + ' (as chattcp learn shows them)');
		if (i === 1) await shot('learn-light');
		if (i + 1 < steps.length) await page.keyboard.press(i % 2 ? 'ArrowRight' : 'n');
	}
	await page.click('#learnview button.next');
	await page.waitForSelector('.learnside .theend');
	assert(!(await page.evaluate(() => JSON.parse(localStorage.getItem('chattcp.learn') || '{}').handshake)), 'progress kept after the end');
});

await check('learn: p goes back, the address of a step survives a reload, progress resumes', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake/learn/4'; });
	await waitStep(4, false);
	await page.keyboard.press('p');
	await waitStep(3, false);
	eq((await learnState()).bubbles, steps.slice(0, 3).map(x => x.frame), 'bubbles after p');
	await page.reload();
	await page.waitForFunction(() => document.body.dataset.ready === '1');
	await waitStep(3, false);
	const st = await learnState();
	eq(st.bubbles, steps.slice(0, 3).map(x => x.frame), 'bubbles after a reload');
	assert(st.hash.endsWith('/learn/3'), 'address ' + st.hash);
	eq(await page.evaluate(() => JSON.parse(localStorage.getItem('chattcp.learn')).handshake), steps[2].frame, 'progress in localStorage');
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake'; });
	await page.waitForSelector('#side a.steplink');
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake/learn'; });
	await waitStep(3, false);
	assert(/Welcome back: you stopped at frame 3/.test(await page.$eval('.learnside .notice', e => e.textContent)), 'welcome back notice');
	// a long case opened at a late step: the current bubble is scrolled into view
	const loss = (await apiLines('/api/learn?name=loss-fast-retransmit')).slice(1);
	const at = loss.findIndex(x => x.frame === 150) + 1;
	await page.evaluate(n => { location.hash = '#/cap/case%3Aloss-fast-retransmit/learn/' + n; }, at);
	await waitStep(at, false);
	await page.waitForTimeout(300);
	const ls = await learnState();
	eq(ls.bubbles.length, at, 'bubbles of the long case');
	eq(ls.inView, true, 'the current bubble in view');
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake/learn/3'; });
	await waitStep(3, false);
	await page.click('#learnview a.back');
	await page.waitForFunction(() => document.getElementById('learnview').hidden && !document.getElementById('chat').hidden && document.querySelectorAll('#chat .bubble').length > 0);
});

// --- display filters ---
const EXPR = 'tcp.analysis.retransmission';
async function typeFilter(text) {
	await page.fill('#filter', text);
	await page.press('#filter', 'Enter');
}
await check('search: ' + EXPR + ' marks exactly the frames of search -Y and chat -Y', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 232);
	await typeFilter(EXPR);
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	const want = cliJson('search', LOSS, '-Y', EXPR, '--json');
	eq(await apiLines('/api/filter?cap=' + await capOf(LOSS) + '&expr=' + encodeURIComponent(EXPR)), want, '/api/filter is search --json');
	const marked = await page.$$eval('#chat .bubble.match', els => els.map(e => Number(e.dataset.frame)));
	eq(marked, want.filter(g => g.proto === 'tcp' && g.conn === 0).flatMap(g => g.frames), 'marked frames');
	eq(marked, cliJson('chat', LOSS, '-Y', EXPR, '--json').filter(o => o.frame !== undefined).map(o => o.frame), 'chat -Y frames');
	assert(marked.length > 0, 'nothing matched');
	const count = await page.$eval('#searchbar .count', e => e.textContent);
	assert(count.startsWith(marked.length + ' frame'), 'count ' + count);
	await page.click('#searchbar button.nextmatch');
	await page.waitForFunction(f => /\/f\/(\d+)$/.test(location.hash) && Number(/\/f\/(\d+)$/.exec(location.hash)[1]) === f, marked[0]);
	await page.waitForFunction(f => (document.querySelector('#chat .bubble.current') || { dataset: {} }).dataset.frame === String(f), marked[0]);
	await shot('search-light');
	// n and N walk the matches too (one match: round again onto it)
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0/f/1'; document.activeElement.blur(); });
	await page.waitForFunction(() => (document.querySelector('#chat .bubble.current') || { dataset: {} }).dataset.frame === '1');
	await page.keyboard.press('n');
	await page.waitForFunction(f => location.hash.endsWith('/f/' + f), marked[0]);
	await page.keyboard.press('N');
	await page.waitForFunction(f => location.hash.endsWith('/f/' + f), marked[marked.length - 1]);
});
await check('search: the list keeps the connections with a match; plain words stay the fuzzy filter', async () => {
	await typeFilter('');
	await page.evaluate(() => { location.hash = '#/cap/case%3Atour/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length > 0 && decodeURIComponent(location.hash).includes('tour') && document.querySelectorAll('#connspace .connrow').length === 3);
	await typeFilter('tcp.flags.fin == 1');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	const want = cliJson('conns', 'case:tour', '-Y', 'tcp.flags.fin == 1', '--json').filter(c => c.proto === 'tcp').map(c => 'tcp:' + c.id);
	eq(await page.$$eval('#connspace .connrow', els => els.map(e => e.dataset.conn)), want, 'rows as conns -Y');
	assert(want.length > 0 && want.length < 3, 'the filter keeps some of the 3 TCP connections: ' + want);
	const counts = cliJson('search', 'case:tour', '-Y', 'tcp.flags.fin == 1', '--json').filter(g => g.proto === 'tcp').map(g => g.matches + (g.matches === 1 ? ' match' : ' matches'));
	eq(await page.$$eval('#connspace .connrow .tag.matches', els => els.map(e => e.textContent)), counts, 'match counts per row as search --json');
	await typeFilter('zzznomatch');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'words');
	eq(await page.$$eval('#connspace .connrow', els => els.length), 0, 'rows for a word no connection has');
	await typeFilter('9999');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'words');
	eq(await page.$$eval('#connspace .connrow', els => els.length), 1, 'rows for the port');
	eq(await page.$$eval('#connspace .connrow .tag.matches', els => els.length), 0, 'no match counts for words');
	await typeFilter('');
});
await check('search: the form makes the display filter chattcp search runs, and marks its frames', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 232);
	await page.click('#searchformbtn');
	await page.fill('#searchform input[name=port]', '7070');
	await page.fill('#searchform input[name=label]', 'retransmission');
	await page.check('#searchform input[name=flag][value=ACK]');
	await page.click('#searchform button[type=submit]');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	// the form gives its fields in the order of search's table (the CLI: the order typed)
	const args = ['search', LOSS, '--port', '7070', '--flags', 'ACK', '--label', 'retransmission'];
	const line = cliText(...args).split('\n')[0];
	eq('display filter: ' + await page.$eval('#filter', e => e.value), line, 'the filter in the box');
	const want = cliJson(...args, '--json').filter(g => g.proto === 'tcp' && g.conn === 0).flatMap(g => g.frames);
	eq(await page.$$eval('#chat .bubble.match', els => els.map(e => Number(e.dataset.frame))), want, 'marked frames');
	await shot('search-form-light');
	await page.fill('#searchform input[name=port]', 'x');
	await page.click('#searchform button[type=submit]');
	await page.waitForFunction(() => document.querySelector('#searchform .formerr').textContent !== '');
	const r = spawnSync(CHATTCP, ['search', LOSS, '--port', 'x']);
	const msg = await page.$eval('#searchform .formerr', e => e.textContent);
	assert(r.status !== 0 && r.stderr.toString().includes(msg), 'form error ' + JSON.stringify(msg) + ' not in ' + r.stderr);
	errors.length = 0; // the 400 of the bad port is wanted
	await page.click('#searchform button[type=button]');
	await page.click('#searchformbtn');
	await typeFilter('');
});
await check('search: a bad expression shows the error -Y prints, with its column', async () => {
	const bad = 'tcp.port == 80 && tcp.flag.syn';
	const r = spawnSync(CHATTCP, ['search', HS, '-Y', bad]);
	const msg = r.stderr.toString().trim().replace(/^chattcp search: -Y: /, '');
	assert(r.status !== 0 && /at 19/.test(msg), 'cli: ' + msg);
	await typeFilter(bad);
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'error');
	eq(await page.$eval('#searchbar .filtererr .msg', e => e.textContent), 'display filter: ' + msg, 'message');
	const caret = await page.$eval('#searchbar .filtererr pre.caret', e => e.textContent.split('\n')[1]);
	eq(caret.indexOf('^'), 18, 'caret under column 19');
	await shot('search-error-light');
	await typeFilter('');
});
await check('search: download as pcap (and pcapng) has the sha256 of extract -Y; a connection\'s that of extract -c', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 232);
	const expr = 'tcp.analysis.duplicate_ack || tcp.analysis.retransmission';
	await typeFilter(expr);
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	for (const format of ['pcap', 'pcapng']) {
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#searchbar a.download[data-format="' + format + '"]')]);
		const got = readFileSync(await dl.path());
		const out = tmp + '/x.' + format;
		execFileSync(CHATTCP, ['extract', LOSS, '-Y', expr, '-o', out], { stdio: 'pipe' });
		eq(sha(got), sha(readFileSync(out)), format + ' sha256');
		eq(dl.suggestedFilename(), 'filtered.' + format, 'file name');
	}
	await typeFilter('');
	await page.waitForFunction(() => !document.querySelector('#chat .bubble.match'));
	// the toolbar's download: the connection's packets, as extract -c writes them
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#pcaplink')]);
	execFileSync(CHATTCP, ['extract', LOSS, '-c', '0', '-o', tmp + '/c.pcap'], { stdio: 'pipe' });
	eq(sha(readFileSync(await dl.path())), sha(readFileSync(tmp + '/c.pcap')), 'connection pcap sha256');
	eq(dl.suggestedFilename(), 'tcp0.pcap', 'file name');
});

// --- settings ---
const bubble1 = () => page.evaluate(() => {
	const b = document.querySelector('#chat .bubble');
	return { time: b.querySelector('.time').textContent, state: !!b.querySelector('.state'), note: !!b.querySelector('.note'),
		seq: b.querySelector('[data-k=seq]').textContent };
});
await check('settings: the gear changes the chat at once, and the choice survives a reload', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 6 && decodeURIComponent(location.hash).includes('handshake'));
	const before = await bubble1();
	assert(before.state && before.note && !before.time.startsWith('+'), 'defaults ' + JSON.stringify(before));
	await page.click('#gear');
	await page.waitForSelector('#settings:not([hidden])');
	await shot('settings-light');
	await page.selectOption('#settings select[data-set=time]', 'delta');
	await page.selectOption('#settings select[data-set=seq]', 'real');
	await page.uncheck('#settings input[data-set=state]');
	await page.uncheck('#settings input[data-set=notes]');
	const hs = cliJson('chat', '--json', '-c', '0', HS).filter(o => o.frame !== undefined);
	await page.waitForFunction(s => { const b = document.querySelector('#chat .bubble [data-k=seq]'); return b && b.textContent === 'seq ' + s; }, hs[0].seq);
	const after = await bubble1();
	assert(after.time.startsWith('+') && !after.state && !after.note, 'after ' + JSON.stringify(after));
	eq(await page.$eval('#toolbar select[data-setting=time]', e => e.value), 'delta', 'the toolbar follows');
	await page.reload();
	await page.waitForFunction(() => document.body.dataset.ready === '1' && document.querySelectorAll('#chat .bubble').length === 6);
	const kept = await bubble1();
	eq(kept, after, 'after a reload');
	await page.click('#gear');
	eq(await page.$eval('#settings select[data-set=time]', e => e.value), 'delta', 'the panel after a reload');
	await page.selectOption('#settings select[data-set=theme]', 'dark');
	eq(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'theme');
	await shot('settings-dark');
	for (const [k, v] of [['time', 'relative'], ['seq', 'relative']]) await page.selectOption('#settings select[data-set=' + k + ']', v);
	await page.check('#settings input[data-set=state]');
	await page.check('#settings input[data-set=notes]');
	await page.keyboard.press('Escape');
	eq(await bubble1(), before, 'back to the defaults');
});

await check('settings: payload style and fold threshold redraw the payloads', async () => {
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0/f/4'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 232 && decodeURIComponent(location.hash).includes('loss'));
	const pay = () => page.$eval('#chat .bubble[data-frame="4"] details.payload', d => { d.open = true; d.dispatchEvent(new Event('toggle')); return { text: (d.querySelector('pre') || {}).textContent || '', more: !!d.querySelector('button.more') }; });
	await page.click('#gear');
	await page.selectOption('#settings select[data-set=payload]', 'hex');
	await page.selectOption('#settings select[data-set=fold]', '64');
	const hex = await pay();
	assert(/^0000  [0-9a-f]{2} /.test(hex.text), 'hex dump: ' + hex.text.slice(0, 60));
	eq(hex.text.split('\n').length, 4, 'rows of 16 bytes folded at 64');
	assert(hex.more, 'no "show all" past the fold');
	await page.selectOption('#settings select[data-set=payload]', 'text');
	await page.selectOption('#settings select[data-set=fold]', '256');
	const text = await pay();
	assert(!/^0000  /.test(text.text), 'still hex: ' + text.text.slice(0, 40));
	await page.keyboard.press('Escape');
});
await check('screenshots dark: learn, search', async () => {
	// the theme is dark now (set above)
	await page.evaluate(() => { location.hash = '#/cap/case%3Ahandshake/learn/2/q'; });
	await waitStep(2, true);
	await shot('learn-question-dark');
	await page.keyboard.press('n');
	await waitStep(2, false);
	await shot('learn-dark');
	await page.evaluate(() => { location.hash = '#/cap/case%3Aloss-fast-retransmit/tcp:0'; });
	await page.waitForFunction(() => document.querySelectorAll('#chat .bubble').length === 232);
	await typeFilter(EXPR);
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	await page.click('#searchbar button.nextmatch');
	await page.waitForFunction(() => /\/f\/\d+$/.test(location.hash) && document.querySelector('#chat .bubble.current.match'));
	await shot('search-dark');
	await typeFilter('tcp.port == 80 && tcp.flag.syn');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'error');
	await shot('search-error-dark');
	await typeFilter('');
	await page.click('#searchformbtn');
	await page.fill('#searchform input[name=port]', '7070');
	await page.fill('#searchform input[name=label]', 'retransmission');
	await page.check('#searchform input[name=flag][value=ACK]');
	await page.click('#searchform button[type=submit]');
	await page.waitForFunction(() => document.getElementById('filter').dataset.mode === 'filter');
	await shot('search-form-dark');
	await page.click('#searchform button[type=button]');
	await page.click('#searchformbtn');
	await typeFilter('');
	await page.click('#gear');
	await page.selectOption('#settings select[data-set=theme]', '');
	await page.keyboard.press('Escape');
	for (const v of ['learn', 'learn-question', 'search', 'search-error', 'search-form', 'settings']) for (const t of ['light', 'dark']) assert(shots.includes(v + '-' + t), 'missing ' + v + '-' + t);
});
await check('learn, search, settings: no page error and no CSP violation', async () => {
	assert(!errors.length, errors.join(' | '));
});
await browser.close();
rmSync(tmp, { recursive: true, force: true });
