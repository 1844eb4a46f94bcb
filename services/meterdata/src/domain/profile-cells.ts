import { findDescriptor, type DescriptorCatalogue, type DescriptorSet, type ResolvedDescriptor, type ResolvedSequence } from './descriptors.js';
import { registryProfileOf, resolveReadingType, type IesCode } from './ies-codes.js';
import { MATRIX_PROFILES, PROFILE_TITLES, type Interval, type Override, type PayloadDescriptor, type Period, type Profile, type Reading, type SequenceAttribute, type TelemetryMode } from './meterdata-document.js';
import { child, item, refuse, show } from './paths.js';
import { parseOffsetTime } from './timestamps.js';
import { VALIDATION_STATUSES, type ReadSource, type ValidationStatus } from './types.js';

/**
 * One value of one reading type: a group of compact payload columns of the same
 * readingType in one interval row, or one elaborated Reading. Compact and elaborated
 * forms of the same data give the same cells, so every later rule reads cells only.
 */
export interface Cell {
  /** The value's location, e.g. "[1].intervals[2].payloads[0]" or "[1].intervals[2].readings[0]". */
  path: string;
  /** Position in intervals[] and the interval's id; null for profile-level and ToU readings. */
  intervalIndex: number | null;
  intervalId: number | null;
  readingType: string;
  code: IesCode;
  descriptor: PayloadDescriptor | undefined;
  mode: TelemetryMode;
  value?: number;
  openingValue?: number;
  closingValue?: number;
  validationStatus?: ValidationStatus;
  source?: ReadSource;
  /** The cell's own timing: its interval's intervalPeriod or its reading's timePeriod. */
  period?: Period;
}

interface ReadingAt {
  reading: Reading;
  path: string;
  interval: Interval | undefined;
  intervalIndex: number | null;
}

export interface ProfileFrame {
  profile: Profile;
  path: string;
  /** "IntervalProfile [1]": how messages name the profile. */
  where: string;
  set: DescriptorSet | undefined;
  sequence: ResolvedSequence | undefined;
  intervals: readonly Interval[];
  /**
   * False on profile types whose schema declares no interval matrix (MONTHLY, BILL_DETAILS, …):
   * their compact payloads are not read, as in the reference validator (the IES short-code
   * bulk datasets carry such rows, one payload against a two-item sequence).
   */
  readsPayloads: boolean;
}

/**
 * Rule "descriptor present and referenced": every data profile (any type but DESCRIPTOR and
 * CUSTOMER, as the reference validator has it) names a descriptor set of this document in
 * its payloadDescriptorSetRef, which needs a PayloadDescriptorProfile in the document.
 */
export function frameProfile(profile: Profile, path: string, catalogue: DescriptorCatalogue): ProfileFrame {
  const title = PROFILE_TITLES[profile.profileType] ?? profile.profileType;
  const where = path === '' ? title : `${title} ${path}`;
  const matrix = MATRIX_PROFILES.has(profile.profileType);
  // Elaborated readings are read from `intervals` on every profile type (the schema declares
  // the array only for INTERVAL and DAILY); compact payloads only where it is declared.
  const intervals = profile.intervals ?? [];
  const ref = profile.payloadDescriptorSetRef;
  const reason = 'every data profile takes its reading types, units and modes from a descriptor set';
  if (!catalogue.present) {
    throw refuse('IES_ERR_METERDATA_DESCRIPTOR_MISSING', path, `${where} needs a PayloadDescriptorProfile (${ref === undefined ? reason : `it refers to descriptor set ${show(ref)}`}), but the document has none`);
  }
  const known = [...catalogue.sets.keys()].map(show).join(', ') || 'none';
  if (ref === undefined) {
    throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', path, `${where} has no payloadDescriptorSetRef; ${reason} (sets in this document: ${known})`);
  }
  const set: DescriptorSet | undefined = catalogue.sets.get(ref);
  if (set === undefined) {
    throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', child(path, 'payloadDescriptorSetRef'), `${where}: payloadDescriptorSetRef ${show(ref)} names no descriptor set of this document (sets: ${known})`, { ref });
  }
  let sequence: ResolvedSequence | undefined;
  if (matrix && profile.compactSequenceRef !== undefined) {
    sequence = set.sequences.get(profile.compactSequenceRef);
    if (sequence === undefined) {
      const names = [...set.sequences.keys()].map(show).join(', ') || 'none';
      throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', child(path, 'compactSequenceRef'), `${where}: compactSequenceRef ${show(profile.compactSequenceRef)} names no compact sequence of descriptor set ${show(set.name)} (sequences: ${names})`, { ref: profile.compactSequenceRef });
    }
  } else if (matrix && intervals.some((i) => i.payloads !== undefined)) {
    throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', path, `${where} has compact payloads but no compactSequenceRef naming their column layout`);
  }
  return { profile, path, where, set, sequence, intervals, readsPayloads: matrix };
}

