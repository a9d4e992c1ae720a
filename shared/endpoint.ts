/**
 * Host and port validation for the connect form, profiles and the CLI (RELIABILITY.md, "Bad input").
 *
 * Invariants:
 * - Input is checked here, before any DNS or socket activity; Node alone would accept an empty
 *   host (it connects to localhost), cut `localhost\0x` at the NUL, read ports like "0x1F90" or
 *   " 80", and hand `010.1.1.1` or `2130706433` to getaddrinfo, which reads them as IPv4 in octal
 *   or as one 32-bit number. Each of these is an INVALID_INPUT error here.
 * - Errors have field 'host' or 'port' as data, a message that does not name the field (each
 *   front end puts its own label in front: "Port" in the UI, PORT on the command line; see
 *   `labelledMessage` in errors.ts), and a 0-based UTF-16 `position` into the text as given
 *   (before trimming) where one character or part is at fault.
 * - `ParsedHost.host` is exactly what the engine passes to Node: brackets stripped, IDN names in
 *   punycode (ASCII), everything else as typed. Pure: the only platform API is the WHATWG URL
 *   parser, used for IDNA because browsers and Node both implement it the same way.
 */
import { fail, ok, type Result } from './errors.ts';
import { describeCharacter } from './payload-characters.ts';

/** A validated host, ready to connect to. */
export interface ParsedHost {
  /** What to connect to: brackets stripped, punycode for internationalised names. */
  host: string;
  /** The port, when the host text carried one (`host:port`, `[v6]:port`, `tcp://…`). */
  port?: number;
  /** What to show, e.g. "bücher.example (xn--bcher-kva.example)"; equals `host` for ASCII input. */
  display: string;
  /** Address family of a literal address; null for names, which DNS resolves later. */
  family: 4 | 6 | null;
}

/**
 * The rule a host error broke, its `reason` (docs/error-codes.md): stable names, which the UI's
 * catalogues word (errors.reasons) with the error's `params`.
 */
export const HOST_ERROR_REASONS = [
  'host-empty',
  'host-text-too-long',
  'host-too-long',
  'host-control',
  'host-invisible',
  'host-half-character',
  'host-space',
  'host-scheme',
  'host-path',
  'host-empty-after-scheme',
  'host-empty-before-colon',
  'host-port-missing',
  'host-port-invalid',
  'host-label-empty',
  'host-character',
  'host-label-hyphen-start',
  'host-label-hyphen-end',
  'host-label-too-long',
  'host-idna',
  'host-idna-ipv4',
  'host-punycode-invalid',
  'host-punycode-too-long',
  'ipv4-parts',
  'ipv4-final-dot',
  'ipv4-not-decimal',
  'ipv4-leading-zero',
  'ipv4-over-255',
  'ipv6-bracket-unclosed',
  'ipv6-bracket-empty',
  'ipv6-bracket-not-ipv6',
  'ipv6-after-bracket',
  'ipv6-zone',
  'ipv6-double-colon',
  'ipv6-embedded-ipv4',
  'ipv6-group-empty',
  'ipv6-group-digits',
  'ipv6-too-many-groups',
  'ipv6-group-count',
] as const;
export type HostErrorReason = (typeof HOST_ERROR_REASONS)[number];

/** Limits from RFC 1035, counted on the ASCII (punycode) form without a final dot. */
export const HOST_LIMITS = { maxNameLength: 253, maxLabelLength: 63 } as const;

const MAX_PORT = 65_535;
/** Bounds the work done on pasted junk before the exact 253-character rule applies. */
const MAX_HOST_TEXT = 1_024;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const EDGE_WHITESPACE = /^[ \t\r\n]*/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const WHITESPACE = /\s/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
/**
 * Format characters (zero-width space, soft hyphen, bidi controls, BOM…): IDNA would silently drop
 * some and refuse others, and either way the name shown is not the name used. ZWNJ and ZWJ stay:
 * IDNA allows them in the scripts that need them and checks their context itself. Made on first
 * use (only for non-ASCII text): a Unicode-property literal costs ~0.15 ms to create at load.
 */
