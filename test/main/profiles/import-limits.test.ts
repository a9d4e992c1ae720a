/**
 * Import parsing is linear and bounded whatever the file's shape (issue 11, item 2). Each case is a
 * generated worst case for one construct; the assertions are on work done and on sizes, never on
 * wall time (the vitest timeout only stops a run that would otherwise hang for minutes).
 */
import { describe, expect, it } from 'vitest';
import { parseImport } from '../../../main/profiles/import-profiles.ts';
import { PACKET_SENDER_FIELD_LIMITS, parsePacketSenderIni } from '../../../main/profiles/packet-sender.ts';
import { INI_LIMITS, parseQSettingsIni } from '../../../main/profiles/qsettings-ini.ts';
import { PROFILE_LIMITS } from '../../../shared/profile.ts';
import { MAX_JSON_DEPTH, findTooDeep } from '../../../main/profiles/json-text.ts';

const MiB = 1024 * 1024;
const HANG_GUARD_MS = 120_000;

/** One packet whose hexString is continued over `lines` lines of "41\". */
function continuedIni(lines: number): string {
  const head = '[NAMES]\nsize=1\n1\\name=a\n[a]\ntcpOrUdp=TCP\ntoIP=127.0.0.1\nport=1\nhexString=';
  return `${head}${'4\\\n'.repeat(lines)}1\n`;
}

function mustWork(text: string): number {
  const parsed = parseQSettingsIni(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.document.work;
}

describe('packets.ini parsing is linear', () => {
  it('joins a value continued over a million lines with work proportional to its size', { timeout: HANG_GUARD_MS }, () => {
    // Before the fix each continuation copied the whole value so far: 0.92 MiB took 35 s.
    const small = continuedIni(250_000);
    const large = continuedIni(1_000_000);
    const workSmall = mustWork(small);
    const workLarge = mustWork(large);
    expect(workSmall).toBeLessThanOrEqual(3 * small.length);
    expect(workLarge).toBeLessThanOrEqual(3 * large.length);
    // Four times the text, about four times the work (a quadratic join would be sixteen).
    expect(workLarge / workSmall).toBeLessThan(4.5);
    const value = parseQSettingsIni(large);
    const hex = value.ok ? value.document.values.get('a/hexString') : undefined;
    // Compared as a boolean: a failure must not print a million characters.
    expect(hex?.kind === 'string' && hex.value === `${'4'.repeat(1_000_000)}1`).toBe(true);
  });

  it('keeps the continuation rules: an escaped backslash at the end does not continue', () => {
    const parsed = parseQSettingsIni('[a]\nx=one\\\ntwo\ny=ends\\\\\nz=3\nw=\\\n\\\nq\n');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.document.values.get('a/x')).toEqual({ kind: 'string', value: 'onetwo' });
    expect(parsed.document.values.get('a/y')).toEqual({ kind: 'string', value: 'ends\\' });
    expect(parsed.document.values.get('a/z')).toEqual({ kind: 'string', value: '3' });
    expect(parsed.document.values.get('a/w')).toEqual({ kind: 'string', value: 'q' });
  });

  it('a file of blank lines after "[" is classified without rescanning (was quadratic in the INI sniffing regex)', { timeout: HANG_GUARD_MS }, () => {
    const text = `[${'\n'.repeat(8 * MiB)}`;
    const result = parseImport(text, 'blank.ini');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVALID_INPUT');
  });

  it('a 16 MiB plain or quoted value is copied in runs, not one character at a time', { timeout: HANG_GUARD_MS }, () => {
    // Before: one rope node per character, 9 s and 1.2 GiB for 31 MiB plain, 21 s quoted.
    const body = 'a'.repeat(16 * MiB);
    const cases: Array<[string, number]> = [
      [body, body.length],
      [`"${body}"`, body.length],
      [`${body.slice(0, 8 * MiB)}\\t${body.slice(8 * MiB)}`, body.length + 1],
    ];
    for (const [raw, expectedLength] of cases) {
      const parsed = parseQSettingsIni(`[a]\nk=${raw}\n`);
      const value = parsed.ok ? parsed.document.values.get('a/k') : undefined;
      expect(value?.kind === 'string' ? value.value.length : value?.kind).toBe(expectedLength);
    }
  });

  it('a 16 MiB key is unescaped in runs too', { timeout: HANG_GUARD_MS }, () => {
    // Before: 20 s and 1.2 GiB for a 31 MiB key.
    const key = `${'k'.repeat(8 * MiB)}%20${'k'.repeat(8 * MiB)}`;
    const parsed = parseQSettingsIni(`[a]\n${key}=1\n`);
    const [only] = parsed.ok ? [...parsed.document.values.keys()] : [];
    expect(only?.length).toBe(16 * MiB + 3);
  });

  it('refuses more settings than INI_LIMITS.maxValues, naming the line', () => {
    const text = `[a]\n${Array.from({ length: INI_LIMITS.maxValues + 5 }, (_, i) => `k${i}=1`).join('\n')}\n`;
    const parsed = parseQSettingsIni(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.line).toBe(INI_LIMITS.maxValues + 2);
  });

  it('refuses a value with more comma-separated items than INI_LIMITS.maxListItems', () => {
    const parsed = parseQSettingsIni(`[a]\nk=${','.repeat(INI_LIMITS.maxListItems + 1)}\n`);
    expect(parsed.ok).toBe(false);
  });

  it('a [NAMES] size above the profile limit fails before a row is built per index', () => {
    const result = parsePacketSenderIni('[NAMES]\nsize=999999\n');
    expect(result.ok).toBe(false);
    if (!result.ok && !('field' in result)) expect(result.message).toContain(`limit is ${PROFILE_LIMITS.maxProfiles}`);
  });

  it('an oversized hexString in packets.ini is IMPORT_FAILED naming the packet and the field', { timeout: HANG_GUARD_MS }, () => {
    const text = `[NAMES]\nsize=2\n1\\name=fine\n2\\name=huge\n[fine]\ntcpOrUdp=TCP\ntoIP=h\nport=1\nhexString=41\n[huge]\ntcpOrUdp=TCP\ntoIP=h\nport=1\nhexString=${'4'.repeat(PACKET_SENDER_FIELD_LIMITS.hexString + 1)}\n`;
    const result = parseImport(text, 'packets.ini');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'IMPORT_FAILED', field: 'hexString', item: 1 });
    expect(result.error.message).toContain('packet 2 ("huge")');
  });
});