/**
 * Every elaborated reading of the profile: in `intervals[].readings`, `readings` and
 * `touBuckets[].readings`, whether or not the profile type's schema declares that array (the
 * reference validator reads all three on every profile; an undeclared array is not a place
 * to hide data from the rules).
 */
function readingsOf(frame: ProfileFrame): ReadingAt[] {
  const { profile, path } = frame;
  const out: ReadingAt[] = [];
  frame.intervals.forEach((interval, k) => {
    (interval.readings ?? []).forEach((reading, r) => out.push({ reading, interval, intervalIndex: k, path: item(child(item(child(path, 'intervals'), k), 'readings'), r) }));
  });
  (profile.readings ?? []).forEach((reading, r) => out.push({ reading, interval: undefined, intervalIndex: null, path: item(child(path, 'readings'), r) }));
  (profile.touBuckets ?? []).forEach((bucket, b) => {
    bucket.readings.forEach((reading, r) => out.push({ reading, interval: undefined, intervalIndex: null, path: item(child(item(child(path, 'touBuckets'), b), 'readings'), r) }));
  });
  return out;
}

interface ResolvedReading extends ReadingAt {
  code: IesCode;
  descriptor: ResolvedDescriptor | undefined;
}

/** Attributes every reading may carry whatever its type: its type and its timing (schema.json `timePeriod`; the reference validator adds `intervalPeriod`). */
const ALWAYS_ALLOWED: ReadonlySet<string> = new Set(['readingType', 'timePeriod', 'intervalPeriod']);

/**
 * Rules "reportedMode belongs in the descriptor" and "allowedAttributes": an elaborated
 * reading carries no reportedMode, and only the attributes IES codes.json allows its type.
 */
function checkReadingAttributes(frame: ProfileFrame, at: ReadingAt, code: IesCode): void {
  const rt = at.reading.readingType;
  if ('reportedMode' in at.reading) {
    const mode = (at.reading as { reportedMode?: unknown }).reportedMode;
    throw refuse('IES_ERR_METERDATA_READING_MODE', at.path, `${frame.where}: reading ${show(rt)} at ${at.path} carries reportedMode ${show(mode)}; the mode belongs in its payload descriptor, not in an elaborated reading`, { readingType: rt });
  }
  for (const attribute of Object.keys(at.reading)) {
    if (ALWAYS_ALLOWED.has(attribute) || code.allowedAttributes.has(attribute)) continue;
    throw refuse('IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', at.path, `${frame.where}: reading ${show(rt)} (${code.obis}) at ${at.path} has ${attribute}, which IES codes.json does not allow for this reading type (allowed: ${[...code.allowedAttributes].join(', ')})`, { readingType: rt, attribute });
  }
}

/** Rules "readingType resolves against IES codes.json", "reading attributes" and "is declared in the referenced set". */
function resolveReadings(frame: ProfileFrame): ResolvedReading[] {
  const withCodes = readingsOf(frame).map((at) => {
    const rt = at.reading.readingType;
    const code = (frame.set?.descriptors.find((d) => d.descriptor.readingType === rt)?.code) ?? resolveReadingType(rt);
    if (code === undefined) {
      throw refuse('IES_ERR_METERDATA_READING_TYPE_UNKNOWN', at.path, `${frame.where}: readingType ${show(rt)} at ${at.path} is neither an OBIS code nor a short label in IES codes.json`, { readingType: rt });
    }
    checkReadingAttributes(frame, at, code);
    return { ...at, code };
  });
  return withCodes.map((at) => {
    if (frame.set === undefined) return { ...at, descriptor: undefined };
    const descriptor = findDescriptor(frame.set, at.reading.readingType, at.code);
    if (descriptor === undefined) {
      throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', at.path, `${frame.where}: readingType ${show(at.reading.readingType)} at ${at.path} is not declared in descriptor set ${show(frame.set.name)}`, { readingType: at.reading.readingType, set: frame.set.name });
    }
    return { ...at, descriptor };
  });
}