let invisible: RegExp | undefined;
const ASCII_LABEL_CHARACTER = /[A-Za-z0-9_-]/;
const IPV6_ZONE = /^[A-Za-z0-9_.~-]+$/;
const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
/** A last label that makes the name an IPv4 address to resolvers and URL parsers (WHATWG "ends in a number"). */
const NUMERIC_LABEL = /^([0-9]+|0[xX][0-9A-Fa-f]*)$/;

/**
 * Validates the host field. Accepts host names (letters, digits, hyphens and underscores, since
 * underscores occur in real internal names; no label starting or ending with a hyphen), one final
 * dot, internationalised names (converted to punycode), IPv4 in dotted decimal only, IPv6 bare or in
 * brackets, with an optional zone (`fe80::1%eth0`).
 *
 * Pasted forms are split: `host:port`, `[v6]:port`, `tcp://host:port`, `tcp://[v6]:port` (one
 * trailing `/` allowed) give a `port`. Other schemes (`http://…`) are refused rather than split:
 * they imply a protocol and a default port we would not honour. A bare IPv6 address has no port;
 * write `[address]:port`. Spaces, tabs and line breaks around the text are ignored; inside it they
 * are errors.
 */
export function parseHost(text: string): Result<ParsedHost> {
  if (typeof text !== 'string') return hostError('enter a host name or address.', 0, 'host-empty');
  const leading = EDGE_WHITESPACE.exec(text)?.[0].length ?? 0;
  const body = text.slice(leading).replace(/[ \t\r\n]+$/, '');
  if (body === '') return hostError('enter a host name or address.', 0, 'host-empty');
  if (body.length > MAX_HOST_TEXT) {
    return hostError(`the text is ${body.length} characters long; a host name has at most 253.`, leading + 253, 'host-text-too-long', {
      length: body.length,
      max: HOST_LIMITS.maxNameLength,
    });
  }
  // Printable ASCII (every IP literal and most names) cannot hold any character the loop below
  // refuses; skipping it saves the first call compiling its Unicode classes (~0.5 ms per CLI run).
  const scanFrom = PRINTABLE_ASCII.test(body) ? body.length : 0;
  for (let i = scanFrom; i < body.length; ) {
    const codePoint = body.codePointAt(i)!;
    const character = String.fromCodePoint(codePoint);
    const position = leading + i;
    if (CONTROL.test(character)) {
      const name = describeCharacter(body, i);
      return hostError(`control character ${name} at character ${position + 1} is not allowed.`, position, 'host-control', { text: character });
    }
    if ((invisible ??= /(?![\u200c\u200d])\p{Cf}/u).test(character)) {
      const name = describeCharacter(body, i);
      return hostError(`invisible character ${name} at character ${position + 1} is not allowed.`, position, 'host-invisible', { text: character });
    }
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      return hostError(`${describeCharacter(body, i)} at character ${position + 1} is not allowed.`, position, 'host-half-character', { text: character });
    }
    if (WHITESPACE.test(character)) {
      return hostError(
        `${describeCharacter(body, i)} at character ${position + 1} is not allowed; host names contain no spaces.`,
        position,
        'host-space',
        { text: character },
      );
    }
    i += character.length;
  }

  let rest = body;
  let offset = leading;
  const scheme = SCHEME.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'tcp') {
      return hostError(
        `only tcp:// addresses are understood here, not ${scheme[1]}://; enter the host name and the port ` +
          'in their own fields.',
        offset,
        'host-scheme',
        { scheme: scheme[1]! },
      );
    }
    rest = rest.slice(scheme[0].length);
    offset += scheme[0].length;
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
    const pathStart = rest.search(/[/?#]/);
    if (pathStart >= 0) {
      return hostError(
        `a tcp:// address has no path or query; remove everything from character ${offset + pathStart + 1}.`,
        offset + pathStart,
        'host-path',
      );
    }
    if (rest === '') return hostError('enter a host name or address after tcp://.', offset, 'host-empty-after-scheme');
  }

  if (rest.startsWith('[')) return parseBracketed(rest, offset);

  const firstColon = rest.indexOf(':');
  if (firstColon >= 0 && rest.indexOf(':', firstColon + 1) >= 0) {
    const address = validateIPv6(rest, offset, true);
    if (!address.ok) return address;
    return ok({ host: rest, display: rest, family: 6 });
  }
  if (firstColon >= 0) {
    const namePart = rest.slice(0, firstColon);
    if (namePart === '') {
      return hostError(`enter a host name or address before the colon at character ${offset + 1}.`, offset, 'host-empty-before-colon');
    }
    const port = portInHostText(rest.slice(firstColon + 1), offset + firstColon);
    if (!port.ok) return port;
    const name = validateNameOrIPv4(namePart, offset);
    if (!name.ok) return name;
    return ok({ ...name.value, port: port.value });
  }
  return validateNameOrIPv4(rest, offset);
}

