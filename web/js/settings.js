// settings.js: the view's switches, kept in the browser (localStorage). The toolbar and
// the settings panel (settingspanel.js) change them; views that draw from them listen
// (onSettings) so a change shows at once.
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

const listeners = new Set();

export const settings = new Proxy(cur, {
	set(t, k, v) {
		t[k] = v;
		try { localStorage.setItem(KEY, JSON.stringify(t)); } catch (e) { /* private mode */ }
		for (const fn of listeners) fn(k, v);
		return true;
	},
});

// fn(key, value) after every change; returns a function that stops it.
export function onSettings(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

// The theme on the page: the setting, or the system's when it is ''.
export function applyTheme() {
	document.documentElement.dataset.theme = settings.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}
