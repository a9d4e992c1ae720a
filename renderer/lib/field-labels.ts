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
};

/** The error's message with the form's label for its field in front ("Port: 0 is not a port…"). */
export function uiMessage(error: Pick<AppError, 'field' | 'message'>): string {
  return labelledMessage(error, UI_FIELD_LABELS);
}
