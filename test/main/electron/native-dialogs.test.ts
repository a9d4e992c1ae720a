/**
 * R-ELECTRON-DIALOG-PATH: the renderer's suggested name for a saved response reached the save
 * dialog as its default path unchanged, so a renderer could preselect any absolute path
 * (`/home/me/.bashrc`) for a hurried user to confirm. Only a bare, sanitised file name gets through.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { dialog, recorded } from '../../fakes/electron.ts';
import { createNativeDialogs, FALLBACK_FILE_NAME, MAX_FILE_NAME_CHARS, safeFileName } from '../../../main/electron/native-dialogs.ts';

beforeEach(() => recorded.reset());

describe('safeFileName', () => {
  it.each([
    ['response.bin', 'response.bin'],
    ['/home/me/.bashrc', 'bashrc'],
    ['/etc/passwd', 'passwd'],
    ['C:\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['..\\..\\startup.bat', 'startup.bat'],
    ['../../x.txt', 'x.txt'],
    ['folder/', FALLBACK_FILE_NAME],
    ['', FALLBACK_FILE_NAME],
    ['...', FALLBACK_FILE_NAME],
    ['   ', FALLBACK_FILE_NAME],
    ['a\u0000b\nc.txt', 'abc.txt'],
    ['name\u202Etxt.exe', 'nametxt.exe'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['trailing. . ', 'trailing'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['café 127.0.0.1-5000.bin', 'café 127.0.0.1-5000.bin'],
  ])('%j → %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('keeps the extension when cutting a long name, and refuses non-strings', () => {
    const long = safeFileName('x'.repeat(500) + '.bin');
    expect(long).toHaveLength(MAX_FILE_NAME_CHARS);
    expect(long.endsWith('.bin')).toBe(true);
    for (const bad of [null, undefined, 42, { toString: 1 }, ['a']]) expect(safeFileName(bad)).toBe(FALLBACK_FILE_NAME);
  });
});

describe('createNativeDialogs', () => {
  it('never hands the save dialog a renderer-supplied path, only a bare name', async () => {
    const dialogs = createNativeDialogs(dialog as never);
    for (const suggested of ['/root/.ssh/authorized_keys', 'C:\\Users\\me\\AppData\\Roaming\\x.lnk', 'reply.bin']) {
      expect(await dialogs.pickSavePath(suggested)).toBeNull();
    }
    const paths = recorded.saveDialogs.map((o) => (o as { defaultPath: string }).defaultPath);
    expect(paths).toEqual(['authorized_keys', 'x.lnk', 'reply.bin']);
    for (const p of paths) expect(p).not.toMatch(/[/\\]/);
  });

  it('opens a TLS file chooser per purpose with its own title and filters, never a renderer path', async () => {
    const dialogs = createNativeDialogs(dialog as never);
    for (const purpose of ['ca', 'cert', 'key', 'pfx'] as const) expect(await dialogs.pickTlsFile(purpose)).toBeNull();
    const opened = recorded.openDialogs as Array<{ title: string; defaultPath?: string; filters: Array<{ extensions: string[] }> }>;
    expect(opened.map((o) => o.title)).toEqual([
      'Choose a CA certificate file (PEM)',
      'Choose a client certificate file (PEM)',
      'Choose a client key file (PEM)',
      'Choose a PKCS#12 file',
    ]);
    expect(opened[3]!.filters[0]!.extensions).toEqual(['p12', 'pfx']);
    for (const o of opened) expect(o.defaultPath).toBeUndefined();
  });
});
