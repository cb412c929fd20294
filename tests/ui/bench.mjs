// bench.mjs URL NAME CONN PACKETS: opens the window on #/cap/NAME/CONN in headless chromium
// and prints, as one JSON line, the milliseconds from asking the address to the first
// connection row, the first bubble and all PACKETS bubbles, and how many rows the list
// keeps in the page after scrolling to its middle (virtualised: a screen's worth).
import { chromium } from 'playwright-core';

const [url, name, conn, packets] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
const t0 = Date.now();
await p.goto(url + '#/cap/' + encodeURIComponent(name) + '/' + conn);
await p.waitForSelector('#connspace .connrow', { timeout: 120000 });
const list = Date.now() - t0;
await p.waitForSelector('#chat .bubble', { timeout: 120000 });
const first = Date.now() - t0;
await p.waitForFunction(n => document.querySelectorAll('#chat .bubble').length >= n, Number(packets), { timeout: 300000, polling: 100 });
const all = Date.now() - t0;
await p.evaluate(() => { const l = document.getElementById('connlist'); l.scrollTop = l.scrollHeight / 2; });
await p.waitForTimeout(50);
const rows = await p.$$eval('#connspace .connrow', e => e.length);
console.log(JSON.stringify({ capture: name.replace(/.*\//, ''), list_ms: list, first_bubble_ms: first, all_bubbles_ms: all, rows_in_page: rows,
	list_says: await p.textContent('#conncount') }));
await b.close();
