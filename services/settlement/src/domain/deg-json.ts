/** Reading DEG JSON defensively: objects, non-empty strings, and a collector of coded problems. */
import type { Problem, SettlementCode } from './codes.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
export const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export class Collector {
  readonly problems: Problem[] = [];
  add(code: SettlementCode, path: string, message: string): void {
    this.problems.push({ code, path, message });
  }
}
