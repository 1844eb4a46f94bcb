import { resolveReadingType, type IesCode } from './ies-codes.js';
import type { PayloadDescriptor, Profile, SequenceAttribute } from './meterdata-document.js';
import { child, item, refuse, show } from './paths.js';

export interface ResolvedDescriptor {
  readonly descriptor: PayloadDescriptor;
  readonly code: IesCode;
  readonly path: string;
}

export interface ResolvedSequenceItem {
  readonly readingType: string;
  readonly attribute: SequenceAttribute;
  readonly code: IesCode;
  readonly descriptor: ResolvedDescriptor;
}

export interface ResolvedSequence {
  readonly name: string;
  readonly path: string;
  readonly items: readonly ResolvedSequenceItem[];
}

export interface DescriptorSet {
  readonly name: string;
  readonly path: string;
  readonly descriptors: readonly ResolvedDescriptor[];
  readonly sequences: ReadonlyMap<string, ResolvedSequence>;
}

export interface DescriptorCatalogue {
  /** True when the document holds at least one PayloadDescriptorProfile. */
  readonly present: boolean;
  readonly sets: ReadonlyMap<string, DescriptorSet>;
}

/** Units that mean "no unit" for a code whose IES unit is empty (power factor, identifiers). */
const UNITLESS = new Set(['NONE', 'PF']);

/**
 * A descriptor's readingType must itself be an OBIS code or short label of IES codes.json,
 * as the reference validator requires: its `obis` is checked against the code, never used in
 * place of an unknown readingType (that fallback once turned an undefined reading type into
 * reads).
 */
function resolveDescriptor(d: PayloadDescriptor, path: string): IesCode {
  const code = resolveReadingType(d.readingType);
  if (code === undefined) {
    throw refuse('IES_ERR_METERDATA_READING_TYPE_UNKNOWN', path, `payload descriptor ${path}: readingType ${show(d.readingType)} is neither an OBIS code nor a short label in IES codes.json${d.obis === undefined ? '' : ` (its obis ${show(d.obis)} is not used in its place)`}`, { readingType: d.readingType });
  }
  const conflict = (what: string, declared: unknown, canonical: unknown) =>
    refuse('IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', path, `payload descriptor ${path} (${d.readingType}): ${what} ${show(declared)} contradicts IES codes.json, which gives ${show(canonical)} for ${code.obis} (${code.shortLabel})`, { readingType: d.readingType, field: what });
  if (d.obis !== undefined && d.obis !== code.obis) throw conflict('obis', d.obis, code.obis);
  if (d.name !== undefined && d.name !== code.name) throw conflict('name', d.name, code.name);
  if (d.unit !== undefined && (code.unit === '' ? !UNITLESS.has(d.unit) : d.unit !== code.unit)) throw conflict('unit', d.unit, code.unit || 'NONE');
  if (d.flowDirection !== undefined && code.flowDirection !== undefined && d.flowDirection !== code.flowDirection) throw conflict('flowDirection', d.flowDirection, code.flowDirection);
  if (d.category !== undefined && d.category !== code.category) throw conflict('category', d.category, code.category);
  if (d.reportedMode !== undefined && !code.supportedModes.includes(d.reportedMode)) throw conflict('reportedMode', d.reportedMode, code.supportedModes);
  return code;
}

/**
 * The descriptor a reading type refers to within a set: the same readingType text first,
 * else the same IES code (a short label may meet its OBIS code).
 */
export function findDescriptor(set: DescriptorSet, readingType: string, code: IesCode | undefined): ResolvedDescriptor | undefined {
  return set.descriptors.find((d) => d.descriptor.readingType === readingType) ?? (code === undefined ? undefined : set.descriptors.find((d) => d.code === code));
}

/**
 * Collects every descriptor set of the document's PayloadDescriptorProfiles (anywhere in the
 * array) and checks them: each readingType resolves against IES codes.json, declarations
 * agree with it, each compact sequence item is declared in its set, names are unique.
 */
export function collectDescriptorSets(profiles: readonly Profile[], pathOf: (index: number) => string): DescriptorCatalogue {
  const sets = new Map<string, DescriptorSet>();
  let present = false;
  profiles.forEach((profile, p) => {
    if (profile.profileType !== 'DESCRIPTOR') return;
    present = true;
    (profile.payloadDescriptorSets ?? []).forEach((raw, s) => {
      const setPath = item(child(pathOf(p), 'payloadDescriptorSets'), s);
      const earlier = sets.get(raw.name);
      if (earlier) throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', setPath, `descriptor set name ${show(raw.name)} at ${setPath} is already defined at ${earlier.path}; a payloadDescriptorSetRef to it would be ambiguous`, { set: raw.name });
      const descriptors = raw.payloadDescriptors.map((d, k) => {
        const path = item(child(setPath, 'payloadDescriptors'), k);
        return { descriptor: d, code: resolveDescriptor(d, path), path };
      });
      const set: DescriptorSet = { name: raw.name, path: setPath, descriptors, sequences: new Map() };
      const sequences = set.sequences as Map<string, ResolvedSequence>;
      (raw.compactSequences ?? []).forEach((seq, q) => {
        const seqPath = item(child(setPath, 'compactSequences'), q);
        if (sequences.has(seq.name)) throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', seqPath, `compact sequence name ${show(seq.name)} appears twice in descriptor set ${show(raw.name)}`, { set: raw.name, sequence: seq.name });
        const items = seq.sequenceItems.map((it, i): ResolvedSequenceItem => {
          const itemPath = item(child(seqPath, 'sequenceItems'), i);
          const byText = set.descriptors.find((d) => d.descriptor.readingType === it.readingType);
          const code = byText?.code ?? resolveReadingType(it.readingType);
          if (code === undefined) throw refuse('IES_ERR_METERDATA_READING_TYPE_UNKNOWN', itemPath, `sequence item ${itemPath}: readingType ${show(it.readingType)} is neither an OBIS code nor a short label in IES codes.json`, { readingType: it.readingType });
          const descriptor = findDescriptor(set, it.readingType, code);
          if (descriptor === undefined) throw refuse('IES_ERR_METERDATA_DESCRIPTOR_REF', itemPath, `sequence item ${itemPath}: readingType ${show(it.readingType)} of compact sequence ${show(seq.name)} is not declared in the payloadDescriptors of set ${show(raw.name)}`, { readingType: it.readingType, set: raw.name });
          return { readingType: it.readingType, attribute: it.attribute ?? 'value', code: descriptor.code, descriptor };
        });
        sequences.set(seq.name, { name: seq.name, path: seqPath, items });
      });
      sets.set(raw.name, set);
    });
  });
  return { present, sets };
}
