/**
 * node:tls, node:crypto, node:dgram and node:dns, loaded on first use instead of at start-up
 * (issue 16). A plain TCP
 * `socket-tester send` never needs either, and an ES module import of a built-in loads it (and
 * everything it requires) before the first line runs: a few ms of every one-shot start-up. The
 * engine's TLS code asks for them here at the moment it makes a TLS connection.
 */
import { createRequire } from 'node:module';
import type * as CryptoModule from 'node:crypto';
import type * as TlsModule from 'node:tls';
import type * as DgramModule from 'node:dgram';
import type * as DnsModule from 'node:dns';

const requireBuiltin = createRequire(import.meta.url);
let tls: typeof TlsModule | undefined;
let crypto: typeof CryptoModule | undefined;
let dgram: typeof DgramModule | undefined;
let dns: typeof DnsModule | undefined;

/** node:tls, loaded on the first call. */
export function lazyTls(): typeof TlsModule {
  return (tls ??= requireBuiltin('node:tls') as typeof TlsModule);
}

/** node:crypto, loaded on the first call. */
export function lazyCrypto(): typeof CryptoModule {
  return (crypto ??= requireBuiltin('node:crypto') as typeof CryptoModule);
}

/** node:dgram, loaded when the first UDP socket is made. */
export function lazyDgram(): typeof DgramModule {
  return (dgram ??= requireBuiltin('node:dgram') as typeof DgramModule);
}

/** node:dns, loaded when a UDP target's name is first looked up (TCP's lookups happen inside net). */
export function lazyDns(): typeof DnsModule {
  return (dns ??= requireBuiltin('node:dns') as typeof DnsModule);
}
