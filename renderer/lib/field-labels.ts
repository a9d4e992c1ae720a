/**
 * The UI's names for the `field` of an error, as the form labels them. Errors carry the field as
 * data and a message that does not name it (STYLE habit 2); the CLI labels the same errors with
 * its option names instead.
 */
import { labelledMessage, type AppError, type FieldLabels } from '../../shared/errors.ts';

export const UI_FIELD_LABELS: FieldLabels = {
  host: 'Host',
  port: 'Port',
  payload: 'Payload',
  connectTimeoutMs: 'Connect timeout',
  idleTimeoutMs: 'Idle timeout',
  maxResponseBytes: 'Response cap',
  tls: 'TLS',
  serverName: 'SNI name',
  verifyName: 'Name to verify',
  caFile: 'CA file',
  certFile: 'Client certificate',
  keyFile: 'Client key',
  pfxFile: 'PKCS#12 file',
  passphrase: 'Passphrase',
  alpn: 'ALPN',
  minVersion: 'Min version',
  maxVersion: 'Max version',
  repeatEveryMs: 'Send every',
  repeatCount: 'Times',
};

/** The error's message with the form's label for its field in front ("Port: 0 is not a port…"). */
export function uiMessage(error: Pick<AppError, 'field' | 'message'>): string {
  // The TLS option checks (main/engine/tls-openers.ts) still start their messages with the option
  // name ("certFile: …"); the form's label replaces it rather than standing in front of it.
  const prefix = error.field === undefined ? '' : `${error.field}: `;
  const message = prefix && UI_FIELD_LABELS[error.field!] !== undefined && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return labelledMessage({ field: error.field, message }, UI_FIELD_LABELS);
}
