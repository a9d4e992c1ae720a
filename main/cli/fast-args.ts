/**
 * `util.parseArgs` with a fast path for the everyday command line (issue 16: the first call of
 * util.parseArgs loads its module, ~0.8 ms of every one-shot `send`).
 *
 * Invariant: the result is exactly util.parseArgs's. The fast path accepts only what it can parse
 * the same way (long options of the config, `--name=value`, `--`, positionals that do not start
 * with "-"); anything else (short options, an unknown option, a missing or dash-led value, a
 * boolean given a value, a config with defaults, `multiple`, tokens or non-strict parsing) is
 * handed to util.parseArgs, which then parses or refuses it with its own messages.
 * test/main/cli/fast-args.test.ts compares the two on a corpus of command lines.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Parses like util.parseArgs(config). */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): Parsed<T> {
  return (parseSimple(config) ?? parseArgs(config)) as Parsed<T>;
}

/** The fast path: the result, or null when util.parseArgs must decide. */
function parseSimple(config: ParseArgsConfig): { values: Record<string, string | boolean>; positionals: string[] } | null {
  const { args, options = {} } = config;
  if (args === undefined || config.strict === false || config.tokens === true) return null;
  const allowPositionals = config.allowPositionals ?? false;
  for (const name of Object.keys(options)) {
    const option = options[name]!;
    if (option.multiple === true || option.default !== undefined) return null;
  }
  const values: Record<string, string | boolean> = Object.create(null) as Record<string, string | boolean>;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      if (!allowPositionals && i + 1 < args.length) return null;
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg.charCodeAt(0) !== 0x2d) {
      // "-" alone and anything not starting with "-" is a positional.
      if (!allowPositionals) return null;
      positionals.push(arg);
      continue;
    }
    if (arg.charCodeAt(1) !== 0x2d) return null;
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    if (!Object.hasOwn(options, name)) return null;
    const type = options[name]!.type;
    if (type === 'boolean') {
      if (equals !== -1) return null;
      values[name] = true;
    } else if (equals !== -1) {
      values[name] = arg.slice(equals + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) return null;
      values[name] = next;
      i++;
    }
  }
  return { values, positionals };
}
