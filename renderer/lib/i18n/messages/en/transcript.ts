/** Transcript rows (lib/transcript-rows.ts). The outcome in "closed: …" is the engine's word, as data. */
export const transcript = {
  sent: '→ sent',
  recv: '← recv',
  connecting: 'connecting to {{endpoint}}',
  connected: 'connected to {{endpoint}} (IPv{{family}})',
  bytes: '{{n}} B  {{preview}}',
  tlsVerified: 'TLS {{protocol}} established ({{cipher}}); certificate verified',
  tlsNotVerified: 'TLS {{protocol}} established ({{cipher}}); certificate NOT verified',
  localEnded: 'we finished sending (FIN sent)',
  remoteEnded: 'peer finished sending (FIN received)',
  closed: 'closed: {{outcome}}',
  error: 'error {{code}}: {{message}}',
  truncated: 'transcript limit of {{n}} entries reached; later entries are not recorded',
  unknown: 'unknown entry: kind {{kind}}',
  noKind: '(none)',
};
