/**
 * TLS for stream sessions: `connectTls` (TCP, then a TLS handshake on that socket) and `startTls`
 * (the same handshake on a live socket: STARTTLS). Both run one code path, so a TLS connect and an
 * upgrade behave alike.
 *
 * Invariants:
 * - Options are checked (checkTlsOptions) before any file or socket is touched; credential files
 *   are read and the secure context built before the TCP connect, so a bad file costs no connection.
 * - Node never rejects a handshake on our behalf: we connect with rejectUnauthorized:false and a
 *   no-op checkServerIdentity, then judge the chain (`authorized` / `authorizationError`) and the
 *   name (`tls.checkServerIdentity` against the verify name, which is separate from SNI) ourselves.
 *   So with verify off the session continues and the verdict stays visible, and with verify on a
 *   failed verdict still reports the chain it judged (OpenResult.tls on the failure).
 * - The passphrase is handed to the secure context for this call only; it is never copied into
 *   the status, the transcript, an error message or an error's fields.
 * - Everything here uses APIs that Node (OpenSSL) and Electron (BoringSSL) share; docs/engine.md
 *   lists each TLS fact and how it is obtained.
 */
import type * as net from 'node:net';
import { isIP } from 'node:net';
import type tls from 'node:tls';
import { parseHost } from '../../shared/endpoint.ts';
import { fail, ok, type AppError, type Result } from '../../shared/errors.ts';
import { TLS_LIMITS, TLS_VERSIONS, type TlsClientOptions, type TlsVersion } from '../../shared/tls.ts';
import { formatEndpoint, toFileError, toTlsCredentialError } from './error-mapping.ts';
import { connectTcp, waitForEvent, abandoned, type ConnectTcpOptions, type OpenResult, type StreamOpener } from './stream-openers.ts';
import { describeTls } from './tls-info.ts';
import { lazyCrypto, lazyFsPromises, lazyTls } from './lazy-builtins.ts';

/** TLS options with every value checked; `serverName` undefined means "the default for the host". */
export interface CheckedTlsOptions {
  serverName: string | null | undefined;
  verifyName: string | undefined;
  verify: boolean;
  caFile: string | undefined;
  caFileOnly: boolean;
  certFile: string | undefined;
  keyFile: string | undefined;
  pfxFile: string | undefined;
  /** Bytes given instead of a path (web mode's browser read the file); each excludes its path. */
  caData: Uint8Array | undefined;
  certData: Uint8Array | undefined;
  keyData: Uint8Array | undefined;
  pfxData: Uint8Array | undefined;
  passphrase: string | undefined;
  alpn: string[];
  minVersion: TlsVersion | undefined;
  maxVersion: TlsVersion | undefined;
}

const KNOWN_KEYS = new Set<string>([
  'serverName',
  'verifyName',
  'verify',
  'caFile',
  'caFileOnly',
  'certFile',
  'keyFile',
  'pfxFile',
  'caData',
  'certData',
  'keyData',
  'pfxData',
  'passphrase',
  'alpn',
  'minVersion',
  'maxVersion',
]);
const MAX_PATH_CHARS = 4096;
const MAX_PASSPHRASE_CHARS = 1024;
const ALPN_PROTOCOL = /^[\x21-\x7e]+$/;

function invalid(field: string, message: string): Result<never> {
  return fail('INVALID_INPUT', message, { field });
}

/** A host-like name for SNI or verification, with the field named in the error. */
function checkName(value: unknown, field: string, label: string, allowIp: boolean): Result<string> {
  if (typeof value !== 'string') return invalid(field, `${label}: expected text, got ${typeof value}.`);
  const parsed = parseHost(value);
  if (!parsed.ok) {
    const text = parsed.error.message.replace(/^Host: /, '');
    return fail('INVALID_INPUT', `${label}: ${text}`, { field, ...(parsed.error.position !== undefined ? { position: parsed.error.position } : {}) });
  }
  if (parsed.value.port !== undefined) return invalid(field, `${label}: a name only, without a port.`);
  if (!allowIp && parsed.value.family !== null) {
    return invalid(field, `${label}: SNI carries host names only, not IP addresses (RFC 6066); leave it empty to send no SNI.`);
  }
  return ok(parsed.value.host);
}

