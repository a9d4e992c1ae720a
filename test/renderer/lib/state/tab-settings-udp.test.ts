import { describe, expect, it } from 'vitest';
import { UDP_PROFILE_DEFAULTS, validateProfileDraft, type Profile } from '../../../../shared/profile.ts';
import { defaultTabSettings, draftFromSettings, sameSettings, settingsFromProfile } from '../../../../renderer/lib/state/tab-settings.ts';

const meta = { name: 'dns', folder: null, notes: '' };
const stamp = { id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('tab settings: UDP', () => {
  it('a new tab is TCP with the UDP defaults ready', () => {
    const s = defaultTabSettings();
    expect(s.transport).toBe('tcp');
    expect(s.udpMode).toBe(UDP_PROFILE_DEFAULTS.mode);
    expect(s.udpMaxDatagrams).toBe(UDP_PROFILE_DEFAULTS.maxDatagrams);
  });

  it('a TCP tab saves transport "tcp" (format 3) and no udp keys, whatever its hidden UDP fields say', () => {
    const draft = draftFromSettings({ ...defaultTabSettings(), port: '7', udpLocalPort: 99 }, meta, 7);
    expect(draft.transport).toBe('tcp');
    expect('udp' in draft).toBe(false);
    expect(validateProfileDraft(draft).ok).toBe(true);
  });

  it('a UDP tab saves its settings and opening the profile gives them back unchanged', () => {
    const s = { ...defaultTabSettings(), transport: 'udp' as const, port: '53', udpLocalPort: 5353, udpMode: 'from-anyone' as const, udpBroadcast: true, udpReplyWindowMs: 1500, udpMaxDatagrams: 7 };
    const draft = draftFromSettings(s, meta, 53);
    expect(validateProfileDraft(draft).ok).toBe(true);
    expect(draft.udp).toEqual({ localPort: 5353, mode: 'from-anyone', broadcast: true, replyWindowMs: 1500, maxDatagrams: 7 });
    const profile: Profile = { ...draft, ...stamp };
    expect(sameSettings(settingsFromProfile(profile), s)).toBe(true);
  });
});
