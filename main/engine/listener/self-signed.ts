/**
 * A throwaway self-signed certificate for a TLS listener, made with the `openssl` CLI (no npm
 * dependency; Debian, macOS and Git for Windows ship it). Valid for one day, for localhost,
 * 127.0.0.1 and ::1; the key never touches a path that outlives the call.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../../shared/errors.ts';
import { lazyChildProcess, lazyCrypto } from '../lazy-builtins.ts';

export interface Credentials {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint, as a client shows it. */
  fingerprint256: string;
}

export async function makeSelfSigned(): Promise<Result<Credentials>> {
  // Loaded here, not at import: a plain TCP listener never needs node:child_process or node:crypto.
  const { execFile } = lazyChildProcess();
  const dir = await mkdtemp(join(tmpdir(), 'st-selfsigned-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const args = [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ];
    const run = await new Promise<Error | null>((resolve) => {
      execFile('openssl', args, { timeout: 30_000 }, (err) => resolve(err));
    });
    if (run) {
      const missing = (run as NodeJS.ErrnoException).code === 'ENOENT';
      return fail(
        'UNSUPPORTED',
        missing
          ? 'A self-signed certificate needs the openssl command, which is not installed; use --cert and --key instead.'
          : `openssl could not make a self-signed certificate: ${run.message}`,
      );
    }
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return ok({ cert, key, fingerprint256: new (lazyCrypto().X509Certificate)(cert).fingerprint256 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