/**
 * Validates a port: the text must match `^[0-9]{1,5}$` (no sign, spaces, exponent or hex) and be
 * within 1–65535, or 0–65535 with `allowZero` (for "any port" when listening). A number must be an
 * integer in the same range.
 */
export function parsePort(text: string | number, opts: { allowZero?: boolean } = {}): Result<number> {
  const lowest = opts.allowZero === true ? 0 : 1;
  const range = `${lowest} to ${MAX_PORT}`;
  if (typeof text === 'number') {
    if (!Number.isInteger(text)) {
      return portError(`${String(text)} is not a port number; use a whole number from ${range}.`, undefined, 'port-not-number', { value: String(text), lowest });
    }
    // A whole number out of range is said as the typed text's would be.
    if (text > MAX_PORT || text < 0) return portError(`${text} is out of range; use ${range}.`, 0, 'port-range', { value: String(text), lowest });
    if (text < lowest) return portError(`0 is not a port you can connect to; use ${range}.`, 0, 'port-zero', { lowest });
    return ok(text);
  }
  if (typeof text !== 'string' || text === '') return portError(`enter a port number from ${range}.`, 0, 'port-empty', { lowest });
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x30 || unit > 0x39) {
      return portError(
        `${describeCharacter(text, i)} at character ${i + 1} is not a digit; write the port with the digits 0–9 ` +
          `only, as a number from ${range}.`,
        i,
        'port-digit',
        { text: String.fromCodePoint(text.codePointAt(i) ?? 0), lowest },
      );
    }
  }
  if (text.length > 5) {
    return portError(`a port has at most 5 digits and this one has ${text.length}; use ${range}.`, 5, 'port-length', { digits: text.length, lowest });
  }
  const value = Number(text);
  if (value > MAX_PORT) return portError(`${value} is out of range; use ${range}.`, 0, 'port-range', { value: String(value), lowest });
  if (value < lowest) return portError(`0 is not a port you can connect to; use ${range}.`, 0, 'port-zero', { lowest });
  return ok(value);
}

/** A validated host and port, as {@link parseEndpoint} returns them. */
export interface ParsedEndpoint {
  host: ParsedHost;
  port: number;
}

/**
 * Validates a host and a port together: the one check for every open (the UI's form, the CLI's
 * HOST PORT, a profile, the engine's connect options). `port` is the port field's text, or a
 * number from a caller that already holds one. A port pasted into the host text (`host:port`) is
 * used only when the port text is empty; when both are given and differ, that is an error (field
 * 'port') rather than a silent choice. Equal values are not a conflict.
 */
export function parseEndpoint(hostText: string, port: string | number): Result<ParsedEndpoint> {
  const host = parseHost(hostText);
  if (!host.ok) return host;
  const hostPort = host.value.port;
  if (port === '' && hostPort !== undefined) return ok({ host: host.value, port: hostPort });
  const checkedPort = parsePort(port);
  if (!checkedPort.ok) return checkedPort;
  if (hostPort !== undefined && hostPort !== checkedPort.value) {
    return portError(`the host includes port ${hostPort}, but the port is ${checkedPort.value}; remove one of them.`, 0, 'port-conflict', {
      hostPort,
      port: checkedPort.value,
    });
  }
  return ok({ host: host.value, port: checkedPort.value });
}

