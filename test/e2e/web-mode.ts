/**
 * Playwright fixture: starts the built CLI's web mode on a free loopback port for each test file
 * and yields its tokenised URL. The real binary, not a stand-in, so the same path users run is tested.
 */
import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WebMode {
  url: string;
  origin: string;
  token: string;
}

export async function startWebMode(extraArgs: string[] = []): Promise<{ web: WebMode; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/socket-tester.js', 'web', '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('web mode did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`web mode exited early with ${code}`)));
    rl.on('line', (line) => {
      const m = /^Socket Tester web UI: (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const parsed = new URL(url);
  return { web: { url, origin: parsed.origin, token: parsed.searchParams.get('token')! }, child };
}

export const test = base.extend<object, { web: WebMode }>({
  web: [
    async ({}, use) => {
      const { web, child } = await startWebMode();
      await use(web);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
