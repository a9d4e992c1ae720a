import { describe, expect, it } from 'vitest';
import { PROFILE_DEFAULTS, profileDraftSchema, validateProfileDraft, type Profile } from '../../../../shared/profile.ts';
import {
  copySettings,
  defaultSendOptions,
  defaultTabSettings,
  repeatPlan,
  SEND_REPEAT_LIMITS,
  tlsOptionsOf,
  mayNeedPassphrase,
  draftFromProfile,
  draftFromSettings,
  sameSettings,
  settingsFromProfile,
  TAB_SETTING_KEYS,
  endpointTitle,
} from '../../../../renderer/lib/state/tab-settings.ts';

const meta = { name: 'echo', folder: null, notes: '' };

describe('tab settings', () => {
  it('a new tab has the same connection behaviour as a new profile', () => {
    const s = defaultTabSettings();
    expect(s.closeAfterSend).toBe(PROFILE_DEFAULTS.closeAfterSend);
    expect(s.idleTimeoutMs).toBe(PROFILE_DEFAULTS.idleTimeoutMs);
    expect(s.connectTimeoutMs).toBe(PROFILE_DEFAULTS.connectTimeoutMs);
    expect(s.maxResponseBytes).toBe(PROFILE_DEFAULTS.maxResponseBytes);
  });

  it('matches the CLI: our FIN after sending, no idle timeout', () => {
    expect(PROFILE_DEFAULTS.closeAfterSend).toBe(true);
    expect(PROFILE_DEFAULTS.idleTimeoutMs).toBe(0);
  });

  it('saving a fresh tab and opening the profile gives back the same settings, so nothing is marked unsaved', () => {
    const s = { ...defaultTabSettings(), port: '6379', payloadText: 'PING\r\n', mode: 'escapes' as const };
    const draft = draftFromSettings(s, meta, 6379);
    const checked = validateProfileDraft(draft);
    expect(checked.ok).toBe(true);
    const profile: Profile = { ...draft, id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(sameSettings(settingsFromProfile(profile), s)).toBe(true);
    expect(draftFromProfile(profile)).toEqual(draft);
  });

  it('lists every key once, and a copy has exactly those keys', () => {
    expect(new Set(TAB_SETTING_KEYS).size).toBe(TAB_SETTING_KEYS.length);
    const withExtra = { ...defaultTabSettings(), extra: 1 };
    expect(Object.keys(copySettings(withExtra)).sort()).toEqual([...TAB_SETTING_KEYS].sort());
  });

  it('sameSettings notices a change in any one setting', () => {
    const base = defaultTabSettings();
    const changed: Record<string, unknown> = {
      host: 'example.com', port: '1', payloadText: 'x', mode: 'hex', encoding: 'latin1', lineEnding: 'crlf', newlines: 'crlf',
      transport: 'tls', tlsServerName: 'a', tlsVerifyName: 'b', tlsVerify: false, tlsCaFile: 'c', tlsCertFile: 'd', tlsKeyFile: 'e',
      tlsPfxFile: 'f', tlsAlpn: 'h2', tlsMinVersion: 'TLSv1.2', tlsMaxVersion: 'TLSv1.3',
      closeAfterSend: !base.closeAfterSend, connectTimeoutMs: 1, idleTimeoutMs: 5, maxResponseBytes: 1,
    };
    for (const k of TAB_SETTING_KEYS) {
      expect(sameSettings(base, { ...base, [k]: changed[k] }), k).toBe(false);
    }
    expect(sameSettings(base, defaultTabSettings())).toBe(true);
  });
});

const httpMeta = { name: 'HTTP', folder: null, notes: '' };
const httpProfile: Profile = {
  id: 'p1',
  name: 'HTTP',
  folder: null,
  host: '127.0.0.1',
  port: 80,
  payload: { text: 'GET / HTTP/1.0\n', mode: 'text', encoding: 'utf8', lineEnding: 'crlf' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: 1024,
  notes: '',
  revision: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('newlines in profiles', () => {
  it('reads a profile saved before the choice existed as "as typed" (its bytes unchanged)', () => {
    expect(settingsFromProfile(httpProfile).newlines).toBe('as-typed');
  });

  it('writes "as typed" as no key, so older builds still read the file', () => {
    const draft = draftFromSettings(settingsFromProfile(httpProfile), httpMeta, 80);
    expect('newlines' in draft.payload).toBe(false);
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
  });

  it('round-trips CRLF through a draft and the schema', () => {
    const settings = { ...settingsFromProfile(httpProfile), newlines: 'crlf' as const };
    const draft = draftFromSettings(settings, httpMeta, 80);
    expect(draft.payload.newlines).toBe('crlf');
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
    expect(settingsFromProfile({ ...httpProfile, payload: draft.payload }).newlines).toBe('crlf');
    expect(profileDraftSchema.safeParse({ ...draft, payload: { ...draft.payload, newlines: 'cr' } }).success).toBe(false);
  });
});

describe('TLS in tab settings', () => {
  const tlsTab = {
    ...defaultTabSettings(),
    host: 'example.test',
    port: '443',
    transport: 'tls' as const,
    tlsVerify: false,
    tlsKeyFile: ' /keys/client.key ',
    tlsCertFile: '/keys/client.pem',
    tlsAlpn: 'h2, http/1.1,',
    tlsMinVersion: 'TLSv1.2' as const,
  };

  it('a TLS tab saved and opened again has the same settings; the draft keeps paths and no passphrase', () => {
    const draft = draftFromSettings(tlsTab, meta, 443);
    expect(draft.transport).toBe('tls');
    expect(draft.tls).toEqual({ verify: false, certFile: '/keys/client.pem', keyFile: '/keys/client.key', alpn: ['h2', 'http/1.1'], minVersion: 'TLSv1.2' });
    expect(validateProfileDraft(draft).ok).toBe(true);
    const profile: Profile = { ...draft, id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(settingsFromProfile(profile)).toEqual({ ...tlsTab, tlsKeyFile: '/keys/client.key', tlsAlpn: 'h2, http/1.1' });
    expect(JSON.stringify(draft)).not.toContain('passphrase');
  });

  it('a TCP tab sends no tls options and writes no tls object', () => {
    const tcp = defaultTabSettings();
    expect(tlsOptionsOf(tcp, 'secret')).toBeUndefined();
    expect('tls' in draftFromSettings(tcp, meta, 1)).toBe(false);
  });

  it('the passphrase goes to the connect only', () => {
    expect(tlsOptionsOf(tlsTab, 'secret')?.passphrase).toBe('secret');
    expect(tlsOptionsOf(tlsTab, '')).not.toHaveProperty('passphrase');
  });

  it('bytes the browser read go to the connect while their path is empty, and never into a profile', () => {
    const ca = { name: 'ca.pem', bytes: new Uint8Array([1, 2, 3]) };
    const pfx = { name: 'me.p12', bytes: new Uint8Array([4]) };
    const s = { ...tlsTab, tlsCaFile: '', tlsCertFile: '', tlsKeyFile: '', tlsPfxFile: '' };
    const options = tlsOptionsOf(s, 'pw', { ca, pfx });
    expect(options?.caData).toBe(ca.bytes);
    expect(options?.pfxData).toBe(pfx.bytes);
    expect(options).not.toHaveProperty('caFile');
    expect(mayNeedPassphrase(s, { pfx })).toBe(true);
    expect(mayNeedPassphrase(s, { ca })).toBe(false);
    // A typed path wins over a file read earlier: the connect never carries both.
    const typed = tlsOptionsOf({ ...s, tlsCaFile: '/etc/ca.pem' }, '', { ca });
    expect(typed?.caFile).toBe('/etc/ca.pem');
    expect(typed).not.toHaveProperty('caData');
    expect(JSON.stringify(draftFromSettings(s, meta, 1))).not.toMatch(/Data|ca\.pem|me\.p12/);
  });

  it('a profile from before TLS opens as TCP with verification on', () => {
    const { transport: _t, ...old } = { ...httpProfile, transport: undefined };
    const s = settingsFromProfile(old as Profile);
    expect(s.transport).toBe('tcp');
    expect(s.tlsVerify).toBe(true);
  });
});

describe('repeatPlan', () => {
  it('accepts the defaults and bounds interval and count, naming the field', () => {
    expect(defaultSendOptions()).toEqual({ macros: false, repeatEveryMs: 1000, repeatCount: 10 });
    expect(repeatPlan(defaultSendOptions())).toEqual({ ok: true, value: { everyMs: 1000, count: 10, untilStopped: false } });
    expect(repeatPlan({ macros: false, repeatEveryMs: 50, repeatCount: 0 })).toEqual({
      ok: true,
      value: { everyMs: 50, count: SEND_REPEAT_LIMITS.maxCount, untilStopped: true },
    });
    for (const [every, count, field] of [
      [SEND_REPEAT_LIMITS.minIntervalMs - 1, 1, 'repeatEveryMs'],
      [1.5 as number, 1, 'repeatEveryMs'],
      [null as unknown as number, 1, 'repeatEveryMs'],
      [100, -1, 'repeatCount'],
      [100, SEND_REPEAT_LIMITS.maxCount + 1, 'repeatCount'],
    ] as const) {
      const r = repeatPlan({ macros: false, repeatEveryMs: every, repeatCount: count });
      expect(r.ok ? null : r.error.field).toBe(field);
    }
  });
});

describe('endpointTitle', () => {
  it('names a valid endpoint as typed, brackets an IPv6 address, and says ? for a port that is not one', () => {
    expect(endpointTitle(' 127.0.0.1 ', ' 6379 ')).toBe('127.0.0.1:6379');
    expect(endpointTitle('::1', '7')).toBe('[::1]:7');
    expect(endpointTitle('127.0.0.1', '6 5')).toBe('127.0.0.1:?');
    expect(endpointTitle('127.0.0.1', '70000')).toBe('127.0.0.1:?');
    expect(endpointTitle('127.0.0.1', '0')).toBe('127.0.0.1:?');
    expect(endpointTitle('127.0.0.1', '007')).toBe('127.0.0.1:7');
  });

  it('names a host that carries its port by that port, and text that is no host as typed', () => {
    expect(endpointTitle('[::1]:80', '')).toBe('[::1]:80');
    expect(endpointTitle('[::1]:80', '80')).toBe('[::1]:80');
    expect(endpointTitle('[::1]:80', '81')).toBe('[::1]:?');
    expect(endpointTitle('tcp://example.org:7', '')).toBe('example.org:7');
    expect(endpointTitle('http://x', '80')).toBe('http://x:80');
    expect(endpointTitle('tcp://example.org', '80')).toBe('example.org:80');
    expect(endpointTitle('bücher.de:80', '')).toBe('bücher.de:80');
    expect(endpointTitle('bücher.de', '80')).toBe('bücher.de:80');
  });

  it('is null while the host or the port is blank (the tab says "New session")', () => {
    expect(endpointTitle('', '80')).toBeNull();
    expect(endpointTitle('example.org', '  ')).toBeNull();
  });
});
