import { describe, expect, it } from 'vitest';
import { PAYLOAD_LIMITS } from '../../../../shared/payload.ts';
import { defaultListenerSettings, newRule, type ListenerSettings } from '../../../../renderer/lib/state/listener-settings.ts';
import { defaultTabSettings } from '../../../../renderer/lib/state/tab-settings.ts';
import { readWorkspace, workspaceText, WORKSPACE_LIMITS, type TabSnapshot, type WorkspaceSnapshot } from '../../../../renderer/lib/state/workspace.ts';

function session(over: Partial<ReturnType<typeof defaultTabSettings>> = {}): Extract<TabSnapshot, { kind: 'session' }> {
  return { kind: 'session', settings: { ...defaultTabSettings(), ...over }, saved: null, profile: null, view: 'text', wrap: true };
}

/** The stored text with `edit` applied to its parsed form: what a hand edit or another version leaves. */
function edited(w: WorkspaceSnapshot, edit: (raw: Record<string, unknown> & { tabs: Record<string, unknown>[] }) => void): string {
  const raw = JSON.parse(workspaceText(w)!) as Record<string, unknown> & { tabs: Record<string, unknown>[] };
  edit(raw);
  return JSON.stringify(raw);
}

describe('workspace: what a reload gives back', () => {
  it('round-trips every kind of tab: settings as typed, the saved copy, the profile link, the view and the selection', () => {
    const saved = { ...defaultTabSettings(), host: 'redis.local', port: '6379' };
    const listener = { ...defaultListenerSettings(), port: '7000', responderKind: 'echo' as const };
    const w: WorkspaceSnapshot = {
      active: 2,
      tabs: [
        { ...session({ host: 'redis.local', port: '63 79', payloadText: 'PING\r\n', mode: 'escapes', transport: 'tls', tlsMinVersion: 'TLSv1.3' }), saved, profile: { id: 'p1', name: 'Redis', revision: 4 }, view: 'hex', wrap: false },
        { kind: 'listener', settings: listener, saved: null, profile: null },
        { kind: 'conversation', yaml: 'name: x\nsteps: []\n', savedYaml: null, profile: { id: 'c1', name: 'Smoke', revision: null }, view: 'yaml' },
      ],
    };
    const back = readWorkspace(workspaceText(w));
    expect(back?.active).toBe(2);
    expect(back?.tabs[0]).toEqual(w.tabs[0]);
    expect(back?.tabs[2]).toEqual(w.tabs[2]);
    // Rules get keys of this page (row identities), the rest is as stored.
    const l = back?.tabs[1];
    expect(l?.kind).toBe('listener');
    if (l?.kind === 'listener') {
      const strip = (s: ListenerSettings): unknown => ({ ...s, rules: s.rules.map(({ key: _k, ...r }) => r) });
      expect(strip(l.settings)).toEqual(strip(listener));
    }
  });

  it('gives nothing for a text that is not a workspace, and never throws', () => {
    for (const text of [null, '', 'not json', '[]', '{}', 'null', '{"format":"socket-tester-workspace","version":2,"tabs":[]}', '{"format":"socket-tester-workspace","version":1,"tabs":[]}', '{"format":"socket-tester-workspace","version":1,"tabs":{}}', '{"format":"socket-tester-workspace","version":1,"tabs":[1,"x",null,{"kind":"nope"}]}']) {
      expect(readWorkspace(text)).toBeNull();
    }
  });

  it('puts defaults where a stored field has the wrong type, an unknown value, or is not finite', () => {
    const w: WorkspaceSnapshot = { active: 0, tabs: [session({ host: 'a' })] };
    const text = edited(w, (raw) => {
      const s = raw.tabs[0]!['settings'] as Record<string, unknown>;
      Object.assign(s, { port: 80, transport: 'sctp', mode: 'binary', encoding: 'utf16', tlsVerify: 'yes', connectTimeoutMs: null, idleTimeoutMs: '5', udpMode: 'everyone', extra: 'dropped' });
      raw.tabs[0]!['view'] = 'source';
      raw.tabs[0]!['wrap'] = 1;
      raw['active'] = 7;
    });
    const back = readWorkspace(text)!;
    const d = defaultTabSettings();
    const s = back.tabs[0]!.kind === 'session' ? back.tabs[0]!.settings : null;
    expect(s).toEqual({ ...d, host: 'a' });
    expect(s).not.toHaveProperty('extra');
    expect(back.tabs[0]).toMatchObject({ view: 'text', wrap: true });
    expect(back.active).toBe(0);
    // JSON cannot hold Infinity, but a number past the double range parses to it.
    const huge = edited(w, (raw) => {
      (raw.tabs[0]!['settings'] as Record<string, unknown>)['connectTimeoutMs'] = 0;
    }).replace('"connectTimeoutMs":0', '"connectTimeoutMs":1e999');
    const h = readWorkspace(huge)!.tabs[0]!;
    expect(h.kind === 'session' && h.settings.connectTimeoutMs).toBe(d.connectTimeoutMs);
  });

  it('keeps no key from the stored object beyond the known ones (no __proto__ games)', () => {
    const w: WorkspaceSnapshot = { active: 0, tabs: [session()] };
    const text = workspaceText(w)!.replace('"settings":{', '"settings":{"__proto__":{"polluted":true},"constructor":"x",');
    const back = readWorkspace(text)!;
    const s = back.tabs[0]!.kind === 'session' ? back.tabs[0]!.settings : null;
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect((s as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('drops a broken profile link, keeps the tab, and skips tabs of unknown kinds', () => {
    const w: WorkspaceSnapshot = { active: 1, tabs: [session({ host: 'one' }), session({ host: 'two' })] };
    const text = edited(w, (raw) => {
      raw.tabs[0]!['profile'] = { id: 'p', name: 'n', revision: -1 };
      raw.tabs[1]!['profile'] = { id: '', name: 'n', revision: 1 };
      raw.tabs.unshift({ kind: 'future-kind', settings: {} });
    });
    const back = readWorkspace(text)!;
    expect(back.tabs.map((t) => t.kind === 'session' && t.settings.host)).toEqual(['one', 'two']);
    expect(back.tabs.map((t) => t.profile)).toEqual([null, null]);
  });

  it('keeps an edit over the editor limit (the editor then says why it cannot be sent), and drops a conversation without its YAML', () => {
    const over = 'x'.repeat(PAYLOAD_LIMITS.maxEditorChars + 48_576);
    const w: WorkspaceSnapshot = { active: 0, tabs: [session({ payloadText: over }), { kind: 'conversation', yaml: 'a', savedYaml: null, profile: null, view: 'steps' }] };
    const text = edited(w, (raw) => {
      raw.tabs[1]!['yaml'] = 42;
    });
    const back = readWorkspace(text)!;
    expect(back.tabs).toHaveLength(1);
    expect(back.tabs[0]!.kind === 'session' && back.tabs[0]!.settings.payloadText).toBe(over);
  });

  it('bounds the tabs and rules it reads', () => {
    const many: WorkspaceSnapshot = { active: 0, tabs: Array.from({ length: WORKSPACE_LIMITS.maxTabs + 5 }, () => session()) };
    expect(readWorkspace(workspaceText(many))!.tabs).toHaveLength(WORKSPACE_LIMITS.maxTabs);
    const rules = Array.from({ length: WORKSPACE_LIMITS.maxRules + 1 }, () => newRule({ matchValue: 'x' }));
    const l: WorkspaceSnapshot = { active: 0, tabs: [{ kind: 'listener', settings: { ...defaultListenerSettings(), rules }, saved: null, profile: null }] };
    const t = readWorkspace(workspaceText(l))!.tabs[0]!;
    expect(t.kind === 'listener' && t.settings.rules.length).toBe(WORKSPACE_LIMITS.maxRules);
    expect(t.kind === 'listener' && new Set(t.settings.rules.map((r) => r.key)).size).toBe(WORKSPACE_LIMITS.maxRules);
  });

  it('stores nothing rather than a workspace over its size (an older one would come back as the latest)', () => {
    const big = 'y'.repeat(PAYLOAD_LIMITS.maxEditorChars);
    const w: WorkspaceSnapshot = { active: 0, tabs: Array.from({ length: 5 }, () => session({ payloadText: big })) };
    expect(workspaceText(w)).toBeNull();
    expect(readWorkspace('x'.repeat(WORKSPACE_LIMITS.maxChars + 1))).toBeNull();
  });

  it('holds no passphrase: a session snapshot has only the settings keys, which have none', () => {
    const text = workspaceText({ active: 0, tabs: [session({ transport: 'tls', tlsPfxFile: '/k.pfx' })] })!;
    expect(text).not.toMatch(/passphrase/i);
  });
});
