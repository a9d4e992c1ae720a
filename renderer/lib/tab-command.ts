/**
 * Between a tab's settings and "copy as command": the command source a tab stands for, and what a
 * pasted command line changes in a tab, with the sentence that tells the user so.
 * Pure (no runes, no DOM): tested in test/renderer/lib/tab-command.test.ts.
 */
import type { CommandSource } from '../../shared/command-line.ts';
import type { ParsedCommand } from '../../shared/command-line-parse.ts';
import { payloadOf, tlsSettingsOf, type TabSettings } from './state/tab-settings.ts';

/** What a command for this tab is built from: the settings as a profile would store them. */
export function commandSourceOf(s: TabSettings): CommandSource {
  return {
    host: s.host,
    port: s.port,
    transport: s.transport,
    tls: tlsSettingsOf(s),
    payload: payloadOf(s),
    closeAfterSend: s.closeAfterSend,
    connectTimeoutMs: s.connectTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    maxResponseBytes: s.maxResponseBytes,
    udp: { localPort: s.udpLocalPort, mode: s.udpMode, broadcast: s.udpBroadcast, replyWindowMs: s.udpReplyWindowMs, maxDatagrams: s.udpMaxDatagrams },
  };
}

/**
 * Writes what the command said into the settings; what it did not say stays as it was. TLS settings
 * the command names replace the tab's TLS settings as a whole (a half-old, half-new set would
 * connect in a way neither described), and only when the command is a TLS one.
 */
export function applyParsedCommand(s: TabSettings, p: ParsedCommand): void {
  s.host = p.host;
  s.port = String(p.port);
  s.transport = p.transport;
  if (p.payload) {
    s.payloadText = p.payload.text;
    s.mode = p.payload.mode;
    s.encoding = p.payload.encoding;
    s.lineEnding = p.payload.lineEnding;
    s.newlines = p.payload.newlines ?? 'as-typed';
  }
  if (p.closeAfterSend !== undefined) s.closeAfterSend = p.closeAfterSend;
  if (p.connectTimeoutMs !== undefined) s.connectTimeoutMs = p.connectTimeoutMs;
  if (p.idleTimeoutMs !== undefined) s.idleTimeoutMs = p.idleTimeoutMs;
  if (p.maxResponseBytes !== undefined) s.maxResponseBytes = p.maxResponseBytes;
  if (p.tls) {
    s.tlsServerName = p.tls.serverName ?? '';
    s.tlsVerifyName = p.tls.verifyName ?? '';
    s.tlsVerify = p.tls.verify ?? true;
    s.tlsCaFile = p.tls.caFile ?? '';
    s.tlsCertFile = p.tls.certFile ?? '';
    s.tlsKeyFile = p.tls.keyFile ?? '';
    s.tlsPfxFile = p.tls.pfxFile ?? '';
    s.tlsAlpn = (p.tls.alpn ?? []).join(', ');
    s.tlsMinVersion = p.tls.minVersion ?? '';
    s.tlsMaxVersion = p.tls.maxVersion ?? '';
  }
  if (p.udp) {
    if (p.udp.localPort !== undefined) s.udpLocalPort = p.udp.localPort;
    if (p.udp.mode !== undefined) s.udpMode = p.udp.mode;
    if (p.udp.broadcast !== undefined) s.udpBroadcast = p.udp.broadcast;
    if (p.udp.replyWindowMs !== undefined) s.udpReplyWindowMs = p.udp.replyWindowMs;
    if (p.udp.maxDatagrams !== undefined) s.udpMaxDatagrams = p.udp.maxDatagrams;
  }
}

/** The notice after a paste: what was taken, and what was ignored (so nothing is lost silently). */
export function describeParsedCommand(p: ParsedCommand): { taken: string; ignored: string | null } {
  return {
    taken: `Filled in from the pasted command: ${p.taken.join('; ')}${p.payload ? '' : '; no payload in it, so the editor is unchanged'}.`,
    ignored: p.ignored.length > 0 ? `Ignored: ${p.ignored.join('; ')}.` : null,
  };
}
