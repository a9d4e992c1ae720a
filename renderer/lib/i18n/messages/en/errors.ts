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
  /**
   * One sentence per rule of a field's grammar (AppError.reason), with its values as data. English
   * shows main's own message (the same words); these are what other languages translate, so that
   * they say as much. `text` arrives quoted, or as U+XXXX when invisible.
   */
  reasons: {
    'hex-digit': 'invalid hex digit {{text}} at character {{position}}.',
    'hex-odd': 'odd number of hex digits: the digit at character {{position}} has no partner.',
    'hex-prefix-empty': 'the 0x prefix at character {{position}} is not followed by hex digits.',
    'hex-prefix-placement': 'invalid hex digit {{text}} at character {{position}}; a 0x prefix must start a group (after a space, comma or colon).',
    'escape-lone-backslash': 'lone backslash at character {{position}} at the end of the text; write \\\\ for a backslash byte.',
    'escape-octal-like': '\\0 at character {{position}} is followed by the digit {{text}}, which reads like an octal escape; write \\x00 before a digit, or \\xHH for the byte you mean.',
    'escape-x-digits': 'the \\x escape at character {{position}} needs exactly two hex digits.',
    'escape-u-form': 'the \\u escape at character {{position}} must be written \\u{HEX} with 1 to 6 hex digits.',
    'escape-u-range': '{{text}} at character {{position}} is beyond U+10FFFF, the last Unicode code point.',
    'escape-u-surrogate': '{{text}} at character {{position}} is a surrogate code point, which no encoding can hold.',
    'escape-unknown': 'unknown escape at character {{position}}: backslash followed by {{text}}; the escapes are \\r \\n \\t \\\\ \\0 \\xHH \\u{H…}.',
    'half-character': 'the character at {{position}} is half a character and cannot be encoded; delete it or retype it.',
    'outside-latin1': '{{text}} at character {{position}} is outside Latin-1 (U+0000–U+00FF); choose UTF-8, or write its bytes as \\xHH escapes.',
    'outside-latin1-text': '{{text}} at character {{position}} is outside Latin-1 (U+0000–U+00FF); choose UTF-8, or Escapes mode to write its bytes as \\xHH.',
    'port-empty': 'enter a port number from {{lowest}} to 65535.',
    'port-digit': '{{text}} at character {{position}} is not a digit; write the port as a number from {{lowest}} to 65535.',
    'port-length': 'a port has at most 5 digits and this one has {{digits}}; use {{lowest}} to 65535.',
    'port-range': '{{value}} is out of range; use {{lowest}} to 65535.',
    'port-zero': '0 is not a port you can connect to; use {{lowest}} to 65535.',
    'port-not-number': '{{value}} is not a port number; use a whole number from {{lowest}} to 65535.',
  },
  quoted: '"{{text}}"',
  space: 'space (U+0020)',
  errno: '{{message}} ({{errno}})',
  atPosition: '{{message}} (at character {{position}})',
  atItem: '{{message}} (item {{item}})',
};
