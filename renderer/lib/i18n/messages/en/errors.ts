/**
 * One sentence per stable error code (shared/errors.ts). English shows main's own message, which is
 * more specific; these are the English source the translations follow, and what English shows when
 * main's message is missing. Details (the field, a position, an errno) are data added around them.
 */
import type { ErrorCode } from '../../../../../shared/errors.ts';

export const errors = {
  // Every stable code has its sentence: a code added to ERROR_CODES fails the type check until it does.
  codes: {
    INVALID_INPUT: 'this value is not valid.',
    DATAGRAM_TOO_LARGE: 'the datagram is larger than the address family allows (65,507 bytes on IPv4, 65,527 on IPv6).',
    BUSY: 'the session is busy with another operation.',
    NOT_CONNECTED: 'not connected.',
    UNKNOWN_SESSION: 'this session no longer exists.',
    SESSION_LIMIT: 'too many open sessions; close one first.',
    LIMIT_EXCEEDED: 'a limit was exceeded.',
    DNS_NOT_FOUND: 'the host name was not found.',
    DNS_FAILED: 'the host name could not be resolved.',
    REFUSED: 'the connection was refused: nothing listens on that port.',
    CONNECT_TIMEOUT: 'no answer within the connect timeout.',
    HOST_UNREACHABLE: 'the host is unreachable.',
    NETWORK_UNREACHABLE: 'the network is unreachable.',
    ADDRESS_IN_USE: 'the address is already in use.',
    PERMISSION_DENIED: 'permission denied.',
    PORT_UNREACHABLE: 'the target host answered "port unreachable".',
    RESET: 'the connection was reset by the peer.',
    BROKEN_PIPE: 'the peer closed the connection while we were sending.',
    ABORTED: 'the connection was aborted.',
    TLS_UNTRUSTED: 'the certificate is not trusted.',
    TLS_SELF_SIGNED: 'the certificate is self-signed.',
    TLS_HOSTNAME_MISMATCH: 'the certificate does not match the host name.',
    TLS_CERT_EXPIRED: 'the certificate has expired.',
    TLS_CERT_NOT_YET_VALID: 'the certificate is not valid yet.',
    TLS_HANDSHAKE_FAILED: 'the TLS handshake failed.',
    TLS_CLIENT_CERT_REQUIRED: 'the server requires a client certificate.',
    TLS_CLIENT_CERT_REJECTED: 'the server rejected the client certificate.',
    TLS_VERSION_UNSUPPORTED: 'no TLS version both sides support.',
    TLS_PROTOCOL_ERROR: 'the peer does not speak TLS (protocol error).',
    STARTTLS_REFUSED: 'the server refused STARTTLS.',
    TLS_CREDENTIALS_INVALID: 'the TLS credentials (CA, certificate, key or passphrase) are unusable.',
    FILE_ERROR: 'the file could not be read or written.',
    TOO_MANY_FILES: 'no file descriptor left for a new socket.',
    PROFILE_NOT_FOUND: 'the profile was not found.',
    PROFILE_CONFLICT: 'the profile was changed elsewhere.',
    STORE_READ_ONLY: 'the profile file is read-only.',
    STORE_CORRUPT: 'the profile file is damaged.',
    IMPORT_FAILED: 'the file could not be imported.',
    FORBIDDEN: 'not allowed.',
    UNKNOWN_CHANNEL: 'unknown request.',
    RATE_LIMITED: 'too many requests; slow down.',
    UNSUPPORTED: 'not available here.',
    INTERNAL: 'an unexpected error occurred.',
  } satisfies Record<ErrorCode, string>,
  invalidInput: {
    host: 'enter a valid host name or IP address (no spaces or control characters).',
    port: 'enter a port number from 1 to 65535.',
    payload: 'an invalid hex digit or escape.',
  },
  errno: '{{message}} ({{errno}})',
  atPosition: '{{message}} (at character {{position}})',
  atItem: '{{message}} (item {{item}})',
};
