/**
 * One bad host text per rule of shared/endpoint.ts (HOST_ERROR_REASONS), with the reason and
 * params it must give. The endpoint test checks each against parseHost and that every rule has
 * one; the renderer's i18n test words each in Chinese and English from the same table.
 */
import type { HostErrorReason } from '../../shared/endpoint.ts';

export interface HostErrorFixture {
  text: string;
  reason: HostErrorReason;
  /** The params the error carries, exactly. */
  params?: Record<string, string | number>;
  /** The error's 0-based position. */
  position: number;
}

const longLabels = `${'a'.repeat(60)}.`.repeat(5);
const longUnicode = `${'ü'.repeat(20)}.`.repeat(12);

export const HOST_ERROR_FIXTURES: readonly HostErrorFixture[] = [
  { text: '', reason: 'host-empty', position: 0 },
  { text: 'a'.repeat(1100), reason: 'host-text-too-long', params: { length: 1100, max: 253 }, position: 253 },
  { text: longLabels, reason: 'host-too-long', params: { length: 304, max: 253 }, position: 253 },
  { text: 'exa\u0007mple', reason: 'host-control', params: { text: '\u0007' }, position: 3 },
  { text: 'exa\u200bmple', reason: 'host-invisible', params: { text: '\u200b' }, position: 3 },
  { text: 'exa\ud800mple', reason: 'host-half-character', params: { text: '\ud800' }, position: 3 },
  { text: 'exa mple', reason: 'host-space', params: { text: ' ' }, position: 3 },
  { text: 'http://example.com', reason: 'host-scheme', params: { scheme: 'http' }, position: 0 },
  { text: 'tcp://example.com/x', reason: 'host-path', position: 17 },
  { text: 'tcp://', reason: 'host-empty-after-scheme', position: 6 },
  { text: ':80', reason: 'host-empty-before-colon', position: 0 },
  { text: 'example.com:', reason: 'host-port-missing', position: 11 },
  { text: 'example.com:8o', reason: 'host-port-invalid', params: { colon: 12 }, position: 13 },
  { text: 'example..com', reason: 'host-label-empty', position: 8 },
  { text: 'exa$mple', reason: 'host-character', params: { text: '$' }, position: 3 },
  { text: 'www.-example.com', reason: 'host-label-hyphen-start', params: { label: 5 }, position: 4 },
  { text: 'example-.com', reason: 'host-label-hyphen-end', params: { label: 1 }, position: 7 },
  { text: `${'a'.repeat(64)}.com`, reason: 'host-label-too-long', params: { label: 1, length: 64, max: 63 }, position: 63 },
  { text: 'xn--a.bücher', reason: 'host-idna', params: { text: 'xn--a.bücher' }, position: 0 },
  { text: '127.0.0.１', reason: 'host-idna-ipv4', params: { text: '127.0.0.１', ascii: '127.0.0.1' }, position: 0 },
  { text: 'a＄b.com', reason: 'host-punycode-invalid', params: { text: 'a＄b.com', ascii: 'a$b.com' }, position: 0 },
  { text: longUnicode, reason: 'host-punycode-too-long', params: { text: longUnicode, length: 323, max: 253 }, position: 0 },
  { text: '1.2.3', reason: 'ipv4-parts', params: { text: '1.2.3' }, position: 0 },
  { text: '1.2.3.4.', reason: 'ipv4-final-dot', params: { text: '1.2.3.4.' }, position: 0 },
  { text: 'a.1.2.3', reason: 'ipv4-not-decimal', params: { text: 'a.1.2.3', part: 'a' }, position: 0 },
  { text: '10.01.2.3', reason: 'ipv4-leading-zero', params: { text: '10.01.2.3', part: '01' }, position: 3 },
  { text: '300.1.1.1', reason: 'ipv4-over-255', params: { text: '300.1.1.1', part: '300' }, position: 0 },
  { text: '[::1', reason: 'ipv6-bracket-unclosed', position: 0 },
  { text: '[]', reason: 'ipv6-bracket-empty', position: 0 },
  { text: '[example.com]', reason: 'ipv6-bracket-not-ipv6', params: { text: 'example.com' }, position: 0 },
  { text: '[::1]x', reason: 'ipv6-after-bracket', params: { text: 'x' }, position: 5 },
  { text: 'fe80::1%', reason: 'ipv6-zone', params: { text: 'fe80::1%', bare: 1 }, position: 7 },
  { text: '1::2::3', reason: 'ipv6-double-colon', params: { text: '1::2::3', bare: 1 }, position: 4 },
  { text: '[1::2::3]:80', reason: 'ipv6-double-colon', params: { text: '1::2::3', bare: 0 }, position: 5 },
  { text: '::1.2.3', reason: 'ipv6-embedded-ipv4', params: { text: '::1.2.3', bare: 1 }, position: 2 },
  { text: '1:2:3:4:5:6:7:', reason: 'ipv6-group-empty', params: { text: '1:2:3:4:5:6:7:', bare: 1 }, position: 13 },
  { text: '1:2:3:4:5:6:7:g', reason: 'ipv6-group-digits', params: { text: '1:2:3:4:5:6:7:g', group: 'g', bare: 1 }, position: 14 },
  { text: '1:2:3:4:5:6:7::8', reason: 'ipv6-too-many-groups', params: { text: '1:2:3:4:5:6:7::8', bare: 1 }, position: 0 },
  { text: '1:2:3:4:5:6:7', reason: 'ipv6-group-count', params: { text: '1:2:3:4:5:6:7', groups: 7, bare: 1 }, position: 0 },
];
