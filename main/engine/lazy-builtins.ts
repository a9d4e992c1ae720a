/**
 * node:tls and node:crypto, loaded on first use instead of at start-up (issue 16). A plain TCP
 * `socket-tester send` never needs either, and an ES module import of a built-in loads it (and
 * everything it requires) before the first line runs: a few ms of every one-shot start-up. The
 * engine's TLS code asks for them here at the moment it makes a TLS connection.
 */
import { createRequire } from 'node:module';
import type * as CryptoModule from 'node:crypto';
import type * as TlsModule from 'node:tls';

const requireBuiltin = createRequire(import.meta.url);
let tls: typeof TlsModule | undefined;
let crypto: typeof CryptoModule | undefined;

/** node:tls, loaded on the first call. */
export function lazyTls(): typeof TlsModule {
  return (tls ??= requireBuiltin('node:tls') as typeof TlsModule);
}

/** node:crypto, loaded on the first call. */
export function lazyCrypto(): typeof CryptoModule {
  return (crypto ??= requireBuiltin('node:crypto') as typeof CryptoModule);
}
