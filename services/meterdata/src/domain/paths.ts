import { IesError, type ErrorCode } from '@ies/errors';

/** "[1]" + "intervals" → "[1].intervals"; "" + "intervals" → "intervals" (a single-profile document). */
export function child(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export function item(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** A whole-batch refusal: the rule's code, a message with the location and numbers, and the path. */
export function refuse(code: ErrorCode, path: string, message: string, details: Record<string, unknown> = {}): IesError {
  return new IesError(code, message, { details: { path, ...details } });
}

/** How a message names a value: the JSON literal, strings quoted. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
