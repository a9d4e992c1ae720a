import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePayload } from '../../../shared/payload.ts';
import type { ProfileDraft } from '../../../shared/profile.ts';
import { parseImport, readImportFile, type ImportPreview } from '../../../main/profiles/import-profiles.ts';
import { packetSenderHexToBytes, payloadForBytes } from '../../../main/profiles/packet-sender.ts';
import { parseIniValue, parseQSettingsIni, unescapeIniKey } from '../../../main/profiles/qsettings-ini.ts';
import { FIXTURES, draft, makeTempDir } from './test-helpers.ts';

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

/** The bytes a draft sends, through the real payload codec. */
function sentBytes(candidate: ProfileDraft | null): number[] {
  if (candidate === null) throw new Error('no draft');
  return Array.from(must(encodePayload(candidate.payload)));
}

/** An independent reading of Packet Sender's canonical "hh hh hh " hex strings. */
function canonicalHex(hexString: string): number[] {
  return hexString
    .trim()
    .split(/\s+/)
    .filter((pair) => pair !== '')
    .map((pair) => Number.parseInt(pair, 16));
}

async function psFixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, 'packetsender', name), 'latin1');
}

function byName(preview: ImportPreview, sourceName: string) {
  const item = preview.items.find((candidate) => candidate.sourceName === sourceName);
  if (item === undefined) throw new Error(`no item ${sourceName}`);
  return item;
}

describe("Packet Sender's packets.ini (the real file from Packet Sender 8.1.1)", () => {
  it('lists every packet; TCP ones become profiles whose bytes equal the hexString', async () => {
    const text = await psFixture('packets.ini');
    const preview = must(parseImport(text, 'packets.ini'));
    expect(preview.source).toBe('packet-sender-ini');
    expect(preview.items).toHaveLength(26);
    const ok = preview.items.filter((item) => item.status === 'ok').map((item) => item.sourceName).sort();
    expect(ok).toEqual(['FTP debian.org', 'TCP 138.197.192.84', 'TCP connection refused', 'TCP ssh ubuntu.com', 'TCP-HTTP packetsender.com', 'Telnet RPG', 'WHOIS google.com']);
    const ini = parseQSettingsIni(text);
    if (!ini.ok) throw new Error(ini.message);
    for (const item of preview.items.filter((candidate) => candidate.status === 'ok')) {
      const hex = ini.document.values.get(`${item.sourceName}/hexString`);
      if (hex?.kind !== 'string') throw new Error('hexString missing');
      expect(sentBytes(item.draft), item.sourceName).toEqual(canonicalHex(hex.value));
      expect(item.draft?.host).toBe((ini.document.values.get(`${item.sourceName}/toIP`) as { value: string }).value);
    }
  });

  it('gives readable payloads: text with the line ending split off, escapes for mixed bytes', async () => {
    const preview = must(parseImport(await psFixture('packets.ini'), 'packets.ini'));
    expect(byName(preview, 'WHOIS google.com').draft).toMatchObject({
      host: '192.34.234.30',
      port: 43,
      payload: { text: 'domain google.com', mode: 'text', lineEnding: 'crlf' },
    });
    expect(byName(preview, 'FTP debian.org').draft?.payload).toEqual({
      text: '\\r\\nUSER anonymous\\r\\nPASS anonymous\\r\\nquit',
      mode: 'escapes',
      encoding: 'utf8',
      lineEnding: 'crlf',
    });
  });

  it('skips UDP, SSL and HTTP(S) packets with the reason', async () => {
    const preview = must(parseImport(await psFixture('packets.ini'), 'packets.ini'));
    expect(byName(preview, 'DNS example.com')).toMatchObject({ status: 'skipped', draft: null, reason: expect.stringContaining('UDP') });
    expect(byName(preview, 'SMTP Gmail')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('SSL') });
    expect(byName(preview, 'HTTPS POST JSON')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('HTTPS Post') });
    // Named TCP-HTTP, but stored as SSL: the stored kind decides, not the name.
    expect(byName(preview, 'TCP-HTTP example.com').status).toBe('skipped');
  });

  it('marks duplicates against existing profiles', async () => {
    const preview = must(parseImport(await psFixture('packets.ini'), 'packets.ini', [{ name: 'whois GOOGLE.com', folder: null }]));
    expect(byName(preview, 'WHOIS google.com')).toMatchObject({ status: 'duplicate', reason: expect.stringContaining('already exists') });
    expect(byName(preview, 'WHOIS google.com').draft).not.toBeNull();
  });
});