function checkPath(value: unknown, field: string): Result<string | undefined> {
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH_CHARS || value.includes('\0')) {
    return invalid(field, `${field}: expected the path of a file (1 to ${MAX_PATH_CHARS} characters, no NUL).`);
  }
  return ok(value);
}

function checkData(value: unknown, field: string): Result<Uint8Array | undefined> {
  if (value === undefined) return ok(undefined);
  if (!(value instanceof Uint8Array)) return invalid(field, `${field}: expected the bytes of a file.`);
  if (value.byteLength > TLS_LIMITS.maxCredentialFileBytes) {
    return fail('FILE_ERROR', `${field}: the file is ${value.byteLength} bytes; TLS credential files are at most ${TLS_LIMITS.maxCredentialFileBytes} bytes.`, { field });
  }
  return ok(value);
}

function checkVersion(value: unknown, field: string): Result<TlsVersion | undefined> {
  if (value === undefined) return ok(undefined);
  if (!(TLS_VERSIONS as readonly unknown[]).includes(value)) {
    return invalid(field, `${field}: expected one of ${TLS_VERSIONS.join(', ')}, got ${JSON.stringify(value)}.`);
  }
  return ok(value as TlsVersion);
}

/** Checks every TLS option (types, names, ALPN, versions, file paths) and fills in defaults. */
export function checkTlsOptions(options: TlsClientOptions): Result<CheckedTlsOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return invalid('tls', 'tls: expected an object of TLS options.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) return invalid('tls', `tls: unknown option ${JSON.stringify(key)}.`);
  }
  let serverName: string | null | undefined;
  if (options.serverName === '') serverName = null;
  else if (options.serverName !== undefined) {
    const name = checkName(options.serverName, 'serverName', 'Server name (SNI)', false);
    if (!name.ok) return name;
    serverName = name.value;
  }
  let verifyName: string | undefined;
  if (options.verifyName !== undefined) {
    const name = checkName(options.verifyName, 'verifyName', 'Name to verify', true);
    if (!name.ok) return name;
    verifyName = name.value;
  }
  if (options.verify !== undefined && typeof options.verify !== 'boolean') return invalid('verify', 'verify: expected true or false.');
  if (options.caFileOnly !== undefined && typeof options.caFileOnly !== 'boolean') {
    return invalid('caFileOnly', 'caFileOnly: expected true or false.');
  }
  const paths: Record<'caFile' | 'certFile' | 'keyFile' | 'pfxFile', string | undefined> = {
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    pfxFile: undefined,
  };
  const data: Record<'caData' | 'certData' | 'keyData' | 'pfxData', Uint8Array | undefined> = {
    caData: undefined,
    certData: undefined,
    keyData: undefined,
    pfxData: undefined,
  };
  for (const [pathField, dataField] of [
    ['caFile', 'caData'],
    ['certFile', 'certData'],
    ['keyFile', 'keyData'],
    ['pfxFile', 'pfxData'],
  ] as const) {
    const p = checkPath(options[pathField], pathField);
    if (!p.ok) return p;
    paths[pathField] = p.value;
    const d = checkData(options[dataField], dataField);
    if (!d.ok) return d;
    data[dataField] = d.value;
    if (p.value !== undefined && d.value !== undefined) {
      return invalid(pathField, `${pathField}: give the file's path or its bytes (${dataField}), not both.`);
    }
  }
  const hasCa = paths.caFile !== undefined || data.caData !== undefined;
  const hasPfx = paths.pfxFile !== undefined || data.pfxData !== undefined;
  const hasCert = paths.certFile !== undefined || data.certData !== undefined;
  const hasKey = paths.keyFile !== undefined || data.keyData !== undefined;
  if (options.caFileOnly && !hasCa) return invalid('caFileOnly', 'caFileOnly: give a CA file to trust, or turn this off.');
  if (hasPfx && (hasCert || hasKey)) {
    return invalid('pfxFile', 'pfxFile: give either a PFX file or a certificate and key, not both.');
  }
  if (hasCert && !hasKey) return invalid('keyFile', 'keyFile: a client certificate needs its private key file.');
  if (hasKey && !hasCert) return invalid('certFile', 'certFile: a private key needs its client certificate file.');
  if (options.passphrase !== undefined && (typeof options.passphrase !== 'string' || options.passphrase.length > MAX_PASSPHRASE_CHARS)) {
    return invalid('passphrase', `passphrase: expected text of at most ${MAX_PASSPHRASE_CHARS} characters.`);
  }
  const alpn: string[] = [];
  if (options.alpn !== undefined) {
    if (!Array.isArray(options.alpn) || options.alpn.length > TLS_LIMITS.maxAlpnProtocols) {
      return invalid('alpn', `alpn: expected a list of at most ${TLS_LIMITS.maxAlpnProtocols} protocol names.`);
    }
    for (const [i, p] of options.alpn.entries()) {
      if (typeof p !== 'string' || p.length > TLS_LIMITS.maxAlpnProtocolBytes || !ALPN_PROTOCOL.test(p)) {
        return fail('INVALID_INPUT', `alpn: protocol ${i + 1} must be 1 to ${TLS_LIMITS.maxAlpnProtocolBytes} printable ASCII characters without spaces (e.g. h2, http/1.1).`, {
          field: 'alpn',
          position: i,
        });
      }
      alpn.push(p);
    }
  }
  const minVersion = checkVersion(options.minVersion, 'minVersion');
  if (!minVersion.ok) return minVersion;
  const maxVersion = checkVersion(options.maxVersion, 'maxVersion');
  if (!maxVersion.ok) return maxVersion;
  if (minVersion.value && maxVersion.value && TLS_VERSIONS.indexOf(minVersion.value) > TLS_VERSIONS.indexOf(maxVersion.value)) {
    return invalid('minVersion', `minVersion: ${minVersion.value} is newer than maxVersion ${maxVersion.value}.`);
  }
  return ok({
    serverName,
    verifyName,
    verify: options.verify ?? true,
    caFile: paths.caFile,
    caFileOnly: options.caFileOnly ?? false,
    certFile: paths.certFile,
    keyFile: paths.keyFile,
    pfxFile: paths.pfxFile,
    ...data,
    passphrase: options.passphrase,
    alpn,
    minVersion: minVersion.value,
    maxVersion: maxVersion.value,
  });
}

