// settings.js: the view's switches, kept in the browser (localStorage).
const KEY = 'chattcp.settings';
const defaults = {
	seq: 'relative',      // relative | real
	time: 'relative',     // absolute | relative | delta
	commentary: false,
	notes: true,
	state: true,
	hideRetrans: false,
	decode: true,         // application messages under their packet
	appStyle: 'grid',     // grid | text
	payload: 'text',      // text | hex
	fold: 256,            // payload bytes shown before "show all"
	theme: '',            // '' follows the system, 'light', 'dark'
	side: 'diag',
};

let cur = { ...defaults };
try { Object.assign(cur, JSON.parse(localStorage.getItem(KEY) || '{}')); } catch (e) { /* fresh */ }

export const settings = new Proxy(cur, {
	set(t, k, v) {
		t[k] = v;
		try { localStorage.setItem(KEY, JSON.stringify(t)); } catch (e) { /* private mode */ }
		return true;
	},
});
