import { IesError } from '@ies/errors';
import type { CandidateRead } from './candidate.js';
import { assertPolicy } from './policy.js';
import { parseOffsetTime, type OffsetTime } from './timestamps.js';
import { VALIDATION_STATUSES, type Channel, type IngestContext, type IngestResult, type ValidationStatus } from './types.js';
import { applyVee } from './vee.js';

/** The compact CSV contract, exactly: one row per meter and block, Wh integers per channel. */
export const CSV_HEADER = 'meter_id,block_start,import_wh,export_wh,status';
const COLUMNS = CSV_HEADER.split(',');
const INTEGER = /^-?\d+$/;
/** CSV rows come from a head-end system's export. */
const CSV_SOURCE = 'HES';

const CHANNEL_COLUMNS: readonly { channel: Channel; column: number; name: string }[] = [
  { channel: 'IMPORT', column: 2, name: 'import_wh' },
  { channel: 'EXPORT', column: 3, name: 'export_wh' },
];

function rowProblem(fields: readonly string[], line: number, parseTime: (text: string) => OffsetTime | undefined): { column: string; message: string } | undefined {
  if (fields.length !== COLUMNS.length) {
    return { column: '', message: `line ${line} has ${fields.length} fields; expected ${COLUMNS.length} (${CSV_HEADER})` };
  }
  const [meterId = '', blockStart = '', , , status = ''] = fields;
  if (meterId === '') return { column: 'meter_id', message: `line ${line}: meter_id is empty` };
  if (parseTime(blockStart) === undefined) {
    return { column: 'block_start', message: `line ${line}: block_start ${JSON.stringify(blockStart)} is not an RFC 3339 date-time with an explicit offset (Z or ±hh:mm)` };
  }
  if (!(VALIDATION_STATUSES as readonly string[]).includes(status)) {
    return { column: 'status', message: `line ${line}: status ${JSON.stringify(status)} is not one of ${VALIDATION_STATUSES.join(', ')}` };
  }
  if (fields[2] === '' && fields[3] === '') return { column: '', message: `line ${line} has neither import_wh nor export_wh` };
  return undefined;
}

function whProblem(text: string, name: string, line: number): string | undefined {
  if (!INTEGER.test(text)) return `line ${line}: ${name} ${JSON.stringify(text)} is not an integer number of Wh`;
  if (!Number.isSafeInteger(Number(text))) return `line ${line}: ${name} ${text} is beyond the safe integer range`;
  return undefined;
}

/**
 * Normalises the compact CSV (`meter_id,block_start,import_wh,export_wh,status`). A wrong
 * header throws IES_ERR_CSV_HEADER; every other problem rejects only the reads of its row.
 * Each row gives up to two candidate reads, IMPORT then EXPORT; an empty Wh field means
 * that channel is absent. Fields are split on commas (no quoting, no trimming); a
 * trailing newline, CRLF line ends and a leading UTF-8 byte-order mark are accepted.
 */
export function normaliseCompactCsv(text: string, ctx: IngestContext): IngestResult {
  assertPolicy(ctx.policy);
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const header = lines[0] ?? '';
  if (header !== CSV_HEADER) {
    throw new IesError('IES_ERR_CSV_HEADER', `CSV header ${JSON.stringify(header)} is not exactly ${JSON.stringify(CSV_HEADER)}`, { details: { header, expected: CSV_HEADER } });
  }
  // A batch repeats few distinct block starts (one per 15 minutes across many meters):
  // parse each once. Profiling the gateway showed timestamp parsing as its top cost.
  const parsed = new Map<string, OffsetTime | undefined>();
  const parseTime = (t: string): OffsetTime | undefined => {
    if (parsed.has(t)) return parsed.get(t);
    const v = parseOffsetTime(t);
    parsed.set(t, v);
    return v;
  };
  const candidates: CandidateRead[] = [];
  for (let r = 1; r < lines.length; r++) {
    const line = r + 1;
    const fields = (lines[r] as string).split(',');
    const problem = rowProblem(fields, line, parseTime);
    const start = problem === undefined ? parseTime(fields[1] as string) : undefined;
    const whole = fields.length === COLUMNS.length;
    const meterId = whole && fields[0] !== '' ? (fields[0] as string) : null;
    const status = (problem === undefined ? fields[4] : 'VALID') as ValidationStatus;
    const present = whole ? CHANNEL_COLUMNS.filter((c) => fields[c.column] !== '') : [];
    const candidate = (path: string, channel: Channel | null, raw: string | undefined, malformed: string | undefined): CandidateRead => {
      const wh = malformed === undefined && raw !== undefined ? Number(raw) : null;
      return {
        path,
        meterId,
        blockStart: start?.ms ?? null,
        zone: start?.zone ?? 'Z',
        offsetMinutes: start?.offsetMinutes ?? 0,
        subMillisecond: start?.subMillisecond ?? false,
        channel,
        wh,
        negative: wh !== null && wh < 0,
        valueLabel: channel === null ? '' : `${channel === 'IMPORT' ? 'import_wh' : 'export_wh'} ${raw}`,
        validationStatus: status,
        source: CSV_SOURCE,
        malformed,
      };
    };
    if (problem !== undefined && present.length === 0) {
      candidates.push(candidate(problem.column === '' ? `line ${line}` : `line ${line}, ${problem.column}`, null, undefined, problem.message));
      continue;
    }
    for (const { channel, column, name } of present) {
      const raw = fields[column] as string;
      const path = `line ${line}, ${problem === undefined || problem.column === '' ? name : problem.column}`;
      candidates.push(candidate(path, channel, raw, problem?.message ?? whProblem(raw, name, line)));
    }
  }
  return { ...applyVee(candidates, ctx), ignoredProfiles: {} };
}
