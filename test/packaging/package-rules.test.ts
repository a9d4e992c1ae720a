import { describe, expect, it } from 'vitest';
import {
  FUSE_DISABLED,
  FUSE_ENABLED,
  REQUIRED_ASAR_FILES,
  findAppImageProblems,
  findAsarContentProblems,
  findDebProblems,
  findFuseProblems,
  findPackedManifestProblems,
} from '../../scripts/packaging/package-rules.js';

const projectPackage = {
  version: '1.2.3',
  main: 'out/main/index.js',
  dependencies: { ws: '8.23.0', zod: '4.6.7' },
  devDependencies: { vitest: '4.1.12', '@types/node': '20.19.8' },
};
const builtFiles = ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/out/renderer/assets/app.js'];

/** A listing that passes every rule, in @electron/asar's format (folders listed too). */
function goodEntries(): string[] {
  return [
    '/node_modules',
    '/node_modules/ws',
    '/node_modules/ws/package.json',
    '/node_modules/ws/index.js',
    '/node_modules/zod',
    '/node_modules/zod/package.json',
    '/node_modules/zod/index.cjs',
    '/node_modules/zod/v4/core/doc.js',
    '/node_modules/yaml/dist/doc/Document.js',
    '/out',
    '/out/main',
    '/out/main/index.js',
    '/out/preload',
    '/out/preload/index.cjs',
    '/out/renderer',
    '/out/renderer/index.html',
    '/out/renderer/assets',
    '/out/renderer/assets/app.js',
    '/package.json',
  ];
}

describe('findAsarContentProblems', () => {
  it('accepts the built app with its runtime dependencies', () => {
    expect(findAsarContentProblems(goodEntries(), projectPackage, builtFiles)).toEqual([]);
  });

  it('reports each required file that is missing', () => {
    for (const required of REQUIRED_ASAR_FILES) {
      const problems = findAsarContentProblems(
        goodEntries().filter((entry) => entry !== required),
        projectPackage,
        [],
      );
      expect(problems.join('\n')).toContain(`lacks ${required}`);
    }
  });

  it('reports a missing runtime dependency and a missing built file', () => {
    const entries = goodEntries().filter((entry) => !entry.startsWith('/node_modules/zod') && entry !== '/out/renderer/assets/app.js');
    const problems = findAsarContentProblems(entries, projectPackage, builtFiles);
    expect(problems).toContain('app.asar lacks the runtime dependency zod (/node_modules/zod/package.json).');
    expect(problems).toContain('app.asar lacks the built file /out/renderer/assets/app.js.');
  });

  it.each([
    ['/out/main/index.js.map', 'a source map'],
    ['/node_modules/zod/src/index.ts', 'a TypeScript source'],
    ['/node_modules/zod/index.d.cts', 'a TypeScript source'],
    ['/node_modules/ws/README.md', 'documentation'],
    ['/renderer/App.svelte', 'a Svelte source'],
    ['/node_modules/ws/test/sender.js', 'a test folder'],
    ['/node_modules/ws/docs/api.html', 'a docs folder'],
    ['/node_modules/yaml/docs/index.html', 'a docs folder'],
    ['/main/index.ts', 'a TypeScript source'],
    ['/scripts/bench.js', 'a project source or tooling folder'],
    ['/test/main/x.js', 'a test folder'],
    ['/build/icon.png', 'a project source or tooling folder'],
    ['/electron-builder.yml', 'a project config file'],
  ])('rejects %s as %s', (entry, what) => {
    const problems = findAsarContentProblems([...goodEntries(), entry], projectPackage, builtFiles);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(entry);
    expect(problems[0]).toContain(what);
  });

  it('rejects devDependencies at the top level and nested under a runtime dependency', () => {
    const top = findAsarContentProblems([...goodEntries(), '/node_modules/vitest', '/node_modules/vitest/index.js'], projectPackage, builtFiles);
    expect(top[0]).toBe('app.asar contains the devDependency vitest (/node_modules/vitest).');
    const nested = findAsarContentProblems([...goodEntries(), '/node_modules/ws/node_modules/@types/node/index.js'], projectPackage, builtFiles);
    expect(nested).toEqual(['app.asar contains the devDependency @types/node (/node_modules/ws/node_modules/@types/node/index.js).']);
  });

  it('does not mistake a package whose name merely starts like a devDependency', () => {
    const entries = [...goodEntries(), '/node_modules/vitest-like', '/node_modules/vitest-like/index.js'];
    expect(findAsarContentProblems(entries, projectPackage, builtFiles)).toEqual([]);
  });
});

