import { describe, expect, it } from 'vitest';
import { cli } from './cli-harness.ts';

describe('the CLI stays English (issue 17)', () => {
  it('its --help says so, whatever LANG is', async () => {
    const before = process.env['LANG'];
    process.env['LANG'] = 'zh_CN.UTF-8';
    try {
      const run = await cli(['--help']);
      const out = run.stdout.toString('utf8');
      expect(run.code).toBe(0);
      expect(out).toContain('The CLI speaks English only, whatever the system language: its output is for scripts.');
      expect(out).toMatch(/^Usage: socket-tester/);
    } finally {
      if (before === undefined) delete process.env['LANG'];
      else process.env['LANG'] = before;
    }
  });
});
