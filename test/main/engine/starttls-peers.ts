/**
 * Small STARTTLS servers for the tests, on 127.0.0.1 port 0: each speaks its protocol's plain
 * preamble (SMTP, IMAP, POP3, FTP, PostgreSQL's SSLRequest), then upgrades the same socket to TLS
 * (Node's TLSSocket in server mode) and answers "tls:" + every byte received once the client ends.
 * A peer can refuse the upgrade, or inject bytes after agreeing, for the failure cases.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { StartTlsProtocol } from '../../../shared/tls.ts';

export interface StartTlsPeerOptions {
  key: Buffer;
  cert: Buffer;
  /** Answer the upgrade request with the protocol's refusal. */
  refuse?: boolean;
  /** After the go-ahead, send these plain bytes before the handshake (an injection). */
  inject?: string;
  /** SMTP: leave STARTTLS out of the EHLO reply. */
  noStartTlsInEhlo?: boolean;
}

export interface StartTlsPeer {
  port: number;
  /** What each connection sent in plain text, as lines (PostgreSQL: the request as hex). */
  readonly plain: string[][];
  /** SNI seen on each upgraded connection (false: none). */
  readonly serverNames: Array<string | false>;
  /** Application bytes received over TLS, per connection, once it ended. */
  readonly tlsReceived: Buffer[];
  close(): Promise<void>;
}

const GREETING: Record<StartTlsProtocol, string> = {
  smtp: '220 mail.test ESMTP ready\r\n',
  imap: '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n',
  pop3: '+OK POP3 ready\r\n',
  ftp: '220-Welcome to the test FTP server\r\n220 ready\r\n',
  postgres: '',
};

/** The reply to one plain line: text to send, and whether to upgrade after it. */
function answer(protocol: StartTlsProtocol, line: string, o: StartTlsPeerOptions): { reply: string; upgrade: boolean } {
  switch (protocol) {
    case 'smtp':
      if (/^EHLO /i.test(line)) return { reply: `250-mail.test\r\n250-PIPELINING\r\n${o.noStartTlsInEhlo ? '' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`, upgrade: false };
      if (/^STARTTLS$/i.test(line)) return o.refuse ? { reply: '454 4.7.0 TLS not available due to local problem\r\n', upgrade: false } : { reply: '220 2.0.0 Ready to start TLS\r\n', upgrade: true };
      return { reply: '500 unrecognised\r\n', upgrade: false };
    case 'imap':
      if (line === 'a1 STARTTLS') return o.refuse ? { reply: 'a1 NO STARTTLS disabled\r\n', upgrade: false } : { reply: '* CAPABILITY IMAP4rev1\r\na1 OK Begin TLS negotiation now\r\n', upgrade: true };
      return { reply: `${line.split(' ')[0]} BAD\r\n`, upgrade: false };
    case 'pop3':
      if (line === 'STLS') return o.refuse ? { reply: '-ERR TLS not available\r\n', upgrade: false } : { reply: '+OK Begin TLS negotiation\r\n', upgrade: true };
      return { reply: '-ERR unknown\r\n', upgrade: false };
    case 'ftp':
      if (line === 'AUTH TLS') return o.refuse ? { reply: '534 Policy forbids TLS\r\n', upgrade: false } : { reply: '234 AUTH TLS successful\r\n', upgrade: true };
      return { reply: '500 unknown\r\n', upgrade: false };
    case 'postgres':
      return { reply: '', upgrade: false };
  }
}

export async function startTlsPeer(protocol: StartTlsProtocol, o: StartTlsPeerOptions): Promise<StartTlsPeer> {
  const plain: string[][] = [];
  const serverNames: Array<string | false> = [];
  const tlsReceived: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const context = tls.createSecureContext({ key: o.key, cert: o.cert });

  const upgrade = (socket: net.Socket): void => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    secure.on('error', () => undefined);
    const parts: Buffer[] = [];
    secure.on('secure', () => serverNames.push((secure as tls.TLSSocket & { servername?: string | false }).servername ?? false));
    secure.on('data', (d: Buffer) => parts.push(d));
    secure.on('end', () => {
      const all = Buffer.concat(parts);
      tlsReceived.push(all);
      secure.end(Buffer.concat([Buffer.from('tls:'), all]));
    });
  };

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const lines: string[] = [];
    plain.push(lines);
    let buffer = Buffer.alloc(0);
    const goAhead = (reply: string): void => {
      socket.off('data', onData);
      socket.write(reply + (o.inject ?? ''));
      upgrade(socket);
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      if (protocol === 'postgres') {
        if (buffer.length < 8) return;
        lines.push(buffer.subarray(0, 8).toString('hex'));
        const isSslRequest = buffer.subarray(0, 8).toString('hex') === '0000000804d2162f';
        if (!isSslRequest || o.refuse) {
          socket.off('data', onData);
          socket.end('N');
          return;
        }
        goAhead('S');
        return;
      }
      for (let at = buffer.indexOf('\r\n'); at !== -1 && buffer.length > 0; at = buffer.indexOf('\r\n')) {
        const line = buffer.subarray(0, at).toString('latin1');
        buffer = buffer.subarray(at + 2);
        lines.push(line);
        const { reply, upgrade: up } = answer(protocol, line, o);
        if (up) {
          goAhead(reply);
          return;
        }
        socket.write(reply);
      }
    };
    socket.on('data', onData);
    socket.on('end', () => socket.end());
    if (GREETING[protocol]) socket.write(GREETING[protocol]);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    plain,
    serverNames,
    tlsReceived,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
