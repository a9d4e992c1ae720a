/**
 * Conversations in the app (issue 15), against a real redis-server on loopback: a session's sends
 * recorded as steps, saved as a profile, run with every step passing; one expectation broken and the
 * failure shown at its step (the list jumps there, expected versus received shown); the YAML view's
 * problems with line and column; export and import of the YAML file; and repeat with macros in an
 * ordinary session tab.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { connectTo, expect, shot, tcpServer, test, ui } from './web-mode.ts';

interface Redis {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** Debian's redis-server on a free loopback port, no persistence; fails loudly when missing. */
async function startRedis(): Promise<Redis> {
  const bin = '/usr/bin/redis-server';
  if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install redis-server. This test never skips.`);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!log.includes('Ready to accept connections')) {
    if (Date.now() > deadline) throw new Error(`redis did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

let redis: Redis;
test.beforeAll(async () => {
  redis = await startRedis();
});
test.afterAll(async () => {
  await redis.stop();
});

/** Sends one payload (escapes mode) on the open session and waits for `reply` in the response. */
async function sendAndSee(page: Page, payload: string, reply: string): Promise<void> {
  const u = ui(page);
  await u.payload.fill(payload);
  await u.send.click();
  await expect(u.response).toContainText(reply);
}

function conv(page: Page) {
  return {
    run: page.getByRole('button', { name: 'Run', exact: true }),
    status: page.getByRole('status'),
    steps: page.getByRole('listbox', { name: 'Steps' }),
    results: page.getByRole('list', { name: 'Step results' }),
    transcript: page.getByRole('list', { name: 'Transcript' }),
    yaml: page.getByRole('textbox', { name: 'Conversation YAML' }),
    view: (name: 'Steps' | 'YAML') => page.getByRole('radio', { name, exact: true }),
  };
}

test('record a redis session, save it, run it: every step passes; break one expect: the failure is shown at its step', async ({ page, web, errors }) => {
  const u = await connectTo(page, web, redis.port);
  await u.closeAfterSend.uncheck();
  await u.mode('Escapes').check();
  await sendAndSee(page, 'SET greeting hello\\r\\n', '+OK');
  await sendAndSee(page, 'GET greeting\\r\\n', 'hello');
  await sendAndSee(page, 'PING\\r\\n', '+PONG');

  await page.getByRole('button', { name: 'Record as conversation' }).click();
  const c = conv(page);
  await expect(c.steps.getByRole('option')).toHaveCount(6);
  await expect(c.steps.getByRole('option').nth(0)).toContainText('SET greeting hello');
  await expect(c.steps.getByRole('option').nth(1)).toContainText('contains +OK');
  await expect(c.steps.getByRole('option').nth(3)).toContainText('contains $5');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue(String(redis.port));

  // Saved as a profile from the sidebar, and listed as a conversation.
  await page.getByRole('button', { name: 'Save as…' }).click();
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Redis recorded');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('navigation', { name: 'Saved profiles' })).toContainText('conversation · 127.0.0.1:' + String(redis.port));
  const stored = JSON.parse(readFileSync(web.profilesPath, 'utf8')) as { version: number; profiles: Array<{ name: string; kind?: string; conversation?: { yaml: string } }> };
  const saved = stored.profiles.find((p) => p.name === 'Redis recorded');
  expect(saved?.kind).toBe('conversation');
  expect(saved?.conversation?.yaml).toContain('- send: "SET greeting hello\\r\\n"');

  await c.run.click();
  await expect(c.status).toContainText('Passed (6 steps)');
  await expect(c.results.getByRole('listitem')).toHaveCount(6);
  for (let i = 0; i < 6; i++) await expect(c.results.getByRole('listitem').nth(i)).toContainText('passed');
  await expect(c.transcript.locator('mark[data-step="2"]')).toHaveText('+OK\\r\\n');
  await expect(c.transcript.locator('mark[data-step="6"]')).toHaveText('+PONG\\r\\n');
  await shot(page, 'conversation-passed');

  // Break step 4: GET now expects "$7".
  await c.steps.getByRole('option').nth(3).click();
  // The form shows CR and LF as \r and \n, so they survive editing.
  await expect(page.getByRole('textbox', { name: 'Pattern' })).toHaveValue('$5\\r\\n');
  await page.getByRole('textbox', { name: 'Pattern' }).fill('$7\\r\\n');
  await page.getByLabel('Timeout ms').fill('500');
  // Select another step so the jump is visible.
  await c.steps.getByRole('option').nth(0).click();
  await c.run.click();
  await expect(c.status).toContainText('Failed at step 4');
  const failedRow = c.results.getByRole('listitem').nth(3);
  await expect(failedRow).toContainText('failed');
  await expect(failedRow).toContainText('expected: "$7\\r\\n"');
  await expect(failedRow).toContainText('received: "$5\\r\\nhello\\r\\n"');
  await expect(c.results.getByRole('listitem').nth(4)).toContainText('skipped');
  // The failure jumped to its step: selected, marked, its message under the form, the list focused.
  await expect(c.steps.getByRole('option').nth(3)).toHaveAttribute('aria-selected', 'true');
  await expect(c.steps).toBeFocused();
  await expect(page.getByLabel('Why it failed')).toContainText('step 4 (expect contains) failed');
  await expect(page.getByLabel('Why it failed')).toContainText('24 35 0d 0a 68 65 6c 6c 6f 0d 0a');
  // The run's timeline: one bar per step, the failed one red; the table has its start and duration
  // (the expect waited out its 500 ms timeout, so it is the longest step).
  const timeline = page.getByTestId('step-timeline');
  await expect(timeline.locator('rect.failed')).toHaveCount(1);
  await expect(timeline.locator('rect')).toHaveCount(6);
  await expect(page.locator('#step-timeline-caption')).toContainText('the longest is step 4');
  await page.getByRole('button', { name: 'Show table' }).click();
  const stepRow = page.getByRole('table').getByRole('row').nth(4);
  await expect(stepRow).toContainText('4. expect contains');
  await expect(stepRow).toContainText('failed');
  await expect(stepRow.getByRole('cell').nth(3)).toHaveText(/^(\d{3} ms|\d\.\d\d s)$/);
  await shot(page, 'conversation-failed');
  expect(errors).toEqual([]);
});

test('steps by keyboard, the YAML view with line and column, export and import', async ({ page, web, errors }) => {
  await page.goto(web.url);
  await page.getByRole('button', { name: '+ Conversation' }).click();
  const c = conv(page);
  await expect(c.steps.getByRole('option')).toHaveCount(2);
  await page.getByRole('group', { name: 'Add a step' }).getByRole('button', { name: 'Wait' }).click();
  await expect(c.steps.getByRole('option')).toHaveCount(3);
  await c.steps.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+d');
  await expect(c.steps.getByRole('option')).toHaveCount(4);
  await page.keyboard.press('End');
  await page.keyboard.press('Alt+ArrowUp');
  await expect(c.steps.getByRole('option').nth(2)).toContainText('expect');
  await expect(c.steps.getByRole('option').nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(c.steps.getByRole('option').nth(3)).toContainText('wait');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Delete');
  await expect(c.steps.getByRole('option')).toHaveCount(3);

  await c.view('YAML').check();
  await expect(c.yaml).toHaveValue(/steps:\n {2}- send: "PING\\r\\n"\n {2}- send: "PING\\r\\n"\n {2}- expect:\n/);
  await c.yaml.fill('target: {host: 127.0.0.1, port: 1}\nsteps:\n  - sned: "x"\n');
  const problems = page.getByRole('alert', { name: 'Problems' });
  await expect(problems).toContainText('line 3, column 5');
  await shot(page, 'conversation-yaml-problem');
  await c.run.click();
  await expect(problems).toContainText('the run did not start');

  const fixed = `name: Imported\ntarget: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - send: "PING\\r\\n"\n  - expect: {exact: "+PONG\\r\\n"}\n`;
  await c.yaml.fill(fixed);
  await expect(problems).toHaveCount(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export YAML' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('Imported.yaml');
  const exported = readFileSync((await file.path())!, 'utf8');
  expect(exported).toBe(fixed);

  // Import it into a new tab (this one is no longer pristine) and run it.
  await page.locator('input[type=file][accept*=".yaml"]').setInputFiles({ name: 'x.yaml', mimeType: 'application/yaml', buffer: Buffer.from(exported.replace('Imported', 'Again')) });
  await expect(page.getByRole('tab', { name: /Again/ })).toBeVisible();
  await c.run.click();
  await expect(c.status).toContainText('Passed (2 steps)');
  expect(errors).toEqual([]);
});

test('a session repeats a send with macros: the preview shows the expansion, the count is exact, Stop stops', async ({ page, web, errors }) => {
  const got: Buffer[] = [];
  const server = await tcpServer((s) => s.on('data', (d) => got.push(d)));
  try {
    const u = await connectTo(page, web, server.port);
    await u.closeAfterSend.uncheck();
    await u.payload.fill('n=${counter};');
    await expect(page.getByText('13 bytes will be sent')).toBeVisible();
    await page.getByLabel('Expand macros').check();
    await expect(page.getByText('4 bytes will be sent')).toBeVisible();
    await expect(page.getByText('counter 1')).toBeVisible();
    await page.getByRole('group', { name: 'Repeat' }).getByRole('spinbutton').nth(0).fill('20');
    await page.getByRole('group', { name: 'Repeat' }).getByRole('spinbutton').nth(1).fill('5');
    await page.getByRole('button', { name: 'Start repeat' }).click();
    await expect(page.getByText('Sent 5 of 5')).toBeVisible();
    await expect(u.bytesSent).toHaveText('20');
    await expect.poll(() => Buffer.concat(got).toString()).toBe('n=1;n=2;n=3;n=4;n=5;');
    await expect(page.getByText('counter 6')).toBeVisible();
    await shot(page, 'session-repeat');

    // Until stopped: Stop ends it, and the count says how many went out.
    await page.getByRole('group', { name: 'Repeat' }).getByRole('spinbutton').nth(1).fill('0');
    await page.getByRole('button', { name: 'Start repeat' }).click();
    await expect(page.getByText(/Repeating: sent \d+ \(until stopped\)/)).toBeVisible();
    await page.getByRole('button', { name: 'Stop repeat' }).click();
    await expect(page.getByText(/^Sent \d+ \(until stopped\)\. Stopped\.$/)).toBeVisible();
    const text = (await page.getByText(/^Sent \d+ \(until stopped\)/).textContent())!;
    const n = Number(/Sent (\d+)/.exec(text)![1]);
    await expect.poll(() => Buffer.concat(got).toString().split(';').length - 1).toBe(5 + n);
    // A name that is not a macro is refused at its position, and nothing is sent.
    await u.payload.fill('GET ${key}');
    await expect(page.getByText(/a session expands only/)).toBeVisible();
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('a bad Host or Port in the form is named under that field as it is typed; Run stays in the Steps view', async ({ page, web, errors }) => {
  await page.goto(web.url);
  await page.getByRole('button', { name: '+ Conversation' }).click();
  const c = conv(page);
  const form = page.getByRole('form', { name: 'Target' });
  const host = form.getByLabel('Host', { exact: true });
  await host.fill('300.1.1.1');
  await expect(host).toHaveAttribute('aria-invalid', 'true');
  await expect(host).toHaveAccessibleDescription('Host: "300.1.1.1" is not a valid IPv4 address: 300 at character 1 is more than 255.');
  await c.run.click();
  await expect(page.getByRole('alert', { name: 'Problems' })).toContainText('1 problem: the run did not start');
  await expect(c.view('Steps')).toBeChecked();
  await host.fill('127.0.0.1');
  await expect(host).not.toHaveAttribute('aria-invalid', 'true');
  expect(errors).toEqual([]);
});
