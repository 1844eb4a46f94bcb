import { IesError } from '@ies/errors';
import { defineLifecycle } from '@ies/lifecycle';

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

const EVENT_LIFECYCLE = defineLifecycle<DrEventState>(
  {
    DRAFT: ['ACTIVE', 'CANCELLED'],
    ACTIVE: ['BASELINED', 'CANCELLED'],
    BASELINED: ['MEASURED', 'CANCELLED'],
    MEASURED: ['SETTLED'],
    SETTLED: [],
    CANCELLED: [],
  },
  (from, to, eventId) => new InvalidTransitionError(from, to, eventId),
);

export const VALID_TRANSITIONS = EVENT_LIFECYCLE.transitions;

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

export const isDrEventState = EVENT_LIFECYCLE.isState;

export const canTransition = EVENT_LIFECYCLE.can;

/** `to` when the move is allowed, otherwise an InvalidTransitionError. */
export function transition(from: DrEventState, to: DrEventState | string, eventId?: string): DrEventState {
  return EVENT_LIFECYCLE.assert(from, to, eventId);
}

export const isTerminal = EVENT_LIFECYCLE.isFinal;
