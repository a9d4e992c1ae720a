import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { contentTypeFor, resolveStaticPath } from '../../../main/web/static-files.ts';

const root = resolve('/srv/renderer');

describe('resolveStaticPath', () => {
  it('maps / to index.html and keeps files under the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/a.js')).toBe(join(root, 'assets', 'a.js'));
  });

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E%2Fetc%2Fpasswd',
    '/..%5c..%5cwindows',
    '/assets/%00.js',
    '/.env',
    '/%E0%A4%A',
  ])('rejects %s', (p) => {
    expect(resolveStaticPath(root, p)).toBeNull();
  });

  it('names content types, with bytes for unknown kinds', () => {
    expect(contentTypeFor('a.js')).toMatch(/javascript/);
    expect(contentTypeFor('a.bin')).toBe('application/octet-stream');
    expect(contentTypeFor('assets/control-pictures-5xCXC6C9.woff2')).toBe('font/woff2');
    expect(contentTypeFor('control-pictures-font-LICENSE.txt')).toBe('text/plain; charset=utf-8');
  });
});
