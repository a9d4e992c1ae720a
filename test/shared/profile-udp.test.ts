/**
 * UDP profiles: `transport: 'udp'` with a `udp` settings object, optional in the format so every
 * file saved before UDP reads unchanged (no migration), and round-tripped exactly by the file writer.
 */
import { describe, expect, it } from 'vitest';
import { interpretProfileText, serializeProfileFile } from '../../main/profiles/profile-file.ts';
import { PROFILE_FILE_FORMAT, PROFILE_FILE_VERSION, UDP_PROFILE_DEFAULTS, validateProfileDraft, type Profile, type ProfileDraft } from '../../shared/profile.ts';

const tcpDraft: ProfileDraft = {
  name: 'DNS',
  folder: null,
  host: '127.0.0.1',
  port: 53,
  payload: { text: '12 34', mode: 'hex', encoding: 'utf8', lineEnding: 'none' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: 1024,
  notes: '',
};
const udpDraft: ProfileDraft = { ...tcpDraft, transport: 'udp', udp: { localPort: 5353, mode: 'from-anyone', broadcast: true, replyWindowMs: 2000, maxDatagrams: 50 } };
const stamp = { id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('UDP profile settings', () => {
  it('accepts a UDP draft and a TCP draft without either field', () => {
    expect(validateProfileDraft(udpDraft)).toEqual({ ok: true, value: udpDraft });
    expect(validateProfileDraft(tcpDraft)).toEqual({ ok: true, value: tcpDraft });
    expect(validateProfileDraft({ ...tcpDraft, transport: 'udp', udp: { ...UDP_PROFILE_DEFAULTS } }).ok).toBe(true);
  });

  it.each([
    ['udp settings without the transport', { ...tcpDraft, udp: UDP_PROFILE_DEFAULTS }, 'transport'],
    ['the transport without its settings', { ...tcpDraft, transport: 'udp' }, 'udp'],
    ['an unknown transport', { ...udpDraft, transport: 'sctp' }, 'transport'],
    ['an unknown udp key', { ...udpDraft, udp: { ...udpDraft.udp, ttl: 3 } }, 'udp'],
    ['an unknown mode', { ...udpDraft, udp: { ...udpDraft.udp, mode: 'everyone' } }, 'udp.mode'],
    ['a local port out of range', { ...udpDraft, udp: { ...udpDraft.udp, localPort: 65_536 } }, 'udp.localPort'],
    ['zero datagrams', { ...udpDraft, udp: { ...udpDraft.udp, maxDatagrams: 0 } }, 'udp.maxDatagrams'],
  ])('refuses %s, naming the field', (_label, draft, field) => {
    const r = validateProfileDraft(draft);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe(field);
  });

  it('writes and reads back a UDP profile exactly, beside a file written before UDP existed', () => {
    const tcp: Profile = { ...tcpDraft, ...stamp };
    const udp: Profile = { ...udpDraft, ...stamp, id: 'p2', name: 'DNS over UDP' };
    const text = serializeProfileFile([tcp, udp]);
    const back = interpretProfileText(text, 'profiles.json');
    expect(back.kind).toBe('valid');
    if (back.kind === 'valid') expect(back.file.profiles).toEqual([tcp, udp]);
    // The TCP profile is written exactly as before: no transport or udp key appears for it.
    const written = (JSON.parse(text) as { profiles: Array<Record<string, unknown>> }).profiles;
    expect(Object.keys(written[0]!)).not.toContain('transport');
    expect(written[1]!['udp']).toEqual(udpDraft.udp);
  });

  it('reads a current-version file without any UDP field as TCP profiles (nothing to migrate)', () => {
    const old = JSON.stringify({ format: PROFILE_FILE_FORMAT, version: PROFILE_FILE_VERSION, profiles: [{ ...tcpDraft, ...stamp }] });
    const back = interpretProfileText(old, 'profiles.json');
    expect(back.kind).toBe('valid');
    if (back.kind === 'valid') expect(back.file.profiles[0]!.transport).toBeUndefined();
  });
});
