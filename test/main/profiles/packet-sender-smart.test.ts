/**
 * Packet Sender smart responses (ps_settings.ini) → one listener profile: keys and encodings as
 * Packet Sender's source reads them, the mapping to rules, what is left out and why, and the
 * imported responder answering a real nc client as Packet Sender would.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { parseImport } from '../../../main/profiles/import-profiles.ts';
import { mixedAsciiToBytes } from '../../../main/profiles/packet-sender-smart.ts';
import { startListener } from '../../../main/engine/listener/listener.ts';
import { profileDraftSchema } from '../../../shared/profile.ts';

const fixture = new URL('../../fixtures/profiles/packet-sender/ps_settings.ini', import.meta.url);

describe('Packet Sender smart responses', () => {
  it('decodes Mixed ASCII as Packet Sender does, and refuses what it would read oddly', () => {
    const r = mixedAsciiToBytes('A\\r\\n\\\\\\41\\ff\\t');
    expect(r.ok && [...r.bytes]).toEqual([0x41, 0x0d, 0x0a, 0x5c, 0x41, 0xff, 0x09]);
    const bad = mixedAsciiToBytes('x\\zz');
    expect(bad.ok ? 'ok' : bad.reason).toContain('"\\z"');
    expect(mixedAsciiToBytes('€').ok).toBe(false);
  });

  it('imports the enabled smart responses as one listener profile, noting macros, binary matches and what was left out', async () => {
    const text = await readFile(fixture, 'utf8');
    const preview = parseImport(text, 'ps_settings.ini', []);
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.value.source).toBe('packet-sender-ini');
    expect(preview.value.items).toHaveLength(1);
    const item = preview.value.items[0]!;
    expect(item.status).toBe('ok');
    const draft = item.draft!;
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
    expect(draft).toMatchObject({ kind: 'listener', host: '127.0.0.1', port: 5005, transport: 'tcp' });
    expect(draft.listener!.responder).toEqual({
      kind: 'rules',
      framing: { kind: 'chunk' },
      rules: [
        { match: { kind: 'exact', value: 'PING\r\n' }, reply: { mode: 'escapes', value: '+PONG\\r\\n' }, delayMs: 0, close: false },
        { match: { kind: 'hex', value: 'de ad be ef' }, reply: { mode: 'hex', value: 'ca fe' }, delayMs: 0, close: false },
        { match: { kind: 'exact', value: 'time?' }, reply: { mode: 'escapes', value: '{{TIME}}' }, delayMs: 0, close: false },
      ],
    });
    expect(draft.notes).toContain('smart response 2 (binary) matches a message that contains its bytes');
    expect(draft.notes).toContain('smart response 4 uses a Packet Sender macro');
    expect(draft.notes).toContain('smart response 5 was left out');
  });

  it('a settings file with smart responses switched off and none enabled imports nothing, saying why', () => {
    const preview = parseImport('[General]\nsmartResponseEnableCheck=false\nresponseEnableCheck1=false\nresponseIfEdit1=x\n', 'ps_settings.ini', []);
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.value.items[0]).toMatchObject({ status: 'skipped', draft: null });
    expect(preview.value.items[0]!.reason).toContain('no smart response is enabled');
  });

  it('the imported responder answers nc as Packet Sender would', async () => {
    const text = await readFile(fixture, 'utf8');
    const preview = parseImport(text, 'ps_settings.ini', []);
    if (!preview.ok) throw new Error(preview.error.message);
    const draft = preview.value.items[0]!.draft!;
    const started = await startListener({ transport: 'tcp', host: '127.0.0.1', port: 0, ...draft.listener! });
    if (!started.ok) throw new Error(started.error.message);
    try {
      const out = await new Promise<string>((resolve) => {
        const nc = spawn('nc', ['-N', '127.0.0.1', String(started.value.port)]);
        let got = '';
        nc.stdout.on('data', (d: Buffer) => (got += d.toString('latin1')));
        nc.on('close', () => resolve(got));
        nc.stdin.end('PING\r\n');
      });
      expect(out).toBe('+PONG\r\n');
    } finally {
      await started.value.close();
    }
  });
});