describe('findPackedManifestProblems', () => {
  const present = new Set(goodEntries());

  it('accepts the trimmed manifest electron-builder writes', () => {
    const packed = { name: 'x', version: '1.2.3', main: 'out/main/index.js', dependencies: projectPackage.dependencies };
    expect(findPackedManifestProblems(packed, projectPackage, present)).toEqual([]);
  });

  it('reports a wrong version, a dangling main and leftover dev fields', () => {
    const packed = { version: '9.9.9', main: 'out/main/missing.js', devDependencies: {}, scripts: {} };
    const problems = findPackedManifestProblems(packed, projectPackage, present);
    expect(problems).toEqual([
      'app.asar /package.json has version 9.9.9, expected 1.2.3.',
      'app.asar /package.json "main" (out/main/missing.js) does not name a file in the archive.',
      'app.asar /package.json still has "devDependencies"; electron-builder should have dropped it.',
      'app.asar /package.json still has "scripts"; electron-builder should have dropped it.',
    ]);
  });

  it('reports a manifest that is not an object', () => {
    expect(findPackedManifestProblems(undefined, projectPackage, present)).toEqual(['app.asar /package.json is not a JSON object.']);
  });
});

describe('findFuseProblems', () => {
  const fuseIndex = {
    RunAsNode: 0,
    EnableCookieEncryption: 1,
    EnableNodeOptionsEnvironmentVariable: 2,
    EnableNodeCliInspectArguments: 3,
    EnableEmbeddedAsarIntegrityValidation: 4,
    OnlyLoadAppFromAsar: 5,
    LoadBrowserProcessSpecificV8Snapshot: 6,
    GrantFileProtocolExtraPrivileges: 7,
  };
  const off = FUSE_DISABLED;
  const on = FUSE_ENABLED;

  it('accepts the required settings', () => {
    const wire = { version: '1', 0: off, 1: off, 2: off, 3: off, 4: on, 5: on, 6: off, 7: off };
    expect(findFuseProblems(wire, fuseIndex)).toEqual([]);
  });

  it("reports every fuse left at Electron's default", () => {
    const defaults = { version: '1', 0: on, 1: off, 2: on, 3: on, 4: off, 5: off, 6: off, 7: on };
    expect(findFuseProblems(defaults, fuseIndex)).toEqual([
      'fuse RunAsNode (wire index 0) is on, expected off.',
      'fuse EnableNodeOptionsEnvironmentVariable (wire index 2) is on, expected off.',
      'fuse EnableNodeCliInspectArguments (wire index 3) is on, expected off.',
      'fuse EnableEmbeddedAsarIntegrityValidation (wire index 4) is off, expected on.',
      'fuse OnlyLoadAppFromAsar (wire index 5) is off, expected on.',
      'fuse GrantFileProtocolExtraPrivileges (wire index 7) is on, expected off.',
    ]);
  });

  it('reports a wire too short for a fuse, and a fuse the library does not know', () => {
    const short = { version: '1', 0: off, 1: off, 2: off, 3: off, 4: on, 5: on };
    expect(findFuseProblems(short, fuseIndex)).toEqual(['fuse GrantFileProtocolExtraPrivileges (wire index 7) is missing from the wire, expected off.']);
    const { RunAsNode: _dropped, ...withoutRunAsNode } = fuseIndex;
    const wire = { version: '1', 0: off, 1: off, 2: off, 3: off, 4: on, 5: on, 6: off, 7: off };
    expect(findFuseProblems(wire, withoutRunAsNode)).toEqual(['@electron/fuses does not know the fuse RunAsNode; cannot check it.']);
  });
});

