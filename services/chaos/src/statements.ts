import type { Actors } from './actors.js';
import { bearer, deskId } from './actors.js';
import { sleep } from './processes.js';

interface Listed { statementId: string; version: number; status: string; complete: boolean; sha256: string }

/** How long a DRAFT must stay the same before it counts as settled (its pending inputs will not come). */
const SETTLED_MS = 15_000;

/**
 * Each DISCOM's desk asks for the day's statement, waits (bounded) until it is computed and
 * fetches its content: the statements the auditor compares with the fault-free pass.
 */
export async function issueStatements(url: string, actors: Actors, discoms: readonly string[], day: string, nodeId: string, timeoutMs: number): Promise<{ contents: Record<string, unknown>[]; problems: string[] }> {
  const contents: Record<string, unknown>[] = [];
  const problems: string[] = [];
  const call = async (d: string, p: string, body?: unknown) => {
    const token = await bearer(deskId(d), actors.desk[d]!, nodeId);
    const res = await fetch(`${url}${p}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`${p} for ${d}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  for (const d of discoms) {
    try {
      await call(d, '/v1/statements/runs', { day });
      const deadline = Date.now() + timeoutMs;
      let listed: Listed[] = [];
      let seen = '';
      let since = Date.now();
      for (;;) {
        listed = ((await call(d, `/v1/statements?day=${day}`))['statements'] as Listed[]).filter((s) => s.status !== 'SUPERSEDED');
        if (listed.length >= 1 && listed.every((s) => s.complete)) break;
        // A DRAFT whose pending input cannot arrive here (a DR event without the 21 days of
        // history a baseline needs) is compared as it stands, once it stops changing.
        const now = listed.map((s) => s.sha256).join(',');
        if (now !== seen) [seen, since] = [now, Date.now()];
        else if (listed.length >= 1 && Date.now() - since > SETTLED_MS) break;
        if (Date.now() > deadline) throw new Error(`statements of ${day} not computed after ${timeoutMs / 1000} s: ${JSON.stringify(listed)}`);
        await sleep(1000);
      }
      for (const s of listed) contents.push(await call(d, `/v1/statements/${encodeURIComponent(s.statementId)}`));
    } catch (err) {
      problems.push(`${d}: ${(err as Error).message}`);
    }
  }
  return { contents, problems };
}
