import { describe, expect, it } from 'vitest';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCliArgs } from '../../../main/cli/fast-args.ts';

/** What util.parseArgs makes of `config`: its result, or its error's code and message. */
function reference(config: ParseArgsConfig): unknown {
  try {
    const r = parseArgs(config);
    return { values: { ...r.values }, proto: Object.getPrototypeOf(r.values), positionals: r.positionals };
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
}

function ours(config: ParseArgsConfig): unknown {
  try {
    const r = parseCliArgs(config);
    return { values: { ...r.values }, proto: Object.getPrototypeOf(r.values), positionals: r.positionals };
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
}

const options = {
  host: { type: 'string' },
  hex: { type: 'boolean' },
  'line-ending': { type: 'string' },
  'no-servername': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Words a command line is made of, hostile ones included. */
const WORDS = [
  '127.0.0.1', '6379', 'PING', '', '-', '--', '-h', '-x', '-5', '--hex', '--hex=1', '--hex=', '--host', '--host=', '--host=a=b',
  '--host=-1', '--line-ending', 'crlf', '--no-servername', '--unknown', '--__proto__', '--constructor', '--toString', '---x',
  '--=x', '-hx', '--HEX', 'a b', '\u00e9',
];

describe('parseCliArgs', () => {
  it('gives util.parseArgs\'s result or error for every command line of up to three words', () => {
    let compared = 0;
    for (const a of WORDS) {
      for (const b of [undefined, ...WORDS]) {
        for (const c of [undefined, ...WORDS]) {
          const args = [a, b, c].filter((w): w is string => w !== undefined);
          for (const allowPositionals of [true, false]) {
            const config = { args, options, strict: true, allowPositionals } as const;
            expect(ours(config), JSON.stringify(config)).toEqual(reference(config));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('hands non-strict parsing, defaults, multiple and tokens to util.parseArgs', () => {
    const configs: ParseArgsConfig[] = [
      { args: ['--x', '1'], options: { x: { type: 'string', default: 'd' } }, strict: true },
      { args: ['--x', '1', '--x', '2'], options: { x: { type: 'string', multiple: true } }, strict: true },
      { args: ['--y'], options: {}, strict: false },
      { args: ['--x', '1'], options: { x: { type: 'string' } }, tokens: true },
    ];
    for (const config of configs) expect(ours(config)).toEqual(reference(config));
  });

  it('parses the everyday send command line', () => {
    const r = parseCliArgs({ args: ['127.0.0.1', '6379', 'PING', '--line-ending', 'crlf', '--hex'], options, allowPositionals: true, strict: true });
    expect(r.positionals).toEqual(['127.0.0.1', '6379', 'PING']);
    expect({ ...r.values }).toEqual({ 'line-ending': 'crlf', hex: true });
  });
});
