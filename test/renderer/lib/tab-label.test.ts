import { describe, expect, it } from 'vitest';
import { tabLabelParts } from '../../../renderer/lib/tab-label.ts';

const joined = (title: string): string => {
  const p = tabLabelParts(title);
  return p.start + p.end + p.keep;
};

describe('tabLabelParts', () => {
  it('keeps the port and the host\'s last label whole, so the cut is in the middle of the host', () => {
    expect(tabLabelParts('127.0.0.1:8080')).toEqual({ start: '127.0.0', end: '.1', keep: ':8080' });
    expect(tabLabelParts('192.168.1.20:502')).toEqual({ start: '192.168.1', end: '.20', keep: ':502' });
    expect(tabLabelParts('db-1.example.com:5432')).toEqual({ start: 'db-1.example', end: '.com', keep: ':5432' });
    expect(tabLabelParts('[::1]:6379')).toEqual({ start: '[:', end: ':1]', keep: ':6379' });
    expect(tabLabelParts('[2001:db8::10]:443')).toEqual({ start: '[2001:db8:', end: ':10]', keep: ':443' });
  });

  it('a host without a short last label is cut before the port', () => {
    expect(tabLabelParts('localhost:80')).toEqual({ start: 'localhost', end: '', keep: ':80' });
    expect(tabLabelParts('mail.averyverylongdomain:25')).toEqual({ start: 'mail.averyverylongdomain', end: '', keep: ':25' });
    expect(tabLabelParts('Listener :8080')).toEqual({ start: 'Listener', end: '', keep: ' :8080' });
  });

  it('titles without a port keep the usual end ellipsis', () => {
    for (const title of ['New session', 'Redis staging', 'smtp-check.yaml', ':', ':8080x', '']) {
      expect(tabLabelParts(title)).toEqual({ start: title, end: '', keep: '' });
    }
    // A bare port is all keep-worthy: nothing to cut around.
    expect(tabLabelParts(':8080')).toEqual({ start: ':8080', end: '', keep: '' });
  });

  it('never loses or reorders a character', () => {
    for (const title of ['127.0.0.1:8080', 'a.b:1', 'x:65535', '[::1]:1', 'Listener :0', 'ü.例え.jp:443', 'a b.c d:22']) {
      expect(joined(title)).toBe(title);
    }
  });
});
