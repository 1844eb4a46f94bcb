import { IesError } from '@ies/errors';

/**
 * Lifecycle of a DR event:
 *
 *   DRAFT ──► ACTIVE ──► BASELINED ──► MEASURED ──► SETTLED
 *     │         │            │
 *     └─────────┴────────────┴──► CANCELLED
 *
 * DRAFT: requested, not yet confirmed. ACTIVE: confirmed (DEG `confirm`), meters bound.
 * BASELINED: baselines published for every participating meter. MEASURED: usage after the
 * event is in and performance computed. SETTLED: payment and penalty are final.
 * An event can be cancelled until it is measured; after that it can only be settled.
 */
export const DR_EVENT_STATES = ['DRAFT', 'ACTIVE', 'BASELINED', 'MEASURED', 'SETTLED', 'CANCELLED'] as const;
export type DrEventState = (typeof DR_EVENT_STATES)[number];

export const VALID_TRANSITIONS: Readonly<Record<DrEventState, readonly DrEventState[]>> = Object.freeze({
  DRAFT: Object.freeze(['ACTIVE', 'CANCELLED'] as const),
  ACTIVE: Object.freeze(['BASELINED', 'CANCELLED'] as const),
  BASELINED: Object.freeze(['MEASURED', 'CANCELLED'] as const),
  MEASURED: Object.freeze(['SETTLED'] as const),
  SETTLED: Object.freeze([] as const),
  CANCELLED: Object.freeze([] as const),
});

/** The typed error of a refused transition (IES_ERR_DR_TRANSITION_INVALID). */
export class InvalidTransitionError extends IesError {
  readonly from: DrEventState;
  readonly to: string;

  constructor(from: DrEventState, to: string, eventId?: string) {
    const allowed = VALID_TRANSITIONS[from];
    const subject = eventId === undefined ? 'DR event' : `DR event ${eventId}`;
    const options = allowed.length === 0 ? `${from} is final` : `from ${from} only ${allowed.join(' or ')}`;
    super('IES_ERR_DR_TRANSITION_INVALID', `${subject} cannot go from ${from} to ${to}: ${options}`, {
      details: { from, to, allowed: [...allowed], ...(eventId === undefined ? {} : { eventId }) },
    });
    this.name = 'InvalidTransitionError';
    this.from = from;
    this.to = to;
  }
}

export function isDrEventState(value: unknown): value is DrEventState {
  return typeof value === 'string' && (DR_EVENT_STATES as readonly string[]).includes(value);
}

export function canTransition(from: DrEventState, to: DrEventState): boolean {
  return VALID_TRANSITIONS[from].includes(to);
}

/** `to` when the move is allowed, otherwise an InvalidTransitionError. */
export function transition(from: DrEventState, to: DrEventState | string, eventId?: string): DrEventState {
  if (!isDrEventState(to) || !canTransition(from, to)) throw new InvalidTransitionError(from, to, eventId);
  return to;
}

export function isTerminal(state: DrEventState): boolean {
  return VALID_TRANSITIONS[state].length === 0;
}
