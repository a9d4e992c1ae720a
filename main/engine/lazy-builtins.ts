/**
 * Node built-ins that a plain TCP `socket-tester send` never needs, loaded on first use instead of
 * at start-up (issue 16): node:tls, node:crypto, node:dgram, node:dns, node:stream (stdin only) and
 * node:fs/promises (files only: it pulls in readline and the fs watchers, ~1 ms). An import of a
 * built-in loads it (and everything it requires) before the first line runs, a few ms of every
 * one-shot start-up; the code that needs one asks for it here at the moment it needs it.
 *
 * process.getBuiltinModule (Node ≥ 20.16, and Electron's Node) works the same in the ES module
 * builds (Electron, tests) and the CLI's CommonJS build, and needs no createRequire at load time.
 */
import type * as CryptoModule from 'node:crypto';
import type * as TlsModule from 'node:tls';
import type * as DgramModule from 'node:dgram';
import type * as DnsModule from 'node:dns';
import type * as ChildProcessModule from 'node:child_process';
import type * as FsPromisesModule from 'node:fs/promises';

let tls: typeof TlsModule | undefined;
let crypto: typeof CryptoModule | undefined;
let dgram: typeof DgramModule | undefined;
let dns: typeof DnsModule | undefined;
let childProcess: typeof ChildProcessModule | undefined;
let stream: typeof import('node:stream') | undefined;
let fsPromises: typeof FsPromisesModule | undefined;

/** node:tls, loaded on the first call. */
export function lazyTls(): typeof TlsModule {
  return (tls ??= process.getBuiltinModule('node:tls'));
}

/** node:crypto, loaded on the first call. */
export function lazyCrypto(): typeof CryptoModule {
  return (crypto ??= process.getBuiltinModule('node:crypto'));
}

/** node:dgram, loaded when the first UDP socket is made. */
export function lazyDgram(): typeof DgramModule {
  return (dgram ??= process.getBuiltinModule('node:dgram'));
}

/** node:dns, loaded when a UDP target's name is first looked up (TCP's lookups happen inside net). */
export function lazyDns(): typeof DnsModule {
  return (dns ??= process.getBuiltinModule('node:dns'));
}

/** node:stream, loaded when stdin is read (its operators, pipeline and compose cost a few ms). */
export function lazyStream(): typeof import('node:stream') {
  return (stream ??= process.getBuiltinModule('node:stream'));
}

/** node:fs/promises, loaded when a file (--file, --output, --profiles, a TLS credential) is used. */
export function lazyFsPromises(): typeof FsPromisesModule {
  return (fsPromises ??= process.getBuiltinModule('node:fs/promises'));
}

/**
 * node:child_process, loaded when a listener makes a self-signed certificate with openssl. Not a
 * dynamic import(): the CLI's CommonJS chunks are compiled from a code cache, where import() has
 * no loader to call (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
export function lazyChildProcess(): typeof ChildProcessModule {
  return (childProcess ??= process.getBuiltinModule('node:child_process'));
}
