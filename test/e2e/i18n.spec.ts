/**
 * Two languages (issue 17): the UI follows the browser's language, switches without a reload,
 * remembers the choice, and `?lang=` pins a language (as the other specs pin English).
 */
import { createServer } from 'node:net';
import { expect, shot, test } from './web-mode.ts';

test.describe('a Chinese browser', () => {
  test.use({ locale: 'zh-CN' });

  test('shows Chinese, switches to English in place, and remembers it', async ({ page, web, errors }) => {
    await page.goto(web.url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
    await expect(page.getByRole('button', { name: '连接', exact: true })).toBeVisible();
    await expect(page.getByRole('status')).toHaveText('空闲');
    await expect(page.getByRole('textbox', { name: '数据' })).toBeVisible();

    // A typed host survives the switch: nothing reloads.
    await page.getByRole('textbox', { name: '主机' }).fill('127.0.0.9');
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeVisible();
    await expect(page.getByRole('status')).toHaveText('Idle');
    await expect(page.getByRole('textbox', { name: 'Host' })).toHaveValue('127.0.0.9');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');

    await page.reload();
    await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('an error for a stable code is shown in Chinese, with the address and errno as data', async ({ page, web, errors }) => {
    // A port that was just free: nothing listens there, so the connect is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));

    await page.goto(web.url);
    await page.getByRole('textbox', { name: '主机' }).fill('127.0.0.1');
    await page.getByRole('textbox', { name: '端口' }).fill(String(port));
    await page.getByRole('button', { name: '连接', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('连接被拒绝');
    // The address tried, as English names it, beside the errno.
    await expect(page.getByRole('status')).toContainText(`（127.0.0.1:${port}，ECONNREFUSED）`);
    expect(errors).toEqual([]);
  });

  test('a bad host, port or payload says in Chinese exactly what is wrong, as English does', async ({ page, web, errors }) => {
    await page.goto(web.url);
    const host = page.getByRole('textbox', { name: '主机', exact: true });
    await host.fill('300.1.1.1');
    await expect(host).toHaveAccessibleDescription('主机：“300.1.1.1” 不是有效的 IPv4 地址：第 1 个字符处的 300 大于 255。');
    await host.fill('http://example.com');
    await expect(host).toHaveAccessibleDescription('主机：这里只识别 tcp:// 地址，不识别 http://；请把主机名和端口分别填入各自的字段。');
    await host.fill('127.0.0.1');
    const port = page.getByRole('textbox', { name: '端口' });
    await port.fill('70000');
    await expect(port).toHaveAccessibleDescription('端口：70000 超出范围；请使用 1 到 65535。');
    await port.fill('80a');
    await expect(port).toHaveAccessibleDescription('端口：第 3 个字符 “a” 不是数字；端口请写成 1 到 65535 之间的数字。');
    await page.getByRole('radio', { name: '十六进制', exact: true }).click();
    const payload = page.getByRole('textbox', { name: '数据' });
    await payload.fill('48 6z');
    await expect(payload).toHaveAccessibleDescription('数据：第 5 个字符 “z” 不是十六进制数字。');
    expect(errors).toEqual([]);
  });

  test('the step list names each step in Chinese, while the YAML keeps its English keys', async ({ page, web, errors }) => {
    await page.goto(web.url);
    await page.getByRole('button', { name: '+ 对话' }).click();
    const steps = page.getByRole('listbox', { name: '步骤' });
    await expect(steps.getByRole('option').nth(0)).toContainText('发送');
    await expect(steps.getByRole('option').nth(1)).toContainText('期望');
    await expect(page.getByText('步骤 1：发送')).toBeVisible();
    await page.getByRole('radio', { name: 'YAML', exact: true }).check();
    await expect(page.getByRole('textbox', { name: '对话 YAML' })).toHaveValue(/- send:/);
    expect(errors).toEqual([]);
  });

  test("a conversation file's problems are worded in Chinese, with the file's own keys and numbers", async ({ page, web, errors }) => {
    await page.goto(web.url);
    await page.getByRole('button', { name: '+ 对话' }).click();
    await page.getByRole('radio', { name: 'YAML', exact: true }).check();
    const yaml = page.getByRole('textbox', { name: '对话 YAML' });
    await yaml.fill('target: {host: 127.0.0.1, port: 0x1F90}\nsteps:\n  - sned: "x"\n  - wait: [1]\n');
    const problems = page.getByRole('alert', { name: '问题' });
    await expect(problems).toContainText('第 1 行，第 33 列：这里应是 1 到 65535 之间的十进制整数，实际是 “0x1F90”。');
    await expect(problems).toContainText('第 3 行，第 5 列：未知的步骤类型或选项 “sned”；步骤是 send、expect、wait、close_write、starttls、close、group 之一');
    await expect(problems).toContainText('实际是一个列表。');
    // A YAML syntax error, found in the page before main sees the text, by the yaml library's code.
    await yaml.fill('target: {host: 127.0.0.1, port: 1}\nsteps:\n  - send: "x\n');
    await expect(problems).toContainText('YAML：缺少右引号或右括号。');
    await shot(page, 'conversation-problems-zh');
    expect(errors).toEqual([]);
  });
});

test('?lang=zh-CN pins Chinese in an English browser', async ({ page, web }) => {
  const u = new URL(web.url);
  await page.goto(`${u.origin}/?lang=zh-CN${u.hash}`);
  await expect(page.getByRole('button', { name: '连接', exact: true })).toBeVisible();
});
