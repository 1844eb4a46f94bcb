import type { Profile } from './meterdata-document.js';
import { child, item, refuse, show } from './paths.js';
import type { MeterLookup } from './types.js';

/** A meter's IS 15959 category (A, B, C, D1…D4) and where it was learnt, for messages. */
export interface MeterCategory {
  readonly meterId: string;
  readonly category: string;
  readonly source: string;
}

interface CustomerMeter {
  id?: { value?: unknown };
  meterCategory?: unknown;
}

/**
 * The categories the document itself states: `meters[].meterCategory` of its
 * CustomerProfiles, by meter id value. A meter given two different categories is refused.
 */
export function categoriesInDocument(profiles: readonly Profile[], pathOf: (index: number) => string): Map<string, MeterCategory> {
  const found = new Map<string, MeterCategory & { path: string }>();
  profiles.forEach((profile, p) => {
    if (profile.profileType !== 'CUSTOMER') return;
    const meters = (profile as { meters?: CustomerMeter[] }).meters ?? [];
    meters.forEach((meter, m) => {
      const meterId = meter.id?.value;
      const category = meter.meterCategory;
      if (typeof meterId !== 'string' || typeof category !== 'string') return;
      const path = item(child(pathOf(p), 'meters'), m);
      const earlier = found.get(meterId);
      if (earlier !== undefined && earlier.category !== category) {
        throw refuse('IES_ERR_METERDATA_METER_CATEGORY', path, `CustomerProfile ${path} gives meter ${show(meterId)} category ${category}, but ${earlier.path} gives it ${earlier.category}`, { meterId, meterCategory: category });
      }
      found.set(meterId, { meterId, category, source: `CustomerProfile ${path}`, path });
    });
  });
  return found;
}

/**
 * The category rule 8 checks a data profile against: the first of its meterRefs whose
 * category the document (a CustomerProfile) or the registry states, as the reference
 * validator takes the first meterRef it finds in its category table. When both state one
 * for the same meter they must agree: the registry is operator-signed, the document is not.
 */
export function meterCategoryOf(profile: Profile, path: string, inDocument: ReadonlyMap<string, MeterCategory>, meters: MeterLookup): MeterCategory | undefined {
  for (const ref of profile.meterRefs ?? []) {
    const fromDocument = inDocument.get(ref.value);
    const registered = meters(ref.value)?.meterCategory;
    if (fromDocument !== undefined && registered !== undefined && fromDocument.category !== registered) {
      throw refuse('IES_ERR_METERDATA_METER_CATEGORY', path, `${fromDocument.source} gives meter ${show(ref.value)} category ${fromDocument.category}, but the registry has it as category ${registered}`, { meterId: ref.value, meterCategory: fromDocument.category, registered });
    }
    if (fromDocument !== undefined) return fromDocument;
    if (registered !== undefined) return { meterId: ref.value, category: registered, source: 'registry' };
  }
  return undefined;
}
