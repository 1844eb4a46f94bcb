import codeTable from './ies-codes.json' with { type: 'json' };
import type { Channel } from './types.js';

/** One reading type of IES codes.json (MeterData v0.6), as far as the rules use it. */
export interface IesCode {
  readonly obis: string;
  /** The code's full name ("Active energy import - block incremental (kWh)"); a descriptor's `name` must equal it. */
  readonly name: string;
  readonly shortLabel: string;
  readonly unit: string;
  readonly category: string;
  readonly flowDirection: string | undefined;
  readonly accumulationBehaviour: string | undefined;
  /** Profile shapes the reading type may appear in ("INTERVAL", "DAILY", "MONTHLY", …). */
  readonly profiles: readonly string[];
  readonly supportedModes: readonly string[];
  readonly defaultMode: 'READING' | 'USAGE';
  /** Meter categories (IS 15959: A, B, C, D1…D4) the reading type exists for; empty = any. */
  readonly meterCategories: readonly string[];
  /** Attributes a Reading of this type may carry besides readingType/timePeriod. */
  readonly allowedAttributes: ReadonlySet<string>;
}

interface RawCode {
  obis: string;
  name: string;
  meterCategories?: string[];
  allowedAttributes?: string[];
  shortLabel: string;
  unit: string;
  category: string;
  flowDirection?: string;
  accumulationBehaviour?: string;
  profiles: string[];
  supportedModes: string[];
  defaultMode: string;
}

const CODES: readonly IesCode[] = (codeTable.codes as RawCode[]).map((c) => Object.freeze({
  obis: c.obis,
  name: c.name,
  shortLabel: c.shortLabel,
  unit: c.unit,
  category: c.category,
  flowDirection: c.flowDirection,
  accumulationBehaviour: c.accumulationBehaviour,
  profiles: Object.freeze([...c.profiles]),
  supportedModes: Object.freeze([...c.supportedModes]),
  defaultMode: c.defaultMode === 'USAGE' ? 'USAGE' : 'READING',
  meterCategories: Object.freeze([...(c.meterCategories ?? [])]),
  // codes.json lists allowedAttributes for every code; the reference validator reads a missing list as ["value"].
  allowedAttributes: new Set(c.allowedAttributes ?? ['value']),
}));

const BY_NAME = new Map<string, IesCode>();
for (const code of CODES) BY_NAME.set(code.obis, code);
for (const code of CODES) if (!BY_NAME.has(code.shortLabel)) BY_NAME.set(code.shortLabel, code);

/** Resolves a readingType written as an OBIS code ("1.0.1.29.0.255") or a short label ("kWh imp block"). */
export function resolveReadingType(readingType: string): IesCode | undefined {
  return BY_NAME.get(readingType);
}

/** The codes.json profile list a profileType is checked against (BILL_DETAILS carries billing determinants). */
export function registryProfileOf(profileType: string): string {
  return profileType === 'BILL_DETAILS' ? 'MONTHLY' : profileType;
}

/** Block-incremental active energy, the two channels the backbone settles on (IS 15959 block load profile). */
const BLOCK_ENERGY_CHANNELS = new Map<string, Channel>([
  ['1.0.1.29.0.255', 'IMPORT'],
  ['1.0.2.29.0.255', 'EXPORT'],
]);

export function channelOf(code: IesCode): Channel | undefined {
  return BLOCK_ENERGY_CHANNELS.get(code.obis);
}

/** Energy units and their factor to Wh. */
export const WH_PER_UNIT: Readonly<Record<string, bigint>> = Object.freeze({ kWh: 1000n });