describe('findDebProblems', () => {
  const pkg = { name: 'socket-tester', version: '1.2.3', homepage: 'https://example.invalid/st' };
  const sizes = [16, 512];
  function goodArgs(): string[] {
    return [
      '-s', 'dir', '-t', 'deb',
      '--description', 'Manual TCP protocol tester',
      '--package', '/tmp/release/socket-tester-1.2.3-linux-amd64.deb',
      '--maintainer', 'Dev <dev@example.invalid>',
      '--url', 'https://example.invalid/st',
      '/tmp/release/linux-unpacked/=/opt/Socket Tester',
      '/p/build/icons/16x16.png=/usr/share/icons/hicolor/16x16/apps/socket-tester.png',
      '/p/build/icons/512x512.png=/usr/share/icons/hicolor/512x512/apps/socket-tester.png',
      '/tmp/t-1/4-Socket Tester.desktop=/usr/share/applications/socket-tester.desktop',
    ];
  }
  const goodEntry = [
    '[Desktop Entry]',
    'Name=Socket Tester',
    'Exec="/opt/Socket Tester/socket-tester" %U',
    'Type=Application',
    'Icon=socket-tester',
    'StartupWMClass=socket-tester',
    'Categories=Development;Network;',
    '',
  ].join('\n');

  it('accepts what electron-builder 26 passes for our config', () => {
    expect(findDebProblems(goodArgs(), goodEntry, pkg, sizes)).toEqual([]);
  });

  it('reports an artifact name without version or arch, a missing icon and a wrong url', () => {
    const args = goodArgs()
      .map((arg) => (arg.endsWith('.deb') ? '/tmp/release/socket-tester.deb' : arg))
      .map((arg) => (arg === 'https://example.invalid/st' ? 'https://elsewhere.invalid' : arg))
      .filter((arg) => !arg.includes('512x512'));
    expect(findDebProblems(args, goodEntry, pkg, sizes)).toEqual([
      'deb artifact is named "socket-tester.deb", expected "socket-tester-1.2.3-linux-amd64.deb" (version and arch).',
      'deb --url is https://elsewhere.invalid, expected the package.json homepage.',
      'deb does not install the 512x512 icon (/usr/share/icons/hicolor/512x512/apps/socket-tester.png).',
    ]);
  });

  it('reports a desktop entry without the Network category or with a mismatched window class', () => {
    const entry = goodEntry.replace('Development;Network;', 'Development;').replace('StartupWMClass=socket-tester', 'StartupWMClass=Socket Tester');
    expect(findDebProblems(goodArgs(), entry, pkg, sizes)).toEqual([
      'deb desktop entry Categories (Development;) lacks Network.',
      'deb desktop entry StartupWMClass is Socket Tester, expected socket-tester.',
    ]);
  });

  it('reports a missing desktop entry and missing metadata when fpm was never called', () => {
    const problems = findDebProblems([], '', pkg, sizes);
    expect(problems).toContain('deb has no --maintainer.');
    expect(problems).toContain('deb desktop entry is missing or does not start with [Desktop Entry].');
    expect(problems).toContain('deb desktop entry Exec () does not run socket-tester.');
  });
});

describe('findAppImageProblems', () => {
  const pkg = { name: 'socket-tester', version: '1.2.3' };
  const sizes = [16, 512];
  const output = '/tmp/release/socket-tester-1.2.3-linux-x86_64.AppImage';
  const files = [
    'AppRun',
    'socket-tester',
    'socket-tester.desktop',
    'resources/app.asar',
    'usr/share/icons/hicolor/16x16/apps/socket-tester.png',
    'usr/share/icons/hicolor/512x512/apps/socket-tester.png',
  ];
  const entry = [
    '[Desktop Entry]',
    'Name=Socket Tester',
    'Exec=AppRun %U',
    'Type=Application',
    'Icon=socket-tester',
    'StartupWMClass=socket-tester',
    'Categories=Development;Network;',
    '',
  ].join('\n');

  it('accepts what electron-builder 26 stages for our config', () => {
    expect(findAppImageProblems(output, files, entry, pkg, sizes)).toEqual([]);
  });

  it('reports a blanket --no-sandbox in the desktop entry', () => {
    const withNoSandbox = entry.replace('Exec=AppRun %U', 'Exec=AppRun --no-sandbox %U');
    expect(findAppImageProblems(output, files, withNoSandbox, pkg, sizes)).toEqual([
      'AppImage desktop entry Exec (AppRun --no-sandbox %U) turns the sandbox off; set appImage.executableArgs to [].',
    ]);
  });

  it('reports a wrong name, missing files and a broken desktop entry', () => {
    const problems = findAppImageProblems(
      '/tmp/release/Socket Tester.AppImage',
      files.filter((file) => file !== 'resources/app.asar' && !file.includes('512x512')),
      entry.replace('Categories=Development;Network;', 'Categories=Utility;').replace('Exec=AppRun %U', 'Exec=/usr/bin/x'),
      pkg,
      sizes,
    );
    expect(problems).toEqual([
      'AppImage is named "Socket Tester.AppImage", expected "socket-tester-1.2.3-linux-x86_64.AppImage" (version and arch).',
      'AppImage lacks resources/app.asar.',
      'AppImage lacks usr/share/icons/hicolor/512x512/apps/socket-tester.png.',
      'AppImage desktop entry Categories (Utility;) lacks Development.',
      'AppImage desktop entry Categories (Utility;) lacks Network.',
      'AppImage desktop entry Exec (/usr/bin/x) does not start AppRun.',
    ]);
  });

  it('reports that nothing was staged when mksquashfs never ran', () => {
    const problems = findAppImageProblems('', [], '', pkg, sizes);
    expect(problems[0]).toBe('AppImage is named "", expected "socket-tester-1.2.3-linux-x86_64.AppImage" (version and arch).');
    expect(problems).toContain('AppImage lacks AppRun.');
    expect(problems).toContain('AppImage desktop entry is missing or does not start with [Desktop Entry].');
  });
});
