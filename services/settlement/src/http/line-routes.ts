import type { FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '@ies/clickhouse';
import { problemResponses } from '@ies/errors';
import { IesError } from '@ies/errors';
import { BEARER, INTEGER, READ_ERRORS, STRING, doc, open } from '@ies/http/openapi';
import { readStatementLines } from '../statement-line-queries.js';
import type { StatementStore } from '../statement-store.js';
import { statementReader, type StatementRouteDeps } from './statement-routes.js';

/** The most lines one page carries: a page is for a person or a paging client, the whole document is GET /v1/statements/{id}. */
export const MAX_LINE_PAGE = 1000;

const NULLABLE_INTEGER = { type: 'integer', nullable: true } as const;
const NULLABLE_STRING = { type: 'string', nullable: true } as const;
const LINE = open({
  lineNo: { type: 'integer', description: "The line's position in the signed document, from 1" },
  kind: STRING, reference: STRING,
  intervalStartMs: { ...NULLABLE_INTEGER, description: 'UTC epoch ms' }, intervalEndMs: NULLABLE_INTEGER,
  meterId: NULLABLE_STRING, payer: STRING, payee: STRING, counterparty: STRING,
  quantityWh: { ...NULLABLE_INTEGER, description: 'Wh' }, ratePaisePerKwh: { ...NULLABLE_INTEGER, description: 'paise per kWh' }, amountPaise: { type: 'integer', description: 'paise' }, note: NULLABLE_STRING,
}, ['lineNo', 'kind', 'reference', 'payer', 'payee', 'counterparty', 'amountPaise']);

export const STATEMENT_LINES = doc({
  summary: "A page of a statement's lines (its current content), in document order, narrowed by kind, meter and counterparty; with the number that match",
  description: `For a person or a client paging a large statement (a 1,000,000-meter day): at most ${MAX_LINE_PAGE} lines a page, read from settlement's statement_lines table under the content's sha256 (the same lines as the signed document, whose hash is in the answer). The signed document itself is GET /v1/statements/{id}.`,
  tags: ['statements'],
  security: BEARER,
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 400 } } },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: {
      offset: { type: 'integer', minimum: 0, maximum: 100_000_000, default: 0, description: 'Matching lines to skip' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LINE_PAGE, default: 100 },
      kind: { type: 'string', minLength: 1, maxLength: 64, description: 'e.g. P2P_ENERGY, WHEELING, DR_INCENTIVE' },
      meter: { type: 'string', minLength: 1, maxLength: 128, description: 'A meter id' },
      counterparty: { type: 'string', minLength: 1, maxLength: 128, description: 'A counterparty (DISCOM, aggregator, platform)' },
    },
  },
  response: {
    200: {
      description: 'The page',
      ...open({ statementId: STRING, sha256: STRING, status: STRING, offset: INTEGER, limit: INTEGER, total: { type: 'integer', description: 'Lines matching the filter' }, lines: { type: 'array', items: LINE } },
        ['statementId', 'sha256', 'status', 'offset', 'limit', 'total', 'lines']),
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

/**
 * GET /v1/statements/:id/lines: the paged line table of the console's settlement page (and
 * any client's). Same caller rule as the other statement reads: the DISCOM's own participant,
 * its own tenant's statements (another tenant's id is simply not found).
 */
export function lineRoutes(app: FastifyInstance, deps: Pick<StatementRouteDeps, 'config' | 'registry' | 'now'> & { store: Pick<StatementStore, 'summary'>; ch: ClickHouseClient }): void {
  app.get('/v1/statements/:id/lines', { schema: STATEMENT_LINES }, async (req) => {
    const who = await statementReader(deps, req.headers.authorization);
    const { id } = req.params as { id: string };
    const q = req.query as { offset: number; limit: number; kind?: string; meter?: string; counterparty?: string };
    const summary = await deps.store.summary(who.discomId, id);
    if (summary === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${id}`);
    const page = await readStatementLines(deps.ch, {
      discomId: who.discomId, statementId: id, sha256: summary.sha256, offset: q.offset, limit: q.limit,
      ...(q.kind === undefined ? {} : { kind: q.kind }), ...(q.meter === undefined ? {} : { meterId: q.meter }), ...(q.counterparty === undefined ? {} : { counterparty: q.counterparty }),
    });
    return { statementId: id, sha256: summary.sha256, status: summary.status, offset: q.offset, limit: q.limit, ...page };
  });
}
