/** Converts between a saved profile and a tab's editable settings. */
import type { Profile, ProfileDraft } from '../../../shared/profile.ts';
import type { TabSettings } from './session-tab.svelte.ts';

export function settingsFromProfile(p: Profile): TabSettings {
  return {
    host: p.host,
    port: String(p.port),
    payloadText: p.payload.text,
    mode: p.payload.mode,
    encoding: p.payload.encoding,
    lineEnding: p.payload.lineEnding,
    // Profiles saved before the choice existed have no key: their bytes stay as typed.
    newlines: p.payload.newlines ?? 'as-typed',
    closeAfterSend: p.closeAfterSend,
    connectTimeoutMs: p.connectTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs,
    maxResponseBytes: p.maxResponseBytes,
  };
}

/** A draft from tab settings; the port must already be valid (the caller checked it). */
export function draftFromSettings(s: TabSettings, meta: { name: string; folder: string | null; notes: string }, port: number): ProfileDraft {
  return {
    name: meta.name,
    folder: meta.folder,
    host: s.host.trim(),
    port,
    // 'as-typed' is written as no key at all, so files that never use the choice stay readable by
    // builds from before it (their strict schema refuses unknown keys).
    payload: {
      text: s.payloadText,
      mode: s.mode,
      encoding: s.encoding,
      lineEnding: s.lineEnding,
      ...(s.newlines === 'as-typed' ? {} : { newlines: s.newlines }),
    },
    connectTimeoutMs: s.connectTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    closeAfterSend: s.closeAfterSend,
    maxResponseBytes: s.maxResponseBytes,
    notes: meta.notes,
  };
}
