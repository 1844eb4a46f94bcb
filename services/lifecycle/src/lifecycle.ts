/**
 * Explicit state machines (kafkajs' VALID_STATE_TRANSITIONS habit): a lifecycle is its
 * table of allowed moves, and every move is checked against it. The refusal is the
 * lifecycle's own typed error, because each carries its own code and message.
 */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

export interface Lifecycle<S extends string> {
  /** The states, in the table's order. */
  readonly states: readonly S[];
  /** The table, frozen. */
  readonly transitions: Transitions<S>;
  isState(value: unknown): value is S;
  can(from: S, to: S): boolean;
  /** A state no move leaves. */
  isFinal(state: S): boolean;
  /** `to` when the move is allowed; otherwise throws the lifecycle's error. */
  assert(from: S, to: S | string, subject?: string): S;
}

/** Makes the error of a refused move; `to` may be a string that is no state at all. */
export type Refusal<S extends string> = (from: S, to: string, subject: string | undefined) => Error;

export function defineLifecycle<S extends string>(transitions: Readonly<Record<S, readonly S[]>>, refuse: Refusal<S>): Lifecycle<S> {
  const table = Object.freeze(Object.fromEntries(Object.entries<readonly S[]>(transitions).map(([from, to]) => [from, Object.freeze([...to])]))) as Transitions<S>;
  const states = Object.freeze(Object.keys(table) as S[]);
  for (const [from, to] of Object.entries<readonly S[]>(table)) {
    for (const s of to) if (!states.includes(s)) throw new TypeError(`lifecycle move ${from} → ${s} names no state`);
  }
  const isState = (value: unknown): value is S => typeof value === 'string' && (states as readonly string[]).includes(value);
  const can = (from: S, to: S) => table[from].includes(to);
  return {
    states,
    transitions: table,
    isState,
    can,
    isFinal: (state) => table[state].length === 0,
    assert(from, to, subject) {
      if (!isState(to) || !can(from, to)) throw refuse(from, to, subject);
      return to;
    },
  };
}
