/**
 * SQL literals for ClickHouse. Server-side query parameters (`{name:Type}`) arrived in
 * ClickHouse 19.x; the Debian package is 18.16 and answers "Unknown setting param_…",
 * so values are inlined as escaped literals instead. Only this module builds literals.
 */
export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];

export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `[${value.map((v: SqlValue) => literal(v)).join(', ')}]`;
  switch (typeof value) {
    case 'string':
      return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`cannot inline non-finite number ${value}`);
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    default:
      if (value instanceof Date) return `toDateTime(${Math.floor(value.getTime() / 1000)})`;
      throw new TypeError(`cannot inline ${typeof value}`);
  }
}

/** Identifiers (database, table, column) are checked, never escaped into shape. */
export function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`invalid ClickHouse identifier ${JSON.stringify(name)}`);
  return name;
}

/** Tagged template: sql`SELECT * FROM t WHERE id = ${id}` with every value a literal. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += literal(v) + (strings[i + 1] ?? '');
  });
  return out;
}
