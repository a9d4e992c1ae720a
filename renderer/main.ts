import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { startLocale } from './lib/i18n/browser.ts';
import WebConnectionNotice from './components/WebConnectionNotice.svelte';
import { connectApi, tabStorage } from './lib/api/connect-api.ts';
import { forgetToken } from './lib/api/web-client.ts';
import { AppState } from './lib/state/app-state.svelte.ts';
import { WebConnection } from './lib/state/web-connection.svelte.ts';
import { keepWorkspace } from './lib/state/workspace-keeper.svelte.ts';

// Before the first mount, so the first frame is already in the user's language.
startLocale();
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const conn = connectApi();
if (conn.kind !== 'web-no-token') {
  const app = new AppState(conn.api);
  // A reload gives back the tabs as they were edited (not their sessions): workspace.ts.
  keepWorkspace(app, tabStorage());
  void app.load();
  mount(App, { target, props: { app } });
  // The control-picture font loads only when a character of its range is first drawn, and until it
  // is there that text waits (font-display: block) or, later, lays out twice. Asked for now, it is
  // ready long before the first control byte arrives. A failure leaves the system's glyphs.
  void document.fonts.load("1em 'Socket Tester Control Pictures'", '\u2400').catch(() => undefined);
  // A reload brings the tabs back but not their sessions or received bytes, and a closed browser
  // tab loses them all (profiles live in main): the browser asks first while any tab holds an
  // edit, a session or received bytes. Not in Electron, where a beforeunload that objects cancels
  // closing the window without asking anyone.
  if (conn.kind === 'web') {
    window.addEventListener('beforeunload', (e) => {
      if (app.tabs.some((t) => !t.pristine)) e.preventDefault();
    });
  }
}
if (conn.kind !== 'electron') {
  const serverAnswers = (): Promise<boolean> =>
    fetch('/', { method: 'HEAD', cache: 'no-store' }).then(
      (r) => r.ok,
      () => false,
    );
  const connection = new WebConnection(conn.kind === 'web' ? conn.api : null, serverAnswers, () => forgetToken(tabStorage()));
  mount(WebConnectionNotice, { target: document.body, props: { connection, origin: window.location.origin } });
  // A new address with a token pasted into this tab (only the fragment changed, so the browser
  // does not reload by itself): start over with that token.
  window.addEventListener('hashchange', () => {
    if (new URLSearchParams(window.location.hash.slice(1)).has('token')) window.location.reload();
  });
}
