/**
 * What the page says about web mode's connection itself, as opposed to a session's: opened without
 * its token, token refused, server not reachable, or an open connection lost. Electron never has one.
 *
 * A WebSocket that closes before it opened looks the same in a browser whether the server refused
 * the upgrade or is not running (no status code is exposed), so one HEAD request for the page
 * itself tells the two apart: the static files need no token, so an answer means "refused".
 */
import type { WebClient } from '../api/web-client.ts';

/** `none` while all is well or still connecting. */
export type WebNotice = 'none' | 'no-token' | 'refused' | 'unreachable' | 'lost';

export class WebConnection {
  notice = $state<WebNotice>('none');

  /**
   * @param client the bridge, or null when the page has no token (no WebSocket is opened at all)
   * @param serverAnswers resolves true when the web server answers a plain request
   * @param onRefused called once the token is known to be refused (forget it)
   */
  constructor(client: WebClient | null, serverAnswers: () => Promise<boolean>, onRefused: () => void) {
    if (!client) {
      this.notice = 'no-token';
      return;
    }
    client.onConnectionChange((state) => {
      if (state === 'lost') this.notice = 'lost';
      else if (state === 'failed') {
        void serverAnswers().then((answers) => {
          if (answers) onRefused();
          this.notice = answers ? 'refused' : 'unreachable';
        });
      }
    });
  }
}
