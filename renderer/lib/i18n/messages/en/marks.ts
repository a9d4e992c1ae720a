/** Tooltips of the visible marks for control and invalid bytes (lib/visible-marks.ts). */
export const marks = {
  control: 'control character 0x{{hex}}',
  invalid: 'bytes that are not valid in this encoding',
  invisible: 'invisible or control character U+{{hex}}',
};
