/**
 * Resolves a request path to a file inside the built renderer folder, or to nothing.
 *
 * Why hand-written: it is twenty lines, and the rule is ours (only files under one root, after
 * percent-decoding and normalisation, no dotfiles, no directory listings), so a general static
 * server library would need more configuration than this needs code.
 */
import { resolve, sep, extname } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  // The font licence the app carries (renderer/public/).
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a URL path names under `root`, or null when it is outside, hidden or malformed. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded === '/' || decoded === '') decoded = '/index.html';
  const segments = decoded.split('/');
  if (segments.some((s) => s.startsWith('.'))) return null;
  const absRoot = resolve(root);
  const full = resolve(absRoot, '.' + decoded);
  if (!full.startsWith(absRoot + sep)) return null;
  return full;
}

/** The Content-Type for a served file; unknown kinds are served as opaque bytes. */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
