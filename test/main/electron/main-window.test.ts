import { beforeEach, describe, expect, it } from 'vitest';
import { recorded, FakeWebContents } from '../../fakes/electron.ts';
import { createMainWindow, isAppUrl, isProjectUrl, lockDownContents } from '../../../main/electron/main-window.ts';
import { CONTENT_SECURITY_POLICY, registerAppScheme, serveRenderer } from '../../../main/electron/app-protocol.ts';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeEach(() => recorded.reset());

describe('main window security', () => {
  it('uses context isolation, sandbox, no node integration, no webview', () => {
    createMainWindow({ preloadDir: '/app/out/preload', bounds: null, devServerUrl: undefined, title: 'Socket Tester' });
    const win = recorded.windows[0]!;
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs['preload']).toBe(join('/app/out/preload', 'index.cjs'));
    expect(win.loadedUrl).toBe('app://socket-tester/index.html');
  });

  it('denies navigation away, new windows and webviews', () => {
    const wc = new FakeWebContents();
    lockDownContents(wc as never, undefined);
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    wc.emit('will-navigate', ev, 'https://evil.example/');
    wc.emit('will-navigate', ev, 'file:///etc/passwd');
    wc.emit('will-redirect', ev, 'http://127.0.0.1:1/');
    wc.emit('will-attach-webview', ev);
    expect(prevented).toBe(4);
    wc.emit('will-navigate', ev, 'app://socket-tester/index.html');
    expect(prevented).toBe(4);
    const project = 'https://github.com/socket-tester/socket-tester#readme';
    for (const url of [project, 'https://example.org/help', 'https://github.com/evil/repo', 'javascript:alert(1)', 'file:///etc/passwd']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(recorded.openedExternal).toEqual([project]);
    expect(isProjectUrl('https://github.com/socket-tester/socket-tester-evil')).toBe(false);
  });

  it('recognises only our own origin (and the dev server in dev)', () => {
    expect(isAppUrl('app://socket-tester/index.html', undefined)).toBe(true);
    expect(isAppUrl('app://socket-tester.evil/index.html', undefined)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', undefined)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
  });
});

describe('app protocol', () => {
  it('serves only renderer files, with a strict CSP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-proto-'));
    try {
      await mkdir(join(dir, 'assets'));
      await writeFile(join(dir, 'index.html'), '<p>hi</p>');
      registerAppScheme();
      expect(recorded.privilegedSchemes).toHaveLength(1);
      serveRenderer(dir);
      const handle = recorded.protocolHandlers.get('app')!;
      const okRes = await handle(new Request('app://socket-tester/index.html'));
      expect(okRes.status).toBe(200);
      expect(okRes.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
      expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
      for (const bad of ['app://socket-tester/../package.json', 'app://socket-tester/%2e%2e/x', 'app://other/index.html', 'app://socket-tester/nope.js']) {
        expect((await handle(new Request(bad))).status).toBe(404);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
