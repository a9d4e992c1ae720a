/**
 * The desktop app's native file dialogs, as the app service asks for them. The only renderer input
 * that reaches a dialog is the suggested name of a response to save; it is hostile like every other
 * renderer byte, so it is cut to a bare, sanitised file name: a renderer must not be able to point the
 * dialog at a path of its choosing (`/home/me/.bashrc`, `C:\Windows\…`, `../../x`) and have a hurried
 * user confirm it.
 */
import type { Dialog } from 'electron';
import type { NativeDialogs } from '../app-service.ts';
import type { TlsFilePurpose } from '../../shared/tls.ts';

/** What a save dialog suggests when nothing usable is left of the name. */
export const FALLBACK_FILE_NAME = 'response.bin';
/** Longest suggested name, in characters (most file systems allow 255 bytes). */
export const MAX_FILE_NAME_CHARS = 120;

// Windows refuses these names with any extension; elsewhere they are merely odd.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A bare file name safe to suggest: the last path segment (either separator), without control or
 * bidi characters, characters Windows forbids, leading dots (no hidden files) or trailing dots and
 * spaces; never empty, never a reserved device name, at most {@link MAX_FILE_NAME_CHARS} characters.
 */
export function safeFileName(suggested: unknown): string {
  if (typeof suggested !== 'string') return FALLBACK_FILE_NAME;
  const lastSegment = suggested.split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    // C0/C1 controls, bidi overrides and isolates, zero-width characters, BOM.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (name.length > MAX_FILE_NAME_CHARS) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_FILE_NAME_CHARS - ext.length) + ext;
  }
  if (RESERVED.test(name)) name = `_${name}`;
  return name.length > 0 ? name : FALLBACK_FILE_NAME;
}

const TLS_FILE_TITLES: Record<TlsFilePurpose, string> = {
  ca: 'Choose a CA certificate file (PEM)',
  cert: 'Choose a client certificate file (PEM)',
  key: 'Choose a client key file (PEM)',
  pfx: 'Choose a PKCS#12 file',
};
// Every purpose also offers all files: certificates come with many names (.crt, .cer, none).
const TLS_FILE_FILTERS: Record<TlsFilePurpose, Array<{ name: string; extensions: string[] }>> = {
  ca: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }, { name: 'All files', extensions: ['*'] }],
  cert: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }, { name: 'All files', extensions: ['*'] }],
  key: [{ name: 'PEM keys', extensions: ['pem', 'key'] }, { name: 'All files', extensions: ['*'] }],
  pfx: [{ name: 'PKCS#12', extensions: ['p12', 'pfx'] }, { name: 'All files', extensions: ['*'] }],
};

/** The dialogs the app service uses, backed by Electron's `dialog`. */
export function createNativeDialogs(dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>): NativeDialogs {
  return {
    async pickFileToSend() {
      const r = await dialog.showOpenDialog({ title: 'Send a file', properties: ['openFile'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickTlsFile(purpose) {
      const r = await dialog.showOpenDialog({ title: TLS_FILE_TITLES[purpose], properties: ['openFile'], filters: TLS_FILE_FILTERS[purpose] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickSavePath(suggestedName) {
      const r = await dialog.showSaveDialog({ title: 'Save response', defaultPath: safeFileName(suggestedName) });
      return r.canceled ? null : (r.filePath ?? null);
    },
  };
}