/**
 * `host:port` for people: the one endpoint formatter for the UI, the CLI, messages and previews.
 * An IPv6 literal (anything holding a colon: names never do) is bracketed, zone id included
 * (`[::1]:80`, `[fe80::1%eth0]:80`), so the port cannot be read as a last group; a host already in
 * brackets is not wrapped twice; names and IPv4 stay as they are. Without a port (null, or '' from
 * an empty form field) the host alone, IPv6 still bracketed.
 */
export function formatEndpoint(host: string, port: number | string | null): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === null || port === '' ? shown : `${shown}:${port}`;
}

/** `[v6]` or `[v6]:port`, at `offset` in the original text. */
function parseBracketed(rest: string, offset: number): Result<ParsedHost> {
  const close = rest.indexOf(']');
  if (close < 0) return hostError(`the "[" at character ${offset + 1} has no closing "]".`, offset, 'ipv6-bracket-unclosed');
  const inner = rest.slice(1, close);
  const after = rest.slice(close + 1);
  if (inner === '') return hostError(`enter an IPv6 address between the brackets at character ${offset + 1}.`, offset, 'ipv6-bracket-empty');
  if (!inner.includes(':')) {
    return hostError(
      `brackets hold IPv6 addresses only; write ${JSON.stringify(inner)} without them.`,
      offset,
      'ipv6-bracket-not-ipv6',
      { text: inner },
    );
  }
  const address = validateIPv6(inner, offset + 1, false);
  if (!address.ok) return address;
  if (after === '') return ok({ host: inner, display: inner, family: 6 });
  if (!after.startsWith(':')) {
    return hostError(
      `${describeCharacter(after, 0)} at character ${offset + close + 1 + 1} is unexpected after "]"; ` +
        'write [address]:port.',
      offset + close + 1,
      'ipv6-after-bracket',
      { text: String.fromCodePoint(after.codePointAt(0)!) },
    );
  }
  const port = portInHostText(after.slice(1), offset + close + 1);
  if (!port.ok) return port;
  return ok({ host: inner, display: inner, family: 6, port: port.value });
}

/** The port after a colon in the host text; errors stay on the host field, where the text is. */
function portInHostText(portText: string, colonPosition: number): Result<number> {
  if (portText === '') {
    return hostError(`the colon at character ${colonPosition + 1} must be followed by a port number.`, colonPosition, 'host-port-missing');
  }
  const port = parsePort(portText);
  if (port.ok) return port;
  return hostError(
    `the port after the colon at character ${colonPosition + 1} must be a number from 1 to ${MAX_PORT}, ` +
      'written with the digits 0–9 only.',
    colonPosition + 1 + (port.error.position ?? 0),
    'host-port-invalid',
    { colon: colonPosition + 1 },
  );
}

/** A host name (ASCII or internationalised) or a dotted-decimal IPv4 address. */
function validateNameOrIPv4(name: string, offset: number): Result<ParsedHost> {
  const hasFinalDot = name.length > 1 && name.endsWith('.');
  const labels = (hasFinalDot ? name.slice(0, -1) : name).split('.');
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) return validateIPv4(name, offset);

  let labelStart = offset;
  let nonAscii = false;
  for (const label of labels) {
    if (label === '') {
      return hostError(
        `empty label at character ${labelStart + 1}: two dots in a row, or a dot at the start.`,
        labelStart,
        'host-label-empty',
      );
    }
    for (let i = 0; i < label.length; i++) {
      const unit = label.charCodeAt(i);
      if (unit >= 0x80) {
        nonAscii = true;
      } else if (!ASCII_LABEL_CHARACTER.test(label[i]!)) {
        return hostError(
          `${describeCharacter(label, i)} at character ${labelStart + i + 1} is not allowed in a host name; ` +
            'use letters, digits, hyphens, underscores and dots.',
          labelStart + i,
          'host-character',
          { text: label[i]! },
        );
      }
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      const edge = label.startsWith('-') ? labelStart : labelStart + label.length - 1;
      return hostError(
        `the label at character ${labelStart + 1} ${label.startsWith('-') ? 'starts' : 'ends'} with a hyphen, ` +
          'which host names may not do.',
        edge,
        label.startsWith('-') ? 'host-label-hyphen-start' : 'host-label-hyphen-end',
        { label: labelStart + 1 },
      );
    }
    if (!nonAscii && label.length > HOST_LIMITS.maxLabelLength) {
      return hostError(
        `the label at character ${labelStart + 1} is ${label.length} characters long; a label has at most 63.`,
        labelStart + HOST_LIMITS.maxLabelLength,
        'host-label-too-long',
        { label: labelStart + 1, length: label.length, max: HOST_LIMITS.maxLabelLength },
      );
    }
    labelStart += label.length + 1;
  }
  if (!nonAscii) {
    const length = hasFinalDot ? name.length - 1 : name.length;
    if (length > HOST_LIMITS.maxNameLength) {
      return hostError(
        `the name is ${length} characters long; a host name has at most 253.`,
        offset + HOST_LIMITS.maxNameLength,
        'host-too-long',
        { length, max: HOST_LIMITS.maxNameLength },
      );
    }
    return ok({ host: name, display: name, family: null });
  }
  return toPunycode(name, offset);
}

