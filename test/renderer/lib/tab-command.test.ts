/**
 * The tab side of "copy as command" (renderer/lib/tab-command.ts): a tab's settings build the same
 * command as the profile they save to, and a pasted command changes exactly the settings it names.
 */
import { describe, expect, it } from 'vitest';
import { buildCommandLine } from '../../../shared/command-line.ts';
import { parseCommandLine } from '../../../shared/command-line-parse.ts';
import { encodePayload } from '../../../shared/payload.ts';
import { defaultTabSettings, draftFromSettings, payloadOf } from '../../../renderer/lib/state/tab-settings.ts';
import { applyParsedCommand, commandSourceOf, describeParsedCommand } from '../../../renderer/lib/tab-command.ts';

describe('commandSourceOf', () => {
  it('builds the same command as the profile the tab would save', () => {
    const s = { ...defaultTabSettings(), port: '6379', payloadText: 'PING', lineEnding: 'crlf' as const, transport: 'tls' as const, tlsVerifyName: 'x.test', tlsAlpn: 'h2, http/1.1' };
    const draft = draftFromSettings(s, { name: 'n', folder: null, notes: '' }, 6379);
    for (const tool of ['socket-tester', 'ncat', 'socat', 'openssl'] as const) {
      const fromTab = buildCommandLine(commandSourceOf(s), tool);
      const fromProfile = buildCommandLine(draft, tool);
      expect(fromTab.ok && fromTab.value.script).toBe(fromProfile.ok && fromProfile.value.script);
    }
  });
});

describe('applyParsedCommand', () => {
  it('fills host, port, transport, payload and the options the command names; keeps the rest', () => {
    const s = { ...defaultTabSettings(), connectTimeoutMs: 1234, maxResponseBytes: 4096 };
    const p = parseCommandLine("printf 'a\\000b' | nc -u -w 2 ::1 53");
    if (!p.ok) throw new Error(p.error.message);
    applyParsedCommand(s, p.value);
    expect(s).toMatchObject({ host: '::1', port: '53', transport: 'udp', udpReplyWindowMs: 2000, connectTimeoutMs: 1234, maxResponseBytes: 4096 });
    const bytes = encodePayload(payloadOf(s));
    expect(bytes.ok && [...bytes.value]).toEqual([0x61, 0, 0x62]);
  });

  it('a command without a payload leaves the editor alone, and says so', () => {
    const s = { ...defaultTabSettings(), payloadText: 'keep me' };
    const p = parseCommandLine('nc -v h.test 7');
    if (!p.ok) throw new Error(p.error.message);
    applyParsedCommand(s, p.value);
    expect(s.payloadText).toBe('keep me');
    const said = describeParsedCommand(p.value);
    expect(said.taken).toMatch(/no payload/);
    expect(said.ignored).toMatch(/-v/);
  });
});
