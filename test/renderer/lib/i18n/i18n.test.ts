import { afterEach, describe, expect, it } from 'vitest';
import { initialLocale, locale, pickLocale, rememberLocale, setLocale, storedLocale, t, type ChoiceStore } from '../../../../renderer/lib/i18n/index.ts';
import { formatCount, formatDuration, formatElapsed, formatSize } from '../../../../renderer/lib/format.ts';
import { formatSpan } from '../../../../renderer/lib/timeline.ts';
import { stepSummary } from '../../../../renderer/lib/conversation-doc.ts';
import { reasonSentence, uiMessage } from '../../../../renderer/lib/field-labels.ts';
import { encodePayload } from '../../../../shared/payload.ts';
import { parseEndpoint, parseHost, parsePort } from '../../../../shared/endpoint.ts';
import type { AppError } from '../../../../shared/errors.ts';
import { parseBindHost } from '../../../../shared/listener.ts';
import { toAppError, toTlsVerifyError } from '../../../../main/engine/error-mapping.ts';
import { HOST_ERROR_FIXTURES } from '../../../shared/host-error-fixtures.ts';
import { statusWords } from '../../../../renderer/lib/state/status-words.ts';

function memoryStore(): ChoiceStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

afterEach(() => setLocale('en'));

describe('picking the language', () => {
  it('follows the first tag we speak; every Chinese tag is Simplified Chinese; else English', () => {
    expect(pickLocale(['zh-CN'])).toBe('zh-CN');
    expect(pickLocale(['zh_TW'])).toBe('zh-CN');
    expect(pickLocale(['zh-Hans-SG', 'en'])).toBe('zh-CN');
    expect(pickLocale(['de-DE', 'en-GB', 'zh'])).toBe('en');
    expect(pickLocale(['fr', 'ja'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });

  it('?lang= wins, then the remembered choice, then the system', () => {
    const store = memoryStore();
    expect(initialLocale({ storage: store, search: '', systemTags: ['zh-CN'] })).toBe('zh-CN');
    rememberLocale('en', store);
    expect(storedLocale(store)).toBe('en');
    expect(initialLocale({ storage: store, search: '', systemTags: ['zh-CN'] })).toBe('en');
    expect(initialLocale({ storage: store, search: '?lang=zh-CN', systemTags: ['en'] })).toBe('zh-CN');
  });

  it('a broken or hostile store neither throws nor decides', () => {
    const broken: ChoiceStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(() => rememberLocale('zh-CN', broken)).not.toThrow();
    expect(initialLocale({ storage: broken, search: '', systemTags: ['zh-CN'] })).toBe('zh-CN');
    const odd = memoryStore();
    odd.data.set('socket-tester.locale', '<script>');
    expect(storedLocale(odd)).toBeNull();
  });
});

describe('t() and the formatters follow the current language', () => {
  it('switches without reloading anything', () => {
    expect(t('status.connected')).toBe('Connected');
    setLocale('zh-CN');
    expect(locale()).toBe('zh-CN');
    expect(t('status.connected')).toBe('已连接');
    expect(t('common.version', { version: '1.2.3' })).toBe('版本 1.2.3');
  });

  it('Chinese spaces a catalogue-made value off from Han only where the value is Latin on that side', () => {
    setLocale('zh-CN');
    const hostSpace = (text: string): string => t('errors.reasons.host-space', { position: 4, text });
    // A value t() made (shownText's words for a space): Han meets Han across it, no space.
    const space = t('errors.space');
    expect(space).toBe('空格（U+0020）');
    expect(hostSpace(space)).toBe('第 4 个字符是空格（U+0020），主机名中不能有空格。');
    expect(t('errors.reasons.hex-prefix-placement', { position: 2, text: space })).toBe('第 2 个字符空格（U+0020）不是十六进制数字；0x 前缀必须在一组的开头（空格、逗号或冒号之后）。');
    // Latin on that side: the template's spaces stay.
    expect(hostSpace('U+0009')).toBe('第 4 个字符是 U+0009，主机名中不能有空格。');
    expect(t('errors.reasons.hex-prefix-placement', { position: 2, text: "'x'" })).toBe("第 2 个字符 'x' 不是十六进制数字；0x 前缀必须在一组的开头（空格、逗号或冒号之后）。");
    // Text the user typed keeps its spaces: a profile named 测试 is not run into the sentence.
    expect(t('profiles.tooLarge', { name: '测试' })).toBe('测试 大于 32 MiB；未导入任何内容。');
    expect(hostSpace('空格')).toBe('第 4 个字符是 空格，主机名中不能有空格。');
    // The marks are the program's own: a value that holds one is shown as it is, spaces and all.
    // (a message t() made around such a value: it must not lose the value's own noncharacter).
    const odd = t('common.version', { version: '\uFDD0' });
    expect(odd).toBe('版本 \uFDD0');
    expect(hostSpace(odd)).toBe('第 4 个字符是 版本 \uFDD0，主机名中不能有空格。');
    expect(t('common.version', { version: '1.2.3' })).toBe('版本 1.2.3');
    // English is made as it always was.
    setLocale('en');
    expect(t('fields.labelled', { label: 'Host', message: '空格' })).toBe('Host: 空格');
  });

  it('does not escape what Svelte will escape itself', () => {
    expect(t('fields.labelled', { label: 'Host', message: '<a & b>' })).toBe('Host: <a & b>');
  });

  it('numbers, sizes and durations', () => {
    expect(formatCount(104_857_600)).toBe('104,857,600');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatDuration(420)).toBe('0.42 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    setLocale('zh-CN');
    expect(formatCount(104_857_600)).toBe('104,857,600');
    expect(formatDuration(420)).toBe('0.42 秒');
    expect(formatDuration(245_000)).toBe('4 分 05 秒');
  });

  it('every time unit in the UI is in its language: no "ms" or "s" beside 秒 in Chinese', () => {
    const all = (): string[] => [formatSpan(250), formatSpan(1500), formatSpan(120_000), formatSpan(7_200_000), formatElapsed(250), formatElapsed(1250), stepSummary({ wait: 500 }), t('responder.afterMs', { n: 20 })];
    expect(all()).toEqual(['250 ms', '1.5 s', '2 min', '2 h', '250 ms', '1.25 s', '500 ms', ' after 20 ms']);
    setLocale('zh-CN');
    expect(all()).toEqual(['250 毫秒', '1.5 秒', '2 分钟', '2 小时', '250 毫秒', '1.25 秒', '500 毫秒', ' 延迟 20 毫秒']);
  });
});

describe('errors are shown per code, with their data', () => {
  const refused = { code: 'REFUSED' as const, message: 'connection refused by 127.0.0.1:9', errno: 'ECONNREFUSED' };
  const port = { code: 'INVALID_INPUT' as const, message: '0 is not a port.', field: 'port' };

  it('English shows main’s message, labelled by the form', () => {
    expect(uiMessage(refused)).toBe('connection refused by 127.0.0.1:9');
    expect(uiMessage(port)).toBe('Port: 0 is not a port.');
  });

  it('Chinese shows the code’s sentence, the field’s label and the errno as data', () => {
    setLocale('zh-CN');
    expect(uiMessage(refused)).toBe('连接被拒绝：该端口上没有服务在监听（ECONNREFUSED）。');
    expect(uiMessage({ ...port, position: 0 })).toBe('端口：请输入 1 到 65535 之间的端口号。');
    expect(uiMessage({ ...port, field: 'payload', position: 4 })).toBe('数据：十六进制数字或转义序列无效（第 5 个字符处）。');
    expect(uiMessage({ ...port, field: 'connectTimeoutMs' })).toBe('连接超时：输入的值无效。');
  });

  it('Chinese says which rule failed, with its values, as specifically as the English message', () => {
    setLocale('zh-CN');
    const payload = (text: string, mode: 'text' | 'hex' | 'escapes', encoding: 'utf8' | 'latin1' = 'utf8'): string => {
      const r = encodePayload({ text, mode, encoding, lineEnding: 'none' });
      if (r.ok) throw new Error(`${text} was accepted`);
      return uiMessage(r.error);
    };
    expect(payload('48 6z', 'hex')).toBe('数据：第 5 个字符 “z” 不是十六进制数字。');
    // A full-width digit from a Chinese input method looks like 4: its code point says it is not.
    expect(payload('４８', 'hex')).toBe('数据：第 1 个字符 “４”（U+FF14）不是十六进制数字。');
    expect(payload('48 6', 'hex')).toBe('数据：十六进制数字的个数是奇数：第 4 个字符处的数字没有配对。');
    expect(payload('\\q', 'escapes')).toBe('数据：第 1 个字符处是未知的转义：反斜杠后面是 “q”；可用的转义有 \\r \\n \\t \\\\ \\0 \\xHH \\u{HEX}。');
    expect(payload('ab\\', 'escapes')).toBe('数据：第 3 个字符是文本末尾的单个反斜杠；要发送反斜杠字节，请写 \\\\。');
    expect(payload('\\u{110000}', 'escapes')).toBe('数据：第 1 个字符处的 “\\u{110000}” 超出了最后一个 Unicode 码位 U+10FFFF。');
    expect(payload('a€', 'text', 'latin1')).toBe('数据：第 2 个字符 “€”（U+20AC）超出 Latin-1 范围（U+0000–U+00FF）；请选择 UTF-8，或改用转义模式，用 \\xHH 写出它的字节。');
    expect(payload('a€', 'escapes', 'latin1')).toBe('数据：第 2 个字符 “€”（U+20AC）超出 Latin-1 范围（U+0000–U+00FF）；请选择 UTF-8，或用 \\xHH 转义写出它的字节。');
    // Characters as a person counts them: the emoji before the fault is one, as in English.
    expect(payload('😀\\q', 'escapes')).toBe('数据：第 2 个字符处是未知的转义：反斜杠后面是 “q”；可用的转义有 \\r \\n \\t \\\\ \\0 \\xHH \\u{HEX}。');
    const port = (text: string, allowZero = false): string => {
      const r = parsePort(text, { allowZero });
      if (r.ok) throw new Error(`${text} was accepted`);
      return uiMessage(r.error);
    };
    expect(port('70000')).toBe('端口：70000 超出范围；请使用 1 到 65535。');
    expect(port('6 5')).toBe('端口：第 2 个字符空格（U+0020）不是数字；端口请写成 1 到 65535 之间的数字。');
    expect(port('0')).toBe('端口：0 不是可以连接的端口；请使用 1 到 65535。');
    expect(port('123456')).toBe('端口：端口号最多 5 位，这里有 6 位；请使用 1 到 65535。');
    expect(port('', true)).toBe('端口：请输入 0 到 65535 之间的端口号。');
    // English keeps main's own message, which says the same.
    setLocale('en');
    expect(port('70000')).toBe('Port: 70000 is out of range; use 1 to 65535.');
  });

  it('a bad host says in Chinese which rule failed, with its values, for every rule', () => {
    setLocale('zh-CN');
    const host = (text: string): string => {
      const r = parseHost(text);
      if (r.ok) throw new Error(`${text} was accepted`);
      return uiMessage(r.error);
    };
    expect(host('300.1.1.1')).toBe('主机：“300.1.1.1” 不是有效的 IPv4 地址：第 1 个字符处的 300 大于 255。');
    expect(host('exa mple')).toBe('主机：第 4 个字符是空格（U+0020），主机名中不能有空格。');
    expect(host('http://example.com')).toBe('主机：这里只识别 tcp:// 地址，不识别 http://；请把主机名和端口分别填入各自的字段。');
    expect(host('1::2::3')).toBe('主机：“1::2::3” 不是有效的 IPv6 地址：“::” 只能出现一次。要同时给出 IPv6 地址和端口，请写成 [地址]:端口。');
    expect(host('[1::2::3]:80')).toBe('主机：“1::2::3” 不是有效的 IPv6 地址：“::” 只能出现一次。');
    expect(host('www.-example.com')).toBe('主机：从第 5 个字符起的标签以连字符开头，主机名不允许这样。');
    const conflict = parseEndpoint('example.com:8080', '80');
    if (conflict.ok) throw new Error('expected a conflict');
    expect(uiMessage(conflict.error)).toBe('端口：主机中写的端口是 8080，而端口是 80；请删除其中一个。');
    for (const fixture of HOST_ERROR_FIXTURES) {
      const r = parseHost(fixture.text);
      if (r.ok) throw new Error(`${fixture.text} was accepted`);
      const words = uiMessage(r.error);
      // The rule's own sentence, not the field's general one.
      expect(reasonSentence(r.error), fixture.reason).not.toBeNull();
      expect(words, fixture.reason).toMatch(/^主机：/);
      expect(words, fixture.reason).toMatch(/\p{Script=Han}.*\p{Script=Han}/u);
      expect(words, fixture.reason).not.toContain('{{');
      expect(words, fixture.reason).not.toContain(r.error.message);
    }
  });

  it('the English catalogue words each host rule as main does (where main names no character)', () => {
    setLocale('en');
    // main names a character with describeCharacter ("U+0007 (BEL)"), the UI with shownText ("U+0007").
    const namesACharacter = new Set(['host-control', 'host-invisible', 'host-space', 'host-character', 'ipv6-after-bracket']);
    for (const fixture of HOST_ERROR_FIXTURES) {
      if (namesACharacter.has(fixture.reason)) continue;
      const r = parseHost(fixture.text);
      if (r.ok) throw new Error(`${fixture.text} was accepted`);
      const error: AppError = r.error;
      expect(reasonSentence(error), fixture.reason).toBe(error.message);
    }
  });

  it('a listener’s bind address and bind failures are worded in Chinese under the form’s label', () => {
    setLocale('zh-CN');
    const bad = parseBindHost('example.com');
    if (bad.ok) throw new Error('accepted');
    expect(uiMessage(bad.error)).toBe('绑定地址：“example.com” 不是可绑定的地址；请输入 IP 地址（127.0.0.1、::1、0.0.0.0、::）或 localhost。');
    const over = parseBindHost('300.1.1.1');
    if (over.ok) throw new Error('accepted');
    expect(uiMessage(over.error)).toBe('绑定地址：“300.1.1.1” 不是有效的 IPv4 地址：第 1 个字符处的 300 大于 255。');
    const inUse = { code: 'ADDRESS_IN_USE', message: 'Could not listen on …', field: 'port', reason: 'listen-in-use', params: { address: '127.0.0.1:6379' }, errno: 'EADDRINUSE' } as const;
    expect(uiMessage(inUse)).toBe('端口：无法在 127.0.0.1:6379 上监听：已有其他程序（或监听器）在此监听；请换一个端口，或填 0 使用任意空闲端口。');
    setLocale('en');
    expect(uiMessage(bad.error)).toBe('Bind address: "example.com" is not an address to bind; give an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or localhost.');
  });

  it('a network error names in Chinese what English names: the address tried, or the name looked up', () => {
    setLocale('zh-CN');
    const nodeError = (code: string, extra: object = {}): Error => Object.assign(new Error(code), { code, ...extra });
    const refused = toAppError(nodeError('ECONNREFUSED', { address: '::1', port: 26379 }), { host: '::1', port: 26379, phase: 'connecting' });
    expect(uiMessage(refused)).toBe('连接被拒绝：该端口上没有服务在监听（[::1]:26379，ECONNREFUSED）。');
    const dns = toAppError(nodeError('ENOTFOUND', { syscall: 'getaddrinfo' }), { host: 'a_b.example', port: 80, phase: 'connecting' });
    expect(uiMessage(dns)).toBe('找不到该主机名（a_b.example，ENOTFOUND）。');
    const selfSigned = toTlsVerifyError('DEPTH_ZERO_SELF_SIGNED_CERT', 'localhost:24433', null);
    expect(uiMessage(selfSigned)).toBe('证书为自签名证书，或证书链止于一张不受信任的自签名证书：要信任它，请把它的证书（或其 CA）作为 CA 文件提供（localhost:24433，DEPTH_ZERO_SELF_SIGNED_CERT）。');
  });

  it('an unknown code falls back to main’s message', () => {
    setLocale('zh-CN');
    expect(uiMessage({ code: 'SOMETHING_NEW' as never, message: 'a new failure' })).toBe('a new failure');
    expect(uiMessage({ message: 'no code at all' })).toBe('no code at all');
  });

  it('the status badge speaks the language', () => {
    setLocale('zh-CN');
    expect(statusWords(null, null).label).toBe('空闲');
    expect(statusWords({ phase: 'closed', outcome: 'peer-closed' } as never, null).label).toBe('对端已关闭');
  });
});
