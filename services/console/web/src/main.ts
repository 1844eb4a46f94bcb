import { el, replace } from './dom.js';
import { auditorPage } from './pages/auditor.js';
import { dataEngineerPage } from './pages/data-engineer.js';
import { signInPage } from './pages/sign-in.js';
import { settlementPage } from './pages/settlement.js';
import { aggregatorPage } from './pages/aggregator.js';
import { currentSession, redeemLinkFromFragment } from './session.js';

const page = document.getElementById('page')!;
const who = document.getElementById('who')!;

function showWho(): void {
  const s = currentSession();
  if (!s) return replace(who, 'Not signed in (public data only)');
  const left = Math.round((s.expiresAtMs - Date.now()) / 1000);
  replace(who, left > 0 ? `Signed in as ${s.participantId} (token expires in ${left} s)` : el('span', {}, `Token of ${s.participantId} expired: `, el('a', { href: '#/sign-in' }, 'sign in again')));
}

function route(): void {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?') as [string, string | undefined];
  const name = path || (currentSession() ? 'data' : 'auditor');
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('data-page') === name);
  if (name === 'data') dataEngineerPage(page, new URLSearchParams(query ?? ''));
  else if (name === 'settlement') settlementPage(page, new URLSearchParams(query ?? ''));
  else if (name === 'aggregator') aggregatorPage(page, new URLSearchParams(query ?? ''));
  else if (name === 'sign-in') signInPage(page, showWho);
  else auditorPage(page, new URLSearchParams(query ?? ''));
  showWho();
}

window.addEventListener('hashchange', route);
setInterval(showWho, 1000);
void redeemLinkFromFragment().finally(route);
