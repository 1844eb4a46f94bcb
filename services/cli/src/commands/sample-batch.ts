/** A small, deterministic compact-CSV batch for the demo (the simulator replaces it later). */
export interface SampleRead {
  meterId: string;
  blockStart: number;
  importWh: number;
  exportWh: number;
  status: 'VALID' | 'ESTIMATED';
}

const BLOCK_MS = 15 * 60 * 1000;
/** 00:00 IST = 18:30 UTC the previous day. */
const IST_OFFSET_MS = (5 * 60 + 30) * 60 * 1000;

/** `meters` meters × `blocks` consecutive 15-minute blocks from the start of an IST day. */
export function sampleBatch(istDay: string, meters: number, blocks: number): { reads: SampleRead[]; csv: string } {
  const dayStart = Date.parse(`${istDay}T00:00:00Z`) - IST_OFFSET_MS;
  const reads: SampleRead[] = [];
  for (let m = 1; m <= meters; m += 1) {
    for (let b = 0; b < blocks; b += 1) {
      const prosumer = m % 3 === 0;
      reads.push({
        meterId: `DEMO-MTR-${String(m).padStart(4, '0')}`,
        blockStart: dayStart + b * BLOCK_MS,
        importWh: 80 + ((m * 37 + b * 11) % 120),
        exportWh: prosumer ? (m * 13 + b * 7) % 40 : 0,
        status: b === blocks - 1 && m === 2 ? 'ESTIMATED' : 'VALID',
      });
    }
  }
  const lines = reads.map((r) => `${r.meterId},${new Date(r.blockStart).toISOString()},${r.importWh},${r.exportWh},${r.status}`);
  return { reads, csv: `meter_id,block_start,import_wh,export_wh,status\n${lines.join('\n')}\n` };
}