/** IDNA through the WHATWG URL parser, then our own checks again on the ASCII result. */
function toPunycode(name: string, offset: number): Result<ParsedHost> {
  let ascii: string;
  try {
    ascii = new URL(`http://${name}`).hostname;
  } catch {
    return hostError(
      `${JSON.stringify(name)} is not a valid internationalised host name (IDNA refuses it).`,
      offset,
      'host-idna',
      { text: name },
    );
  }
  const labels = (ascii.endsWith('.') ? ascii.slice(0, -1) : ascii).split('.');
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    return hostError(
      `${JSON.stringify(name)} turns into the IPv4 address ${ascii} after Unicode mapping; type the address ` +
        'with ASCII digits if you mean it.',
      offset,
      'host-idna-ipv4',
      { text: name, ascii },
    );
  }
  const badLabel = labels.find(
    (label) => !/^[a-z0-9_-]+$/.test(label) || label.startsWith('-') || label.endsWith('-') ||
      label.length > HOST_LIMITS.maxLabelLength,
  );
  if (badLabel !== undefined) {
    return hostError(
      `${JSON.stringify(name)} becomes ${JSON.stringify(ascii)} in punycode, which is not a valid host name ` +
        '(each label: letters, digits, hyphens, underscores; at most 63 characters).',
      offset,
      'host-punycode-invalid',
      { text: name, ascii },
    );
  }
  const length = labels.join('.').length;
  if (length > HOST_LIMITS.maxNameLength) {
    return hostError(
      `${JSON.stringify(name)} is ${length} characters long in punycode; a host name has at most 253.`,
      offset,
      'host-punycode-too-long',
      { text: name, length, max: HOST_LIMITS.maxNameLength },
    );
  }
  return ok({ host: ascii, display: `${name} (${ascii})`, family: null });
}

/** Dotted decimal only: four parts, 0–255, no leading zeros (some resolvers read those as octal). */
function validateIPv4(text: string, offset: number): Result<ParsedHost> {
  const shape = `four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1`;
  const parts = text.split('.');
  if (parts.length !== 4) {
    return hostError(
      `${JSON.stringify(text)} is not a valid IPv4 address: it needs ${shape}` +
        (text.endsWith('.') ? ', without a final dot.' : '.'),
      offset,
      text.endsWith('.') ? 'ipv4-final-dot' : 'ipv4-parts',
      { text },
    );
  }
  let partStart = offset;
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) {
      return hostError(
        `${JSON.stringify(text)} is not a valid IPv4 address: part ${JSON.stringify(part)} at character ` +
          `${partStart + 1} is not a decimal number; write ${shape}.`,
        partStart,
        'ipv4-not-decimal',
        { text, part },
      );
    }
    if (!DECIMAL_OCTET.test(part)) {
      return hostError(
        `${JSON.stringify(text)} is not a valid IPv4 address: part ${JSON.stringify(part)} at character ` +
          `${partStart + 1} has a leading zero, which some systems read as octal; write it without leading zeros.`,
        partStart,
        'ipv4-leading-zero',
        { text, part },
      );
    }
    if (Number(part) > 255) {
      return hostError(
        `${JSON.stringify(text)} is not a valid IPv4 address: ${part} at character ${partStart + 1} is more than 255.`,
        partStart,
        'ipv4-over-255',
        { text, part },
      );
    }
    partStart += part.length + 1;
  }
  return ok({ host: text, display: text, family: 4 });
}