/** Reads a credential file, refusing anything but a regular file of bounded size (R5). */
async function readCredential(path: string, field: string): Promise<Result<Buffer>> {
  let handle;
  try {
    handle = await lazyFsPromises().open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return fail('FILE_ERROR', `Could not read "${path}" (${field}): it is not a regular file.`, { field });
    if (info.size > TLS_LIMITS.maxCredentialFileBytes) {
      return fail('FILE_ERROR', `"${path}" (${field}) is ${info.size} bytes; TLS credential files are at most ${TLS_LIMITS.maxCredentialFileBytes} bytes.`, { field });
    }
    return ok(await handle.readFile());
  } catch (err) {
    return { ok: false, error: { ...toFileError(err, path, 'read'), field } };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** A credential from its path, or the bytes given instead (already bounded by checkTlsOptions). */
async function credential(path: string | undefined, data: Uint8Array | undefined, field: string): Promise<Result<Buffer>> {
  if (data !== undefined) return ok(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return readCredential(path ?? '', field);
}

/**
 * The CA certificates Node trusts by default. Node ≥ 22.15 (and Electron builds on it) reports
 * its whole default store, NODE_EXTRA_CA_CERTS and system certificates included; older Node only
 * has the bundled Mozilla list, to which NODE_EXTRA_CA_CERTS is added by hand.
 */
async function defaultCaCertificates(): Promise<Array<string | Buffer>> {
  const getter = (lazyTls() as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  if (typeof getter === 'function') return getter('default');
  const roots: Array<string | Buffer> = [...lazyTls().rootCertificates];
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  if (extra) {
    const read = await readCredential(extra, 'NODE_EXTRA_CA_CERTS');
    if (read.ok) roots.push(read.value);
  }
  return roots;
}

/**
 * Contexts that trust a CA file in addition to the default store, by what they hold. Parsing the
 * ~140 default roots again costs ~20 ms per context (seen), which made every TLS connect with a CA
 * file that much slower. Only contexts without client credentials are kept, so no key material
 * outlives its call; the CA file is still read each time and keyed by its SHA-256, so an edited
 * file takes effect at once. Bounded, oldest dropped first.
 */
const trustContexts = new Map<string, tls.SecureContext>();
const MAX_TRUST_CONTEXTS = 8;

/** Reads the credential files and builds the secure context; nothing touches the network. */
export async function buildSecureContext(options: CheckedTlsOptions): Promise<Result<tls.SecureContext>> {
  const context: tls.SecureContextOptions = {};
  let cacheKey: string | null = null;
  if (options.minVersion) context.minVersion = options.minVersion;
  if (options.maxVersion) context.maxVersion = options.maxVersion;
  if (options.caFile !== undefined || options.caData !== undefined) {
    const ca = await credential(options.caFile, options.caData, 'caFile');
    if (!ca.ok) return ca;
    // OpenSSL skips what is not a certificate in a CA list without a word: say it here instead.
    if (!ca.value.includes('-----BEGIN CERTIFICATE-----')) {
      const which = options.caFile === undefined ? 'The chosen CA file' : `The CA file "${options.caFile}"`;
      return fail('TLS_CREDENTIALS_INVALID', `${which} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`, { field: 'caFile' });
    }
    const hasClientCredentials = [options.pfxFile, options.pfxData, options.certFile, options.certData].some((c) => c !== undefined);
    if (!hasClientCredentials) {
      const digest = lazyCrypto().createHash('sha256').update(ca.value).digest('hex');
      cacheKey = `${digest}|${options.caFileOnly}|${options.minVersion ?? ''}|${options.maxVersion ?? ''}`;
      const cached = trustContexts.get(cacheKey);
      if (cached) return ok(cached);
    }
    context.ca = options.caFileOnly ? [ca.value] : [...(await defaultCaCertificates()), ca.value];
  }
  let field = 'caFile';
  if (options.pfxFile !== undefined || options.pfxData !== undefined) {
    const pfx = await credential(options.pfxFile, options.pfxData, 'pfxFile');
    if (!pfx.ok) return pfx;
    context.pfx = pfx.value;
    field = 'pfxFile';
  } else if ((options.certFile !== undefined || options.certData !== undefined) && (options.keyFile !== undefined || options.keyData !== undefined)) {
    const cert = await credential(options.certFile, options.certData, 'certFile');
    if (!cert.ok) return cert;
    const key = await credential(options.keyFile, options.keyData, 'keyFile');
    if (!key.ok) return key;
    context.cert = cert.value;
    context.key = key.value;
    field = 'keyFile';
  }
  if (options.passphrase !== undefined) context.passphrase = options.passphrase;
  try {
    const built = lazyTls().createSecureContext(context);
    if (cacheKey) {
      trustContexts.set(cacheKey, built);
      if (trustContexts.size > MAX_TRUST_CONTEXTS) trustContexts.delete(trustContexts.keys().next().value!);
    }
    return ok(built);
  } catch (err) {
    return { ok: false, error: toTlsCredentialError(err, field, options.passphrase !== undefined) };
  }
}

/** Where the handshake's outcome goes: the session's signal and socket tracking. */
export interface TlsStartContext {
  signal: AbortSignal;
  track(socket: net.Socket): void;
  /** Prebuilt context (connectTls builds it before the TCP connect); built here when absent. */
  secureContext?: tls.SecureContext;
}

/** The SNI name to send for `host`, or null for none (an IP host sends none unless a name is given). */
export function sniFor(host: string, options: CheckedTlsOptions): string | null {
  if (options.serverName !== undefined) return options.serverName;
  return isIP(host) ? null : host;
}

/**
 * Runs a TLS handshake on `plain` (connected): a STARTTLS upgrade, or the second step of
 * connectTls. `host`/`port` are what the session connected to (defaults for SNI and the verify
 * name, and the words of messages).
 */
export async function startTls(
  plain: net.Socket,
  host: string,
  port: number,
  options: CheckedTlsOptions,
  ctx: TlsStartContext,
): Promise<OpenResult> {
  let secureContext = ctx.secureContext;
  if (!secureContext) {
    const built = await buildSecureContext(options);
    if (!built.ok) return { ok: false, error: built.error, tls: null };
    secureContext = built.value;
  }
  if (ctx.signal.aborted) return abandoned();
  const serverName = sniFor(host, options);
  const verifyName = options.verifyName ?? host;
  // allowHalfOpen is honoured by tls.connect (it passes it to the TLSSocket) but missing from its types.
  const connectOptions: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
    socket: plain,
    secureContext,
    // Node does not send SNI when servername is absent (it never derives it from `socket`).
    ...(serverName ? { servername: serverName } : {}),
    ...(options.alpn.length > 0 ? { ALPNProtocols: options.alpn } : {}),
    // We judge the chain and the name ourselves, after the handshake (see the invariants).
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    allowHalfOpen: true,
  };
  let socket: tls.TLSSocket;
  try {
    socket = lazyTls().connect(connectOptions);
  } catch (err) {
    return { ok: false, error: toTlsCredentialError(err, 'tls', options.passphrase !== undefined), tls: null };
  }
  ctx.track(socket);
  if (!(await waitForEvent(socket, 'secureConnect', ctx.signal))) return abandoned();
  const info = describeTls(socket, { serverNameSent: serverName, verifyName, enforced: options.verify, where: formatEndpoint(host, port) });
  const verdict = info.verification;
  if (options.verify && !verdict.ok) {
    // Destroying a TLS socket that wraps a net.Socket from within its handshake callback (this
    // continuation runs in the microtasks of 'secureConnect') crashes Node 20 with SIGSEGV (seen):
    // leave the callback first.
    await new Promise((resolve) => setImmediate(resolve));
    const error: AppError = verdict.chainError ?? verdict.nameError!;
    return { ok: false, error: { ...error }, tls: info };
  }
  return { ok: true, socket, tls: info };
}

/** TLS over a fresh TCP connection to a checked host and port. */
export function connectTls(host: string, port: number, options: CheckedTlsOptions, tcp: ConnectTcpOptions = {}): StreamOpener {
  const plainOpener = connectTcp(host, port, tcp);
  return {
    host,
    port,
    accepted: false,
    async open(ctx) {
      // Credentials first: a missing CA file or a wrong passphrase costs no connection.
      const built = await buildSecureContext(options);
      if (!built.ok) return { ok: false, error: built.error, tls: null };
      if (ctx.signal.aborted) return abandoned();
      const plain = await plainOpener.open(ctx);
      if (!plain.ok) return plain;
      ctx.reached(plain.socket);
      ctx.step('tls-handshake');
      return startTls(plain.socket, host, port, options, { signal: ctx.signal, track: ctx.track, secureContext: built.value });
    },
  };
}
