import { apiJson } from '../api.js';
import { el, replace, table } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';

interface Jwk { kid: string; kty: string; crv?: string; alg?: string; status: string; participant: string }

/** The tenant's registered keys with their status (public GET /.well-known/jwks.json): head-ends' first. */
export async function loadKeys(box: HTMLElement, discomId: string, headEnds: ReadonlySet<string>): Promise<void> {
  replace(box, loading('keys'));
  try {
    const { keys } = await apiJson<{ keys: Jwk[] }>(`/.well-known/jwks.json?discom=${encodeURIComponent(discomId)}`, { auth: false });
    const shown = keys.filter((k) => k.participant !== undefined).sort((a, b) => Number(headEnds.has(b.participant)) - Number(headEnds.has(a.participant)) || a.participant.localeCompare(b.participant) || a.kid.localeCompare(b.kid));
    if (shown.length === 0) return replace(box, empty(`${discomId} has no registered key.`));
    replace(box, table(['participant', 'kid', 'algorithm', 'status'], shown.map((k) => [
      headEnds.has(k.participant) ? el('strong', {}, k.participant) : k.participant, el('code', {}, k.kid), k.alg ?? `${k.kty}${k.crv ? ` ${k.crv}` : ''}`,
      el('span', { class: k.status === 'ACTIVE' ? 'outcome-ok' : 'outcome-bad', 'data-status': k.status }, k.status),
    ])));
  } catch (err) {
    replace(box, problemBox(err));
  }
}