/**
 * RFC 4291 text form: up to eight groups of 1–4 hex digits, at most one `::`, an optional final
 * dotted-decimal IPv4 part, an optional `%zone` (interface name or number).
 */
function validateIPv6(text: string, offset: number, bare: boolean): Result<true> {
  const hint = bare ? ' To give a port with an IPv6 address, write [address]:port.' : '';
  // `bare: 1` says the sentence ends with that hint (params are numbers and text, not flags).
  const invalid = (detail: string, position: number, reason: HostErrorReason, params: Record<string, string | number> = {}): Result<never> =>
    hostError(`${JSON.stringify(text)} is not a valid IPv6 address: ${detail}.${hint}`, position, reason, { text, ...params, bare: bare ? 1 : 0 });
  const percent = text.indexOf('%');
  const address = percent < 0 ? text : text.slice(0, percent);
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (!IPV6_ZONE.test(zone)) {
      return invalid(
        `the zone after "%" at character ${offset + percent + 1} must be an interface name or number, e.g. %eth0 or %3`,
        offset + percent,
        'ipv6-zone',
      );
    }
  }
  const halves = address.split('::');
  if (halves.length > 2) {
    return invalid('"::" may appear only once', offset + address.indexOf('::', address.indexOf('::') + 2), 'ipv6-double-colon');
  }
  const compressed = halves.length === 2;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  let groupCount = 0;
  let position = offset;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const groupPosition = text.indexOf(group, position - offset) + offset;
    // An embedded IPv4 part may only end the address ("::1.2.3.4", never "1.2.3.4::").
    const endsAddress = g === groups.length - 1 && address.endsWith(group);
    if (endsAddress && group.includes('.')) {
      const octets = group.split('.');
      if (octets.length !== 4 || octets.some((octet) => !DECIMAL_OCTET.test(octet) || Number(octet) > 255)) {
        return invalid(
          `the embedded IPv4 part at character ${groupPosition + 1} must be four numbers from 0 to 255`,
          groupPosition,
          'ipv6-embedded-ipv4',
        );
      }
      groupCount += 2;
    } else if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      return group === ''
        ? invalid(`empty group at character ${groupPosition + 1}`, groupPosition, 'ipv6-group-empty')
        : invalid(`group ${JSON.stringify(group)} at character ${groupPosition + 1} must be 1 to 4 hex digits`, groupPosition, 'ipv6-group-digits', { group });
    } else {
      groupCount += 1;
    }
    position = groupPosition + group.length;
  }
  if (compressed ? groupCount > 7 : groupCount !== 8) {
    return compressed
      ? invalid('too many groups for "::"', offset, 'ipv6-too-many-groups')
      : invalid(`it has ${groupCount} groups instead of 8`, offset, 'ipv6-group-count', { groups: groupCount });
  }
  return ok(true);
}

/**
 * A host error: `reason` names the rule that failed and `params` hold the values its sentence
 * names (docs/error-codes.md), so the Chinese UI says as much as this English message.
 */
function hostError(message: string, position: number, reason: HostErrorReason, params?: Record<string, string | number>): Result<never> {
  return fail('INVALID_INPUT', message, { field: 'host', position, reason, ...(params ? { params } : {}) });
}

function portError(message: string, position?: number, reason?: string, params?: Record<string, string | number>): Result<never> {
  return fail('INVALID_INPUT', message, {
    field: 'port',
    ...(position === undefined ? {} : { position }),
    ...(reason ? { reason } : {}),
    ...(params ? { params } : {}),
  });
}
