// settingspanel.js: the gear in the top bar: every switch of the chat in one place (seq
// numbers, state, notes, fold threshold, payload style, time format, theme), kept by
// settings.js in localStorage and applied at once: apply(key) redraws (or, for seq,
// reads the chat again, the notes being numbered by the server). The toolbar's copies
// of the same switches follow.
import { h, clear } from './dom.js';
import { settings, applyTheme } from './settings.js';

const CHOICES = [
	['seq', 'Sequence numbers', [['relative', 'relative (as Wireshark)'], ['real', 'real (as sent)']]],
	['time', 'Time', [['relative', 'since the first packet'], ['absolute', 'time of day'], ['delta', 'since the previous packet']]],
	['payload', 'Payload', [['text', 'text'], ['hex', 'hex dump']]],
	['appStyle', 'Application fields', [['grid', 'grid of fields'], ['text', 'text']]],
	['fold', 'Fold payloads past', [['64', '64 bytes'], ['256', '256 bytes'], ['1024', '1 kB'], ['0', 'never fold']]],
	['theme', 'Theme', [['', 'as the system'], ['light', 'light'], ['dark', 'dark']]],
];
const TOGGLES = [
	['state', 'show the sender\'s TCP state'],
	['notes', 'show notes'],
	['commentary', 'show the commentary for learners'],
	['decode', 'show decoded application messages'],
	['hideRetrans', 'hide retransmissions'],
];

export function initSettingsPanel(top, apply) {
	const panel = h('aside#settings', { hidden: true, 'aria-label': 'Settings' });
	const gear = h('button#gear', { type: 'button', title: 'Settings', 'aria-expanded': 'false', onclick: () => toggle() }, '⚙');
	const theme = top.querySelector('#theme');
	top.insertBefore(gear, theme);
	document.body.appendChild(panel);
	const toggle = open => {
		open = open === undefined ? panel.hidden : open;
		if (open) draw();
		panel.hidden = !open;
		gear.setAttribute('aria-expanded', String(open));
	};
	const set = (key, v) => {
		settings[key] = v;
		// the toolbar's copy of the switch shows the same
		for (const el of document.querySelectorAll('#toolbar [data-setting="' + key + '"]')) {
			if (el.type === 'checkbox') el.checked = !!v; else el.value = String(v);
		}
		if (key === 'theme') applyTheme(); else apply(key);
	};
	function draw() {
		clear(panel).appendChild(h('div.sethead', h('h3', 'Settings'), h('span.small', 'kept in this browser'),
			h('button.close', { type: 'button', title: 'close (Esc)', onclick: () => toggle(false) }, '×')));
		for (const [key, label, opts] of CHOICES) {
			const num = typeof settings[key] === 'number';
			panel.appendChild(h('label.setrow', h('span', label),
				h('select', { dataset: { set: key }, onchange: e => set(key, num ? Number(e.target.value) : e.target.value) },
					opts.map(([v, l]) => h('option', { value: v, selected: String(settings[key]) === v ? true : null }, l)))));
		}
		for (const [key, label] of TOGGLES)
			panel.appendChild(h('label.setrow.tog', h('input', { type: 'checkbox', dataset: { set: key }, checked: settings[key] ? true : null,
				onchange: e => set(key, e.target.checked) }), h('span', label)));
	}
	document.addEventListener('keydown', e => { if (e.key === 'Escape' && !panel.hidden) toggle(false); });
	document.addEventListener('click', e => { if (!panel.hidden && !panel.contains(e.target) && e.target !== gear) toggle(false); });
	return { toggle };
}
