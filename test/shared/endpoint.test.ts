import { describe, expect, it } from 'vitest';
import { formatEndpoint, HOST_ERROR_REASONS, parseEndpoint, parseHost, parsePort, type ParsedHost } from '../../shared/endpoint.ts';
import { HOST_ERROR_FIXTURES } from './host-error-fixtures.ts';
import type { AppError } from '../../shared/errors.ts';

function hostOf(text: string): ParsedHost {
  const result = parseHost(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.error.message}`);
  return result.value;
}

function hostErrorOf(text: string): AppError {
  const result = parseHost(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(result.value)}`);
  expect(result.error.code).toBe('INVALID_INPUT');
  expect(result.error.field).toBe('host');
  // The field is data; the message does not repeat a front end's label for it (STYLE habit 2).
  expect(result.error.message).not.toMatch(/^(Host|HOST)\b/);
  return result.error;
}

function portErrorOf(text: string | number, allowZero = false): AppError {
  const result = parsePort(text, { allowZero });
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${result.value}`);
  expect(result.error.code).toBe('INVALID_INPUT');
  expect(result.error.field).toBe('port');
  expect(result.error.message).not.toMatch(/^(Port|PORT)\b/);
  return result.error;
}

describe('parseHost: accepted forms', () => {
  it.each<[string, ParsedHost]>([
    ['localhost', { host: 'localhost', display: 'localhost', family: null }],
    ['Example.COM', { host: 'Example.COM', display: 'Example.COM', family: null }],
    ['example.com.', { host: 'example.com.', display: 'example.com.', family: null }],
    ['db_1.internal', { host: 'db_1.internal', display: 'db_1.internal', family: null }],
    ['xn--bcher-kva.example', { host: 'xn--bcher-kva.example', display: 'xn--bcher-kva.example', family: null }],
    ['a-b.c-d', { host: 'a-b.c-d', display: 'a-b.c-d', family: null }],
    ['  localhost\t\n', { host: 'localhost', display: 'localhost', family: null }],
    ['127.0.0.1', { host: '127.0.0.1', display: '127.0.0.1', family: 4 }],
    ['0.0.0.0', { host: '0.0.0.0', display: '0.0.0.0', family: 4 }],
    ['255.255.255.255', { host: '255.255.255.255', display: '255.255.255.255', family: 4 }],
    ['1.2.3.com', { host: '1.2.3.com', display: '1.2.3.com', family: null }],
    ['::1', { host: '::1', display: '::1', family: 6 }],
    ['::', { host: '::', display: '::', family: 6 }],
    ['2001:DB8::8:800:200C:417A', { host: '2001:DB8::8:800:200C:417A', display: '2001:DB8::8:800:200C:417A', family: 6 }],
    ['1:2:3:4:5:6:7:8', { host: '1:2:3:4:5:6:7:8', display: '1:2:3:4:5:6:7:8', family: 6 }],
    ['::ffff:192.0.2.1', { host: '::ffff:192.0.2.1', display: '::ffff:192.0.2.1', family: 6 }],
    ['fe80::1%eth0', { host: 'fe80::1%eth0', display: 'fe80::1%eth0', family: 6 }],
    ['[::1]', { host: '::1', display: '::1', family: 6 }],
    ['[fe80::1%3]', { host: 'fe80::1%3', display: 'fe80::1%3', family: 6 }],
    ['bücher.example', { host: 'xn--bcher-kva.example', display: 'bücher.example (xn--bcher-kva.example)', family: null }],
    ['例え.テスト', { host: 'xn--r8jz45g.xn--zckzah', display: '例え.テスト (xn--r8jz45g.xn--zckzah)', family: null }],
    ['😀.com', { host: 'xn--e28h.com', display: '😀.com (xn--e28h.com)', family: null }],
    ['ＥＸＡＭＰＬＥ.com', { host: 'example.com', display: 'ＥＸＡＭＰＬＥ.com (example.com)', family: null }],
  ])('accepts %j', (text, expected) => {
    expect(hostOf(text)).toEqual(expected);
  });

  it.each<[string, ParsedHost]>([
    ['localhost:8080', { host: 'localhost', display: 'localhost', family: null, port: 8080 }],
    ['127.0.0.1:1', { host: '127.0.0.1', display: '127.0.0.1', family: 4, port: 1 }],
    ['[::1]:65535', { host: '::1', display: '::1', family: 6, port: 65535 }],
    ['[fe80::1%eth0]:7', { host: 'fe80::1%eth0', display: 'fe80::1%eth0', family: 6, port: 7 }],
    ['tcp://example.com:80', { host: 'example.com', display: 'example.com', family: null, port: 80 }],
    ['TCP://example.com:80/', { host: 'example.com', display: 'example.com', family: null, port: 80 }],
    ['tcp://[::1]:9000', { host: '::1', display: '::1', family: 6, port: 9000 }],
    ['tcp://example.com', { host: 'example.com', display: 'example.com', family: null }],
    ['tcp://bücher.example:1', { host: 'xn--bcher-kva.example', display: 'bücher.example (xn--bcher-kva.example)', family: null, port: 1 }],
  ])('splits %j', (text, expected) => {
    expect(hostOf(text)).toEqual(expected);
  });

  it('accepts labels of 63 and names of 253 characters', () => {
    const label63 = 'a'.repeat(63);
    expect(hostOf(`${label63}.com`).host).toBe(`${label63}.com`);
    const name253 = [label63, label63, label63, 'a'.repeat(61)].join('.');
    expect(name253).toHaveLength(253);
    expect(hostOf(name253).host).toBe(name253);
    expect(hostOf(`${name253}.`).host).toBe(`${name253}.`);
  });
});

describe('parseHost: refused input', () => {
  it.each<[string, number, string]>([
    ['', 0, 'enter a host name or address.'],
    [' \t ', 0, 'enter a host name or address.'],
    ['local host', 5, 'space (U+0020) at character 6 is not allowed; host names contain no spaces.'],
    ['a\u00a0b', 1, 'U+00A0 at character 2 is not allowed; host names contain no spaces.'],
    ['localhost\0x', 9, 'control character U+0000 at character 10 is not allowed.'],
    ['a\tb', 1, 'control character U+0009 at character 2 is not allowed.'],
    ['ab\u0085', 2, 'control character U+0085 at character 3 is not allowed.'],
    ['ab\u007f', 2, 'control character U+007F at character 3 is not allowed.'],
    ['a..b', 2, 'empty label at character 3: two dots in a row, or a dot at the start.'],
    ['.a', 0, 'empty label at character 1: two dots in a row, or a dot at the start.'],
    ['-a.com', 0, 'the label at character 1 starts with a hyphen, which host names may not do.'],
    ['ab.c-.com', 4, 'the label at character 4 ends with a hyphen, which host names may not do.'],
    ['user@host', 4, '"@" at character 5 is not allowed in a host name; use letters, digits, hyphens, underscores and dots.'],
    ['a/b', 1, '"/" at character 2 is not allowed in a host name; use letters, digits, hyphens, underscores and dots.'],
    ['256.1.1.1', 0, '"256.1.1.1" is not a valid IPv4 address: 256 at character 1 is more than 255.'],
    ['1.2.3.999', 6, '"1.2.3.999" is not a valid IPv4 address: 999 at character 7 is more than 255.'],
    ['1.2.3', 0, '"1.2.3" is not a valid IPv4 address: it needs four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1.'],
    ['1.2.3.4.', 0, '"1.2.3.4." is not a valid IPv4 address: it needs four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1, without a final dot.'],
    ['2130706433', 0, '"2130706433" is not a valid IPv4 address: it needs four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1.'],
    ['010.1.1.1', 0, '"010.1.1.1" is not a valid IPv4 address: part "010" at character 1 has a leading zero, which some systems read as octal; write it without leading zeros.'],
    ['0x7f.0.0.1', 0, '"0x7f.0.0.1" is not a valid IPv4 address: part "0x7f" at character 1 is not a decimal number; write four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1.'],
    ['1..2.3', 2, '"1..2.3" is not a valid IPv4 address: part "" at character 3 is not a decimal number; write four numbers from 0 to 255 separated by dots, e.g. 192.0.2.1.'],
    ['http://example.com', 0, 'only tcp:// addresses are understood here, not http://; enter the host name and the port in their own fields.'],
    ['tcp://example.com/path', 17, 'a tcp:// address has no path or query; remove everything from character 18.'],
    ['tcp://', 6, 'enter a host name or address after tcp://.'],
    ['host:', 4, 'the colon at character 5 must be followed by a port number.'],
    [':80', 0, 'enter a host name or address before the colon at character 1.'],
    ['host:0x1F', 6, 'the port after the colon at character 5 must be a number from 1 to 65535, written with the digits 0–9 only.'],
    ['host:65536', 5, 'the port after the colon at character 5 must be a number from 1 to 65535, written with the digits 0–9 only.'],
    ['host:0', 5, 'the port after the colon at character 5 must be a number from 1 to 65535, written with the digits 0–9 only.'],
    ['[::1', 0, 'the "[" at character 1 has no closing "]".'],
    ['[]', 0, 'enter an IPv6 address between the brackets at character 1.'],
    ['[1.2.3.4]', 0, 'brackets hold IPv6 addresses only; write "1.2.3.4" without them.'],
    ['[::1]x', 5, '"x" at character 6 is unexpected after "]"; write [address]:port.'],
    ['[::1]:', 5, 'the colon at character 6 must be followed by a port number.'],
    ['[::g]', 3, '"::g" is not a valid IPv6 address: group "g" at character 4 must be 1 to 4 hex digits.'],
    ['fe80::1%eth0:80', 7, '"fe80::1%eth0:80" is not a valid IPv6 address: the zone after "%" at character 8 must be an interface name or number, e.g. %eth0 or %3. To give a port with an IPv6 address, write [address]:port.'],
    ['fe80::1%', 7, '"fe80::1%" is not a valid IPv6 address: the zone after "%" at character 8 must be an interface name or number, e.g. %eth0 or %3. To give a port with an IPv6 address, write [address]:port.'],
    ['1:2:3:4:5:6:7:8:9', 0, '"1:2:3:4:5:6:7:8:9" is not a valid IPv6 address: it has 9 groups instead of 8. To give a port with an IPv6 address, write [address]:port.'],
    ['1:2:3', 0, '"1:2:3" is not a valid IPv6 address: it has 3 groups instead of 8. To give a port with an IPv6 address, write [address]:port.'],
    ['1::2::3', 4, '"1::2::3" is not a valid IPv6 address: "::" may appear only once. To give a port with an IPv6 address, write [address]:port.'],
    ['12345::1', 0, '"12345::1" is not a valid IPv6 address: group "12345" at character 1 must be 1 to 4 hex digits. To give a port with an IPv6 address, write [address]:port.'],
    ['::ffff:1.2.3.256', 7, '"::ffff:1.2.3.256" is not a valid IPv6 address: the embedded IPv4 part at character 8 must be four numbers from 0 to 255. To give a port with an IPv6 address, write [address]:port.'],
    ['1.2.3.4::', 0, '"1.2.3.4::" is not a valid IPv6 address: group "1.2.3.4" at character 1 must be 1 to 4 hex digits. To give a port with an IPv6 address, write [address]:port.'],
    ['::1.2.03.4', 2, '"::1.2.03.4" is not a valid IPv6 address: the embedded IPv4 part at character 3 must be four numbers from 0 to 255. To give a port with an IPv6 address, write [address]:port.'],
    ['１２７.０.０.１', 0, '"１２７.０.０.１" turns into the IPv4 address 127.0.0.1 after Unicode mapping; type the address with ASCII digits if you mean it.'],
    ['a\u202eb.com', 1, 'invisible character U+202E at character 2 is not allowed.'],
    ['a\u200bb.com', 1, 'invisible character U+200B at character 2 is not allowed.'],
    ['ab\u00ad.com', 2, 'invisible character U+00AD at character 3 is not allowed.'],
    ['\ufeffexample.com', 0, 'invisible character U+FEFF at character 1 is not allowed.'],
    ['ab\ud800.com', 2, 'lone surrogate U+D800 at character 3 is not allowed.'],
    ['😀\udc00.com', 2, 'lone surrogate U+DC00 at character 3 is not allowed.'],
    ['a\u{E0001}b.com', 1, 'invisible character U+E0001 at character 2 is not allowed.'],
    ['a\ue000.com', 0, '"a\ue000.com" is not a valid internationalised host name (IDNA refuses it).'],
  ])('refuses %j at position %i', (text, position, message) => {
    const error = hostErrorOf(text);
    expect(error.position).toBe(position);
    expect(error.message).toBe(message);
  });

  it('counts positions in the text as given, before trimming', () => {
    expect(hostErrorOf('  a b').position).toBe(3);
    expect(hostErrorOf(' host:x').position).toBe(6);
  });

  it('refuses a 64-character label and a 254-character name', () => {
    const label64 = hostErrorOf(`${'a'.repeat(64)}.com`);
    expect(label64.message).toBe('the label at character 1 is 64 characters long; a label has at most 63.');
    expect(label64.position).toBe(63);
    const name254 = ['a'.repeat(63), 'a'.repeat(63), 'a'.repeat(63), 'a'.repeat(62)].join('.');
    const tooLong = hostErrorOf(name254);
    expect(tooLong.message).toBe('the name is 254 characters long; a host name has at most 253.');
    expect(tooLong.position).toBe(253);
    expect(hostErrorOf('a'.repeat(5000)).message).toBe('the text is 5000 characters long; a host name has at most 253.');
  });

  it('checks the limits on the punycode form of internationalised names', () => {
    expect(hostErrorOf(`${'ü'.repeat(60)}.com`).message).toMatch(/becomes "xn--.*" in punycode, which is not a valid host name/);
  });

  it('refuses non-strings without throwing', () => {
    expect(hostErrorOf(undefined as unknown as string).message).toBe('enter a host name or address.');
  });
});

describe('parsePort', () => {
  it.each([
    ['1', 1],
    ['80', 80],
    ['65535', 65535],
    ['08080', 8080],
  ])('accepts %j', (text, port) => {
    expect(parsePort(text)).toEqual({ ok: true, value: port });
  });

  it('accepts 0 only with allowZero', () => {
    expect(parsePort('0', { allowZero: true })).toEqual({ ok: true, value: 0 });
    expect(parsePort(0, { allowZero: true })).toEqual({ ok: true, value: 0 });
    expect(portErrorOf('0').message).toBe('0 is not a port you can connect to; use 1 to 65535.');
    expect(portErrorOf('65536', true).message).toBe('65536 is out of range; use 0 to 65535.');
  });

  it.each<[string, number, string]>([
    ['', 0, 'enter a port number from 1 to 65535.'],
    ['0x1F90', 1, '"x" at character 2 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    [' 80', 0, 'space (U+0020) at character 1 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['80 ', 2, 'space (U+0020) at character 3 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['8e1', 1, '"e" at character 2 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['+80', 0, '"+" at character 1 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['-1', 0, '"-" at character 1 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['80.0', 2, '"." at character 3 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['٨٠', 0, '"٨" (U+0668) at character 1 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['8\u00000', 1, 'U+0000 at character 2 is not a digit; write the port with the digits 0–9 only, as a number from 1 to 65535.'],
    ['65536', 0, '65536 is out of range; use 1 to 65535.'],
    ['99999', 0, '99999 is out of range; use 1 to 65535.'],
    ['123456', 5, 'a port has at most 5 digits and this one has 6; use 1 to 65535.'],
    ['0', 0, '0 is not a port you can connect to; use 1 to 65535.'],
    ['00000', 0, '0 is not a port you can connect to; use 1 to 65535.'],
  ])('refuses %j at position %i', (text, position, message) => {
    const error = portErrorOf(text);
    expect(error.position).toBe(position);
    expect(error.message).toBe(message);
  });

  it('checks numbers too', () => {
    expect(parsePort(443)).toEqual({ ok: true, value: 443 });
    for (const bad of [80.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(portErrorOf(bad).message).toBe(`${String(bad)} is not a port number; use a whole number from 1 to 65535.`);
    }
    // A whole number out of range is said as its text would be: it is a number, just not a port.
    expect(portErrorOf(65536)).toMatchObject({ reason: 'port-range', message: '65536 is out of range; use 1 to 65535.' });
    expect(portErrorOf(-1)).toMatchObject({ reason: 'port-range', message: '-1 is out of range; use 1 to 65535.' });
    expect(portErrorOf(0)).toMatchObject({ reason: 'port-zero', message: '0 is not a port you can connect to; use 1 to 65535.' });
    expect(portErrorOf(undefined as unknown as string).message).toBe('enter a port number from 1 to 65535.');
  });
});

describe('parseEndpoint', () => {
  it('uses the port field, or the port in the host text when the port field is empty', () => {
    expect(parseEndpoint('localhost', '8080')).toEqual({
      ok: true,
      value: { host: { host: 'localhost', display: 'localhost', family: null }, port: 8080 },
    });
    const pasted = parseEndpoint('tcp://[::1]:9000', '');
    expect(pasted.ok && pasted.value.port).toBe(9000);
    expect(pasted.ok && pasted.value.host.host).toBe('::1');
    const same = parseEndpoint('example.com:80', '80');
    expect(same.ok && same.value.port).toBe(80);
  });

  it('refuses two different ports rather than picking one', () => {
    const result = parseEndpoint('example.com:8080', '80');
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        field: 'port',
        position: 0,
        message: 'the host includes port 8080, but the port is 80; remove one of them.',
        reason: 'port-conflict',
        params: { hostPort: 8080, port: 80 },
      },
    });
  });

  it('reports the host first, then the port', () => {
    const noHost = parseEndpoint('', 'x');
    expect(!noHost.ok && noHost.error.field).toBe('host');
    const noPort = parseEndpoint('localhost', '');
    expect(!noPort.ok && noPort.error.message).toBe('enter a port number from 1 to 65535.');
    const badPort = parseEndpoint('localhost', ' 80');
    expect(!badPort.ok && badPort.error.position).toBe(0);
  });
});

describe('formatEndpoint: the one host:port formatter', () => {
  it.each([
    ['127.0.0.1', 80, '127.0.0.1:80'],
    ['example.com', 443, 'example.com:443'],
    ['xn--bcher-kva.example', 443, 'xn--bcher-kva.example:443'],
    ['::1', 80, '[::1]:80'],
    ['2001:db8::1', 8080, '[2001:db8::1]:8080'],
    ['::ffff:192.0.2.1', 25, '[::ffff:192.0.2.1]:25'],
    ['fe80::1%eth0', 22, '[fe80::1%eth0]:22'],
    ['fe80::1%3', 22, '[fe80::1%3]:22'],
    ['[::1]', 80, '[::1]:80'],
    ['::1', '80', '[::1]:80'],
    ['::1', null, '[::1]'],
    ['example.com', '', 'example.com'],
  ] as const)('%j and %j → %j', (host, port, shown) => {
    expect(formatEndpoint(host, port)).toBe(shown);
  });

  it('formats what parseHost returns back into text parseHost reads as the same endpoint', () => {
    for (const text of ['[::1]:80', '[fe80::1%eth0]:22', 'example.com:443', '192.0.2.1:7']) {
      const parsed = parseHost(text);
      if (!parsed.ok || parsed.value.port === undefined) throw new Error(`expected ${text} to parse with a port`);
      expect(formatEndpoint(parsed.value.host, parsed.value.port)).toBe(text);
    }
  });
});

describe('host errors name the rule they broke, with its values as data', () => {
  it.each(HOST_ERROR_FIXTURES.map((f) => [f.reason, f] as const))('%s', (_reason, fixture) => {
    const error = hostErrorOf(fixture.text);
    expect({ reason: error.reason, params: error.params, position: error.position }).toEqual({
      reason: fixture.reason,
      params: fixture.params,
      position: fixture.position,
    });
  });

  it('every rule has a fixture', () => {
    expect(new Set(HOST_ERROR_FIXTURES.map((f) => f.reason))).toEqual(new Set(HOST_ERROR_REASONS));
  });
});
