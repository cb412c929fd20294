// api.js: the server's JSON API (docs/ui.md). The cookie set on the first visit carries
// the token; answers are the --json objects (NDJSON for lists).

async function get(path, params) {
	const q = new URLSearchParams(params || {}).toString();
	const r = await fetch('/api/' + path + (q ? '?' + q : ''), { credentials: 'same-origin' });
	if (!r.ok) {
		let msg = r.status + ' ' + r.statusText;
		try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
		throw new Error(msg);
	}
	return r;
}

function lines(text) {
	return text.split('\n').filter(l => l).map(l => JSON.parse(l));
}

export async function list(path, params) {
	return lines(await (await get(path, params)).text());
}

export async function obj(path, params) {
	return (await get(path, params)).json();
}

export async function text(path, params) {
	return (await get(path, params)).text();
}

// One page of a chat: {packets, next (index or null), total}.
// numbers: 'relative' or 'absolute', how the notes and SACK blocks name sequence numbers.
export async function chatPage(cap, conn, from, n, numbers) {
	const q = n ? { cap, conn, from, n } : { cap, conn, from };
	if (numbers === 'absolute') q.numbers = 'absolute';
	const r = await get('chat', q);
	const next = r.headers.get('X-Chattcp-Next');
	return { items: lines(await r.text()), next: next ? Number(next) : null, total: Number(r.headers.get('X-Chattcp-Total') || 0) };
}

export async function post(path, params, body) {
	const q = new URLSearchParams(params || {}).toString();
	const r = await fetch('/api/' + path + '?' + q, { method: 'POST', body, credentials: 'same-origin' });
	const j = await r.json().catch(() => ({ error: r.status + ' ' + r.statusText }));
	if (!r.ok) throw new Error(j.error || String(r.status));
	return j;
}