describe('QSettings quirks (tricky-packets.ini, written by Qt 5 QSettings)', () => {
  it('decodes escaped names, nested keys, quotes, @@ and \\x escapes', async () => {
    const preview = must(parseImport(await psFixture('tricky-packets.ini'), 'tricky-packets.ini'));
    const names = preview.items.map((item) => item.sourceName);
    expect(names).toEqual([
      'Quote "q", comma; equals=',
      'Slash/In name',
      'Ünïcode ✓ name',
      '@at start',
      'General',
      '  padded  ',
      'Backslash \\ tab\tname',
      'Zero port',
      'UDP thing',
      'Empty payload',
    ]);
    expect(byName(preview, 'Quote "q", comma; equals=').draft).toMatchObject({ port: 7, payload: { text: 'hi', mode: 'text', lineEnding: 'crlf' } });
    expect(byName(preview, 'Slash/In name').draft).toMatchObject({ name: 'Slash/In name', host: 'localhost', port: 8080 });
    const unicode = byName(preview, 'Ünïcode ✓ name');
    expect(unicode.draft).toMatchObject({ host: '::1', port: 9000 });
    expect(sentBytes(unicode.draft)).toEqual([0x00, 0xff, 0x7f, 0x80, 0x5c, 0x00]);
    expect(byName(preview, '@at start').draft?.payload.text).toBe('@');
    expect(byName(preview, 'General').status).toBe('skipped');
    expect(byName(preview, '  padded  ').draft).toMatchObject({ name: 'padded', payload: { text: 'ABC', mode: 'text', lineEnding: 'none' } });
    expect(byName(preview, 'Backslash \\ tab\tname')).toMatchObject({ status: 'error', reason: expect.stringContaining('U+0009') });
    expect(byName(preview, 'Zero port')).toMatchObject({ status: 'error', reason: expect.stringContaining('port') });
    expect(byName(preview, 'UDP thing').status).toBe('skipped');
    expect(byName(preview, 'Empty payload').draft?.payload).toEqual({ text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' });
  });

  it('unescapes keys and values like QSettings', () => {
    expect(unescapeIniKey('%DCn%EFcode%20%U2713%20name')).toBe('Ünïcode ✓ name');
    expect(unescapeIniKey('In%20name\\port')).toBe('In name/port');
    expect(parseIniValue('\\xdcn\\xef\\x63ode \\x2713 name')).toEqual({ kind: 'string', value: 'Ünïcode ✓ name' });
    expect(parseIniValue('"Quote \\"q\\", comma; equals="')).toEqual({ kind: 'string', value: 'Quote "q", comma; equals=' });
    expect(parseIniValue('" 41 42 "')).toEqual({ kind: 'string', value: ' 41 42 ' });
    expect(parseIniValue('  plain value   ')).toEqual({ kind: 'string', value: 'plain value' });
    expect(parseIniValue('a, b')).toEqual({ kind: 'list', items: ['a', 'b'] });
    expect(parseIniValue('@@at')).toEqual({ kind: 'string', value: '@at' });
    expect(parseIniValue('@Variant(\\0\\0\\0\\x87\\0\\0\\0\\0)').kind).toBe('opaque');
    expect(parseIniValue('@ByteArray(raw)')).toEqual({ kind: 'string', value: 'raw' });
    expect(parseIniValue('value ; comment')).toEqual({ kind: 'string', value: 'value' });
    expect(parseIniValue('a\\\\b\\tc')).toEqual({ kind: 'string', value: 'a\\b\tc' });
  });
});

describe('hex payloads convert byte-exactly, with Qt fromHex rules', () => {
  it('follows QByteArray::fromHex: skips non-hex characters, pairs digits from the end', () => {
    expect(Array.from(packetSenderHexToBytes('48 65 6c 6C 6f '))).toEqual([0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    expect(Array.from(packetSenderHexToBytes('1 23'))).toEqual([0x01, 0x23]);
    expect(Array.from(packetSenderHexToBytes('A B'))).toEqual([0xab]);
    expect(Array.from(packetSenderHexToBytes('0x41'))).toEqual([0x00, 0x41]);
    expect(Array.from(packetSenderHexToBytes('zz, ✓'))).toEqual([]);
    expect(Array.from(packetSenderHexToBytes(''))).toEqual([]);
  });

  it('every byte value round-trips through the chosen payload form', () => {
    const samples: number[][] = [
      Array.from({ length: 256 }, (_, byte) => byte),
      [0x00],
      [0x5c, 0x5c, 0x0d, 0x0a],
      Array.from('GET / HTTP/1.0\r\n\r\n', (ch) => ch.charCodeAt(0)),
      [0x41, 0x00, 0x31, 0x0d],
      [0xff, 0xfe, 0x0a],
      [0x09, 0x41],
    ];
    for (const sample of samples) {
      const payload = payloadForBytes(Uint8Array.from(sample));
      expect(sentBytes(draft({ payload })), JSON.stringify(payload)).toEqual(sample);
    }
  });
});

describe("Packet Sender's JSON export", () => {
  it('converts TCP packets, skips others, and keeps the exact bytes', async () => {
    const text = await psFixture('packetsender-export.json');
    const preview = must(parseImport(text, 'export.json'));
    expect(preview.source).toBe('packet-sender-json');
    expect(preview.items.map((item) => [item.sourceName, item.status])).toEqual([
      ['HTTP GET', 'skipped'],
      ['UDP Broadcast', 'skipped'],
      ['Odd nibbles', 'ok'],
      ['Binary with NUL', 'ok'],
      ['WHOIS google.com', 'ok'],
    ]);
    expect(sentBytes(byName(preview, 'Odd nibbles').draft)).toEqual([0x01, 0x23]);
    expect(sentBytes(byName(preview, 'Binary with NUL').draft)).toEqual([0x00, 0xff, 0x7f, 0x80, 0x5c, 0x00]);
    expect(byName(preview, 'WHOIS google.com').draft).toMatchObject({ host: '192.34.234.30', port: 43 });
  });

  it('item errors for wrong types, numbers accepted for ports', () => {
    const text = JSON.stringify([
      { name: 'numeric port', tcporudp: 'TCP', toip: 'h', port: 80, hexstring: '41' },
      { name: 'object port', tcporudp: 'TCP', toip: 'h', port: {}, hexstring: '41' },
      { name: '', tcporudp: 'TCP', toip: 'h', port: '1', hexstring: '' },
      { name: 'no host', tcporudp: 'TCP', toip: ' ', port: '1', hexstring: '' },
    ]);
    const preview = must(parseImport(text, 'x.json'));
    expect(preview.items.map((item) => item.status)).toEqual(['ok', 'error', 'error', 'error']);
    expect(preview.items[1]?.reason).toContain('port');
  });
});

describe('our own format', () => {
  it('per-item schema errors, duplicates within the file, and v0 files migrate', async () => {
    const exported = JSON.parse(await readFile(join(FIXTURES, 'store', 'valid-v1.json'), 'utf8')) as { profiles: Array<Record<string, unknown>> };
    const first = exported.profiles[0] ?? {};
    exported.profiles.push({ ...first, id: 'other', name: 'ECHO' });
    exported.profiles.push({ ...first, id: 'bad', name: 'Bad', port: 'x' });
    const preview = must(parseImport(JSON.stringify(exported), 'mine.json'));
    expect(preview.source).toBe('socket-tester');
    expect(preview.items.map((item) => item.status)).toEqual(['ok', 'ok', 'ok', 'duplicate', 'error']);
    expect(preview.items[3]?.reason).toContain('item 1');
    expect(preview.items[4]?.reason).toContain('port');
    const v0 = must(parseImport(await readFile(join(FIXTURES, 'store', 'v0-prerelease.json'), 'utf8'), 'old.json'));
    expect(v0.items.every((item) => item.status === 'ok' && item.draft?.folder === null)).toBe(true);
  });

  it('a newer format version is refused as a whole', async () => {
    const result = parseImport(await readFile(join(FIXTURES, 'store', 'future-version.json'), 'utf8'), 'future.json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('IMPORT_FAILED');
      expect(result.error.message).toContain('version 7');
    }
  });
});

describe('malformed files import nothing', () => {
  it('bad JSON: INVALID_INPUT with line and column', () => {
    const result = parseImport('{\n  "format": "socket-tester-profiles",\n  "version": 1,\n  "profiles": [,]\n}', 'broken.json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_INPUT');
      expect(result.error.message).toContain('line 4, column 16');
    }
  });

  it('wrong shapes are clear errors', () => {
    const cases: Array<[string, string]> = [
      ['null', 'neither JSON nor'],
      ['{"profiles": 5, "format": "x"}', 'the "version" key is missing'],
      ['"text"', 'neither JSON nor'],
      ['[1, 2]', 'not a Packet Sender export'],
      ['{"format": "socket-tester-profiles", "version": 1, "profiles": {}}', 'profiles'],
      ['{"format": "other", "version": 1, "profiles": []}', 'format'],
      ['{"format": "socket-tester-profiles", "version": 1.5, "profiles": []}', 'whole number'],
      ['', 'neither JSON nor'],
      ['[NAMES]\nsize=abc\n', 'not a count'],
      ['[Section]\nkey=value\n', 'no [NAMES]'],
      ['[NAMES]\nsize=1\nthis line is junk\n', 'line 3'],
    ];
    for (const [text, fragment] of cases) {
      const result = parseImport(text, 'f');
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error.message, text).toContain(fragment);
    }
  });

  it('refuses oversized text before parsing', () => {
    const result = parseImport(`[${' '.repeat(32 * 1024 * 1024)}]`, 'big.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('too large');
  });
});

describe('readImportFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => cleanup());

  it('checks the size before reading', async () => {
    const path = join(dir, 'huge.json');
    await writeFile(path, '');
    await truncate(path, 32 * 1024 * 1024 + 1);
    const result = await readImportFile(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('limit');
  });

  it('drops a BOM, refuses invalid UTF-8 JSON, reads a non-UTF-8 INI as Latin-1', async () => {
    await writeFile(join(dir, 'bom.json'), Buffer.from('\uFEFF[]', 'utf8'));
    expect(must(await readImportFile(join(dir, 'bom.json'))).text).toBe('[]');
    await writeFile(join(dir, 'bad.json'), Buffer.from([0x5b, 0xff, 0x5d]));
    const bad = await readImportFile(join(dir, 'bad.json'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toContain('offset 1');
    await writeFile(join(dir, 'old.ini'), Buffer.from([0x5b, 0x41, 0x5d, 0x0a, 0x6b, 0x3d, 0xe9, 0x0a]));
    expect(must(await readImportFile(join(dir, 'old.ini'))).text).toBe('[A]\nk=é\n');
    const missing = await readImportFile(join(dir, 'nope.json'));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error).toMatchObject({ code: 'FILE_ERROR', errno: 'ENOENT' });
  });
});