/** Rule "profile-type restriction": each reading type is allowed in the profile shapes IES codes.json lists. */
function checkProfileTypes(frame: ProfileFrame, used: { readingType: string; code: IesCode; path: string }[]): void {
  const shape = registryProfileOf(frame.profile.profileType);
  for (const u of used) {
    if (u.code.profiles.includes(shape)) continue;
    throw refuse('IES_ERR_METERDATA_PROFILE_TYPE', u.path, `${frame.where}: readingType ${show(u.readingType)} (${u.code.obis}, ${u.code.category}) at ${u.path} is not permitted in ${frame.profile.profileType} profiles; IES codes.json allows it in ${u.code.profiles.join(', ')}`, { readingType: u.readingType, allowed: u.code.profiles });
  }
}

/** Rule "allowedAttributes" for the compact form: each sequence item's attribute is one IES codes.json allows its type. */
function checkSequenceAttributes(frame: ProfileFrame): void {
  const sequence = frame.sequence;
  if (sequence === undefined) return;
  sequence.items.forEach((it, i) => {
    if (it.code.allowedAttributes.has(it.attribute)) return;
    const path = item(child(sequence.path, 'sequenceItems'), i);
    throw refuse('IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', path, `${frame.where}: compact sequence ${show(sequence.name)} item ${path} is the ${it.attribute} of ${show(it.readingType)} (${it.code.obis}), which IES codes.json does not allow for this reading type (allowed: ${[...it.code.allowedAttributes].join(', ')})`, { readingType: it.readingType, attribute: it.attribute });
  });
}

function arity(frame: ProfileFrame, path: string, message: string): Error {
  return refuse('IES_ERR_METERDATA_ARITY', path, `${frame.where}: ${message}`);
}

const NUMERIC_ATTRIBUTES: ReadonlySet<SequenceAttribute> = new Set(['value', 'openingValue', 'closingValue']);

function checkColumnType(frame: ProfileFrame, v: unknown, attribute: SequenceAttribute, readingType: string, path: string): void {
  const ok = NUMERIC_ATTRIBUTES.has(attribute) ? typeof v === 'number'
    : attribute === 'occurredAt' ? typeof v === 'string' && parseOffsetTime(v) !== undefined
      : typeof v === 'string' && (VALIDATION_STATUSES as readonly string[]).includes(v);
  if (ok) return;
  const expected = NUMERIC_ATTRIBUTES.has(attribute) ? 'a number' : attribute === 'occurredAt' ? 'an RFC 3339 date-time with offset' : `one of ${VALIDATION_STATUSES.join(', ')}`;
  throw arity(frame, path, `payload ${path} is the ${attribute} of ${show(readingType)} and must be ${expected}, got ${show(v)}`);
}

function applyOverride(cell: Cell, o: Override): void {
  if (o.validationStatus !== undefined) cell.validationStatus = o.validationStatus;
  if (o.source !== undefined) cell.source = o.source;
}

