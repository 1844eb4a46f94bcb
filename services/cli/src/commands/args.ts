/** Minimal `--name value` / `--flag` parsing for the `ies` commands (no positional reordering). */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) options.set(name, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      options.set(name, next);
      i += 1;
    } else options.set(name, true);
  }
  return { positional, options };
}

export function option(args: ParsedArgs, name: string, fallback: string): string {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : fallback;
}