describe('JSON nesting is bounded', () => {
  it('16 million "[" are refused by one scan before JSON.parse, naming the spot', { timeout: HANG_GUARD_MS }, () => {
    const result = parseImport(`${'['.repeat(16 * MiB)}}`, 'deep.json');
    expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_INPUT', position: MAX_JSON_DEPTH });
    expect(!result.ok && result.error.message).toContain(`more than ${MAX_JSON_DEPTH} levels deep at line 1, column ${MAX_JSON_DEPTH + 1}`);
  });

  it('brackets inside strings do not count', () => {
    expect(findTooDeep(JSON.stringify({ a: '[[[[[[[[', b: ['\\"[[['] }), 2)).toBe(-1);
    expect(findTooDeep('[[[', 2)).toBe(2);
  });
});

describe('Packet Sender JSON fields are bounded', () => {
  it('a 30-million-character hexstring is IMPORT_FAILED with the item and field as data, before any conversion', { timeout: HANG_GUARD_MS }, () => {
    // Before: 5.8 s and 1.7 GiB converting it, then a per-item "payload too long".
    const text = JSON.stringify([
      { name: 'ok', tcporudp: 'TCP', toip: '127.0.0.1', port: '1', hexstring: '41' },
      { name: 'big', tcporudp: 'TCP', toip: '127.0.0.1', port: '1', hexstring: 'a'.repeat(30_000_000) },
    ]);
    const before = process.memoryUsage().heapUsed;
    const result = parseImport(text, 'ps.json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'IMPORT_FAILED', field: 'hexstring', item: 1 });
    expect(result.error.message).toContain('packet 2 ("big")');
    expect(result.error.message).toContain(`limit is ${PACKET_SENDER_FIELD_LIMITS.hexString}`);
    // Sizes, not time: no intermediate array per character was kept (30 M numbers would be 240 MB).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(150 * MiB);
  });

  it('every field has a limit: an overlong name fails the same way', () => {
    const text = JSON.stringify([{ name: 'n'.repeat(PACKET_SENDER_FIELD_LIMITS.name + 1), tcporudp: 'TCP', toip: 'h', port: '1', hexstring: '' }]);
    const result = parseImport(text, 'ps.json');
    expect(!result.ok && result.error).toMatchObject({ code: 'IMPORT_FAILED', field: 'name', item: 0 });
  });

  it('a hexstring at the limit still converts', () => {
    const hex = '41 '.repeat(PACKET_SENDER_FIELD_LIMITS.hexString / 3);
    const result = parseImport(JSON.stringify([{ name: 'max', tcporudp: 'TCP', toip: 'h', port: '1', hexstring: hex }]), 'ps.json');
    expect(result.ok && result.value.items[0]?.status).toBe('ok');
  });
});