/** One interval's compact payload row → cells, with rule "arity and column types". */
function compactRow(frame: ProfileFrame, interval: Interval, k: number, payloads: readonly (number | string | boolean)[]): Cell[] {
  const sequence = frame.sequence;
  const rowPath = item(child(frame.path, 'intervals'), k);
  if (sequence === undefined) throw arity(frame, rowPath, `${rowPath} has payloads but no compact sequence`);
  if (payloads.length !== sequence.items.length) {
    throw arity(frame, child(rowPath, 'payloads'), `${rowPath} (id ${interval.id}) has ${payloads.length} payloads, but compact sequence ${show(sequence.name)} has ${sequence.items.length} items`);
  }
  const byType = new Map<string, { cell: Cell; seen: Set<SequenceAttribute> }>();
  const cells: Cell[] = [];
  const columnCells = sequence.items.map((it, c) => {
    const v = payloads[c];
    const path = item(child(rowPath, 'payloads'), c);
    checkColumnType(frame, v, it.attribute, it.readingType, path);
    let group = byType.get(it.readingType);
    if (group === undefined) {
      const cell: Cell = { path, intervalIndex: k, intervalId: interval.id, readingType: it.readingType, code: it.code, descriptor: it.descriptor.descriptor, mode: it.descriptor.descriptor.reportedMode ?? it.code.defaultMode };
      if (interval.intervalPeriod !== undefined) cell.period = interval.intervalPeriod;
      group = { cell, seen: new Set() };
      byType.set(it.readingType, group);
      cells.push(cell);
    }
    if (group.seen.has(it.attribute)) throw arity(frame, path, `compact sequence ${show(sequence.name)} has a second ${it.attribute} column for ${show(it.readingType)} (payload ${path})`);
    group.seen.add(it.attribute);
    const cell = group.cell;
    if (it.attribute === 'value') { cell.value = v as number; cell.path = path; }
    else if (it.attribute === 'openingValue') cell.openingValue = v as number;
    else if (it.attribute === 'closingValue') cell.closingValue = v as number;
    else if (it.attribute === 'validationStatus') cell.validationStatus = v as ValidationStatus;
    return cell;
  });
  (interval.overrides ?? []).forEach((o, j) => {
    const cell = columnCells[o.descriptorIndex];
    if (cell === undefined) throw arity(frame, item(child(rowPath, 'overrides'), j), `${rowPath} override ${j} names descriptorIndex ${o.descriptorIndex}, but the row has ${payloads.length} payload columns (0…${payloads.length - 1})`);
    applyOverride(cell, o);
  });
  return cells;
}

function readingCell(at: ResolvedReading): Cell {
  const r = at.reading;
  const cell: Cell = {
    path: at.path,
    intervalIndex: at.intervalIndex,
    intervalId: at.interval?.id ?? null,
    readingType: r.readingType,
    code: at.code,
    descriptor: at.descriptor?.descriptor,
    mode: at.descriptor?.descriptor.reportedMode ?? at.code.defaultMode,
    value: r.value,
  };
  if (r.openingValue !== undefined) cell.openingValue = r.openingValue;
  if (r.closingValue !== undefined) cell.closingValue = r.closingValue;
  if (r.validationStatus !== undefined) cell.validationStatus = r.validationStatus;
  if (r.source !== undefined) cell.source = r.source;
  const period = r.timePeriod ?? at.interval?.intervalPeriod;
  if (period !== undefined) cell.period = period;
  return cell;
}

/**
 * The profile's cells in document order (intervals in array order, payload columns before
 * elaborated readings, then profile-level readings, then ToU buckets), after the rules on
 * reading types, profile types, arity and column types.
 */
export function cellsOf(frame: ProfileFrame): Cell[] {
  const readings = resolveReadings(frame);
  const seqItems = frame.sequence?.items.map((it, i) => ({ readingType: it.readingType, code: it.code, path: item(child(frame.sequence?.path ?? '', 'sequenceItems'), i) })) ?? [];
  checkProfileTypes(frame, [...seqItems, ...readings.map((r) => ({ readingType: r.reading.readingType, code: r.code, path: r.path }))]);
  checkSequenceAttributes(frame);

  const byInterval = new Map<number, ResolvedReading[]>();
  for (const r of readings) if (r.intervalIndex !== null) byInterval.set(r.intervalIndex, [...(byInterval.get(r.intervalIndex) ?? []), r]);
  const cells: Cell[] = [];
  frame.intervals.forEach((interval, k) => {
    const row = interval.payloads === undefined || !frame.readsPayloads ? [] : compactRow(frame, interval, k, interval.payloads);
    const elaborated = (byInterval.get(k) ?? []).map(readingCell);
    if (interval.payloads === undefined) {
      (interval.overrides ?? []).forEach((o, j) => {
        const cell = elaborated[o.descriptorIndex];
        const rowPath = item(child(frame.path, 'intervals'), k);
        if (cell === undefined) throw arity(frame, item(child(rowPath, 'overrides'), j), `${rowPath} override ${j} names descriptorIndex ${o.descriptorIndex}, but the interval has ${elaborated.length} readings`);
        applyOverride(cell, o);
      });
    }
    cells.push(...row, ...elaborated);
  });
  for (const r of readings) if (r.intervalIndex === null) cells.push(readingCell(r));
  return cells;
}
