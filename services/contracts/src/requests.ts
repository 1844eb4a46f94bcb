/**
 * Signed writes that travel outside HTTP still name the HTTP request they stand for, so one
 * signature binding (htm, htu, tenant in the JWS protected header) holds on every path: a
 * head-end batch produced to `headend-submissions.v1` is signed as `POST /v1/meter-data`, and
 * consumers that re-verify a batch (notary, loader) check that binding too.
 */
export const METER_DATA_WRITE = { method: 'POST', path: '/v1/meter-data' } as const;
