import { el } from './dom.js';
import { Problem } from './api.js';

export const loading = (what: string) => el('div', { class: 'state', role: 'status' }, `Loading ${what}…`);
export const empty = (text: string) => el('div', { class: 'state', 'data-state': 'empty' }, text);

/** An error as the API said it: code, HTTP status and message. */
export function problemBox(err: unknown): HTMLElement {
  if (err instanceof Problem) return el('div', { class: 'problem', role: 'alert', 'data-code': err.code }, el('code', {}, err.code), ` (${err.status === 0 ? 'no answer' : `HTTP ${err.status}`}): `, err.detail || err.title);
  return el('div', { class: 'problem', role: 'alert' }, (err as Error).message ?? String(err));
}
