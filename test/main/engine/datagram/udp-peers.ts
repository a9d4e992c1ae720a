/**
 * Real UDP peers for the datagram tests: sockets on 127.0.0.1 / ::1, port 0, closed after each
 * test by {@link closePeers}. Each peer records what it received.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';

/** A running UDP peer. */
export interface UdpPeer {
  socket: dgram.Socket;
  port: number;
  /** Datagrams received so far, with their source. */
  readonly received: Array<{ bytes: Buffer; from: string; port: number }>;
  close(): Promise<void>;
}

const open = new Set<dgram.Socket>();

/** Binds a socket on `host`, port 0. */
export async function bindSocket(host = '127.0.0.1'): Promise<dgram.Socket> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  socket.bind(0, host);
  await once(socket, 'listening');
  open.add(socket);
  return socket;
}

async function closeSocket(socket: dgram.Socket): Promise<void> {
  if (!open.delete(socket)) return;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

/** Closes every socket the peers opened; call from afterEach. */
export async function closePeers(): Promise<void> {
  await Promise.all([...open].map((s) => closeSocket(s)));
}

/** A peer that calls `onMessage` for each datagram (after recording it). */
export async function udpPeer(
  onMessage: (peer: UdpPeer, bytes: Buffer, rinfo: dgram.RemoteInfo) => void = () => undefined,
  host = '127.0.0.1',
): Promise<UdpPeer> {
  const socket = await bindSocket(host);
  const received: UdpPeer['received'] = [];
  const peer: UdpPeer = {
    socket,
    port: socket.address().port,
    received,
    close: () => closeSocket(socket),
  };
  socket.on('message', (bytes, rinfo) => {
    received.push({ bytes, from: rinfo.address, port: rinfo.port });
    onMessage(peer, bytes, rinfo);
  });
  return peer;
}

/** Sends every datagram back to its source, unchanged. */
export function echoPeer(host = '127.0.0.1'): Promise<UdpPeer> {
  return udpPeer((peer, bytes, rinfo) => peer.socket.send(bytes, rinfo.port, rinfo.address), host);
}

/** Receives and never answers. */
export function silentPeer(host = '127.0.0.1'): Promise<UdpPeer> {
  return udpPeer(() => undefined, host);
}

/** A UDP port with nothing bound to it (bound, noted, closed). */
export async function closedUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = await bindSocket(host);
  const port = socket.address().port;
  await closeSocket(socket);
  return port;
}

/**
 * Answers each datagram with `fromSelf` datagrams from its own port ("a1", "a2", …) and then
 * `fromOther` from a second socket on another port ("b1", …), in that order, one per tick.
 */
export async function multiPeer(fromSelf: number, fromOther: number, host = '127.0.0.1'): Promise<UdpPeer & { otherPort: number }> {
  const other = await bindSocket(host);
  const peer = await udpPeer((p, _bytes, rinfo) => {
    let i = 0;
    const next = (): void => {
      i += 1;
      if (i <= fromSelf) p.socket.send(`a${i}`, rinfo.port, rinfo.address, next);
      else if (i <= fromSelf + fromOther) other.send(`b${i - fromSelf}`, rinfo.port, rinfo.address, next);
    };
    next();
  }, host);
  return Object.assign(peer, { otherPort: other.address().port });
}
