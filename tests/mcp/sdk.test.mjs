// sdk.test.mjs: `chattcp mcp` as the official MCP TypeScript SDK's Client sees it
// (run by tests/suite/mcp-sdk). StdioClientTransport spawns `chattcp mcp --root ROOT
// --export-dir EXPORT`; every tool is called and its result compared with the CLI's
// --json for the same question as parsed JSON (pages joined back together); a path
// outside the root, a bad argument and a filter that does not compile give errors;
// a search with a progress callback (the SDK sends _meta.progressToken) gets
// notifications/progress; hostile captures give results that parse and agree.
//
// node tests/mcp/sdk.test.mjs CHATTCP ROOT OUTSIDE EXPORT
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";

const [chattcp, root, outside, exportDir] = process.argv.slice(2);
let failed = 0;
function check(name, cond, why = "") {
	if (cond) console.log(`ok ${name}`);
	else {
		failed++;
		console.log(`FAIL ${name}: ${String(why).slice(0, 400).replace(/\n/g, " ")}`);
	}
}

// NDJSON text -> an array of parsed objects (throws on a line that is not JSON)
const ndjson = (text) => text.split("\n").filter((l) => l.length).map((l) => JSON.parse(l));
const cli = (...args) => ndjson(execFileSync(chattcp, args, { encoding: "utf8", maxBuffer: 1 << 28 }));
const cap = (name) => path.join(root, name);

const client = new Client({ name: "chattcp-tests", version: "1" });
const transport = new StdioClientTransport({
	command: chattcp,
	args: ["mcp", "--root", root, "--export-dir", exportDir],
	stderr: "pipe",
});
await client.connect(transport);
check("sdk.initialize", client.getServerVersion()?.name === "chattcp", JSON.stringify(client.getServerVersion()));
check("sdk.capabilities", !!client.getServerCapabilities()?.tools, JSON.stringify(client.getServerCapabilities()));

const { tools } = await client.listTools();
const names = new Set(tools.map((t) => t.name));
const want = ["list_cases", "lesson", "open_capture", "list_connections", "chat", "diagnose", "stats",
	"http_exchanges", "stream", "packet", "search", "export_pcap"];
check("sdk.list-tools", want.every((n) => names.has(n)) && names.size === want.length, [...names].join(","));
const called = new Set();

// One call: the result's first text block, parsed.
async function call(name, args, opts) {
	called.add(name);
	const r = await client.callTool({ name, arguments: args }, undefined, opts);
	return r;
}
// Every page of a paged tool joined: the parsed lines.
async function pages(name, args, limit = 3) {
	let from = 0, out = [], n = 0;
	for (;;) {
		const r = await call(name, { ...args, from, limit });
		if (r.isError) throw new Error(r.content[0].text);
		out = out.concat(ndjson(r.content[0].text));
		const pg = JSON.parse(r.content[1].text);
		n++;
		if (pg.next === null) return { lines: out, pages: n, page: pg };
		if (pg.next <= from || n > 10000) throw new Error(`paging went wrong at ${from}`);
		from = pg.next;
	}
}
async function agree(label, name, args, cliArgs, limit) {
	try {
		const got = await pages(name, args, limit);
		const exp = cli(...cliArgs);
		check(`sdk.agree:${label}`, isDeepStrictEqual(got.lines, exp) && exp.length > 0,
			`${got.pages} pages, ${got.lines.length} vs ${exp.length} lines: ${JSON.stringify(got.lines).slice(0, 200)}`);
	} catch (e) {
		check(`sdk.agree:${label}`, false, e.message);
	}
}
async function agreeOne(label, name, args, cliArgs, pick = (x) => x) {
	try {
		const r = await call(name, args);
		const exp = pick(cli(...cliArgs));
		check(`sdk.agree:${label}`, !r.isError && isDeepStrictEqual(ndjson(r.content[0].text), exp),
			r.content[0].text.slice(0, 200));
	} catch (e) {
		check(`sdk.agree:${label}`, false, e.message);
	}
}

const http = cap("tcp-4pkt-close-http-get.pcap"), png = cap("http-png-download.pcapng"),
	flows = cap("null-http-range-41-flows.pcap"), udp = cap("pcapng-two-interfaces-udp.pcapng"),
	redis = cap("redis-pipelining-ipv6-null.pcap");

await agree("list_cases", "list_cases", {}, ["cases", "--json"], 4);
await agreeOne("lesson", "lesson", { case: "handshake" }, ["case", "handshake", "--json"], (l) => l.slice(0, 1));
{
	const r = await call("open_capture", { capture: flows });
	const o = JSON.parse(r.content[0].text);
	const conns = cli("conns", flows, "--json");
	check("sdk.agree:open_capture", o.tcp_conns === conns.filter((c) => c.proto === "tcp").length &&
		o.udp_conns === conns.filter((c) => c.proto === "udp").length && o.damaged === false, r.content[0].text);
}
for (const c of [http, flows, udp]) await agree(`list_connections:${path.basename(c)}`, "list_connections", { capture: c }, ["conns", c, "--json"], 7);
await agree("list_connections-filter", "list_connections", { capture: flows, filter: "port 8000" }, ["conns", flows, "--json", "--filter", "port 8000"], 5);
for (const [c, id, cid] of [[http, 0, "0"], [png, "0", "0"], [flows, "tcp:3", "3"], [udp, "u0", "u0"], [redis, 0, "0"]])
	await agree(`chat:${path.basename(c)}:${cid}`, "chat", { capture: c, conn: id }, ["chat", c, "-c", cid, "--json"], 3);
await agree("chat-payload-commentary", "chat", { capture: png, conn: 0, payload: true, commentary: true },
	["chat", png, "-c", "0", "--json", "--payload-hex", "--commentary"], 2);
