import { apiJson } from '../api.js';
import { el, facts, replace } from '../dom.js';
import { currentSession, signIn, signOut, takeLinkRefusal } from '../session.js';
import { loading, problemBox } from '../states.js';
import { istTime } from '../time.js';

/** Paste a bearer token (a JWT signed by your registered key; the API accepts at most 5 minutes), checked with GET /v1/whoami. */
export function signInPage(root: HTMLElement, refresh: () => void): void {
  const token = el('textarea', { id: 'token', rows: '4', placeholder: 'eyJ… (iss = your participant id, aud = this node, exp ≤ 5 min)' });
  const out = el('div', { id: 'whoami' });
  const check = async () => {
    replace(out, loading('who this token is'));
    try {
      const who = await apiJson<{ discomId: string; participantId: string; kid: string }>('/v1/whoami');
      const s = currentSession();
      replace(out, facts([['participant', who.participantId], ['tenant', who.discomId], ['key', el('code', {}, who.kid)], ['expires', s ? istTime(s.expiresAtMs) : '—']]));
    } catch (err) {
      replace(out, problemBox(err));
    }
    refresh();
  };
  const go = el('button', { type: 'submit' }, 'Sign in');
  const leave = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  leave.addEventListener('click', () => { signOut(); replace(out); refresh(); });
  const form = el('form', {}, el('label', {}, 'Bearer token', token), el('p', {}, go, ' ', leave));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    try {
      signIn(token.value);
      token.value = '';
      void check();
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  const refused = takeLinkRefusal();
  const refusedBox = refused && el('div', { class: 'problem', role: 'alert', id: 'link-refused', 'data-code': refused.code }, el('code', {}, refused.code), ` (HTTP ${refused.status}): `, refused.detail);
  replace(root, el('h1', {}, 'Sign in'), el('section', {}, refusedBox, form, out,
    el('p', { class: 'hint' }, 'On the local stack or the demo: ies console --as <DISCOM>/<participant> prints a one-time link that signs you in.')));
  if (currentSession()) void check();
}