for (const c of [http, flows]) await agree(`diagnose:${path.basename(c)}`, "diagnose", { capture: c }, ["diag", c, "--json"], 4);
await agreeOne("diagnose-one", "diagnose", { capture: flows, conn: 5 }, ["diag", flows, "-c", "5", "--json"]);
for (const c of [http, udp]) await agreeOne(`stats:${path.basename(c)}`, "stats", { capture: c }, ["stats", c, "--json"]);
for (const c of [png, flows]) await agree(`http_exchanges:${path.basename(c)}`, "http_exchanges", { capture: c }, ["http", c, "--json"], 4);
for (const [c, id, cid] of [[png, 0, "0"], [redis, 0, "0"], [udp, "u1", "u1"]])
	await agree(`stream:${path.basename(c)}:${cid}`, "stream", { capture: c, conn: id }, ["stream", c, "-c", cid, "--json"], 2);
for (const [c, f] of [[http, 1], [png, 7], [udp, 2]])
	await agreeOne(`packet:${path.basename(c)}:${f}`, "packet", { capture: c, frame: f }, ["packet", c, String(f), "--json"]);
await agree("search-flags", "search", { capture: flows, flags: "SYN" }, ["search", flows, "--flags", "SYN", "--json"], 5);
await agree("search-filter", "search", { capture: png, filter: "http.request || tcp.len > 1000" },
	["search", png, "-Y", "http.request || tcp.len > 1000", "--json"], 2);
await agree("search-fields-and-filter", "search", { capture: flows, port: 8000, payload: "GET", filter: "tcp.len > 0" },
	["search", flows, "--port", "8000", "--payload", "GET", "-Y", "tcp.len > 0", "--json"], 4);
{
	const r = await call("export_pcap", { capture: flows, conn: 3, file: "sdk-conn3.pcapng", overwrite: true });
	const o = JSON.parse(r.content[0].text);
	const out = path.join(exportDir, "sdk-conn3.pcapng");
	const orig = cli("conns", flows, "--json")[3];
	const got = existsSync(out) ? cli("conns", out, "--json") : [];
	check("sdk.agree:export_pcap", !r.isError && got.length === 1 && got[0].packets === orig.packets &&
		got[0].client === orig.client && o.packets === orig.packets, r.content[0].text);
}
check("sdk.every-tool-called", want.every((n) => called.has(n)), want.filter((n) => !called.has(n)).join(","));

// Errors: JSON-RPC errors reach the SDK as rejections (McpError with the code).
async function rejects(name, args) {
	try {
		const r = await call(name, args);
		return { code: null, r };
	} catch (e) {
		return { code: e.code, message: e.message };
	}
}
for (const [label, p] of [["absolute", path.join(outside, "secret.pcap")], ["dotdot", "../outside/secret.pcap"], ["etc", "/etc/passwd"]]) {
	const e = await rejects("list_connections", { capture: p });
	check(`sdk.path-outside-refused:${label}`, e.code === -32602 && !/secret/.test(e.message), JSON.stringify(e));
}
{
	const e = await rejects("chat", { capture: http, conn: "nope" });
	check("sdk.bad-argument", e.code === -32602 && /conn/.test(e.message), JSON.stringify(e));
	const e2 = await rejects("stats", { capture: http, frobnicate: 1 });
	check("sdk.unknown-argument", e2.code === -32602, JSON.stringify(e2));
	const e3 = await rejects("stats", { capture: "missing.pcap" });
	check("sdk.missing-capture", e3.code === -32602, JSON.stringify(e3));
	const r = await call("search", { capture: flows, filter: "tcp.port ==" });
	let msg = "";
	try {
		execFileSync(chattcp, ["search", flows, "-Y", "tcp.port ==", "--json"], { encoding: "utf8", stdio: "pipe" });
	} catch (x) {
		msg = x.stderr.trim().replace(/^chattcp search: /, "search: ");
	}
	check("sdk.search-filter-error-is-tool-error", r.isError === true && r.content[0].text === msg && /at 12/.test(msg),
		`${JSON.stringify(r)} vs ${msg}`);
}

// Progress: the SDK sends a progressToken when onprogress is given.
{
	const big = cap("big.pcap");
	const seen = [];
	const r = await call("search", { capture: big, flags: "SYN" }, { onprogress: (p) => seen.push(p) });
	const size = statSync(big).size;
	const rising = seen.every((p, i) => i === 0 || p.progress > seen[i - 1].progress);
	check("sdk.progress-notifications", seen.length > 0 && rising && seen.every((p) => p.total === size && p.progress <= size),
		JSON.stringify(seen));
	check("sdk.progress-then-result", !r.isError && isDeepStrictEqual(ndjson(r.content[0].text), cli("search", big, "--flags", "SYN", "--json")),
		JSON.stringify(r).slice(0, 200));
}

// Hostile captures: every result parses (the SDK validated the message; each line is
// JSON) and agrees with the CLI.
for (const h of ["ctl-request.pcap", "ctl-response.pcap", "json-seps.pcap"]) {
	const c = cap(h);
	await agree(`hostile-conns:${h}`, "list_connections", { capture: c }, ["conns", c, "--json"], 100);
	await agree(`hostile-chat:${h}`, "chat", { capture: c, conn: 0, payload: true }, ["chat", c, "-c", "0", "--json", "--payload-hex"], 5);
	await agree(`hostile-http:${h}`, "http_exchanges", { capture: c }, ["http", c, "--json"], 5);
	await agree(`hostile-search:${h}`, "search", { capture: c, filter: "tcp" }, ["search", c, "-Y", "tcp", "--json"], 5);
}

await client.close();
process.exit(failed ? 1 : 0);
