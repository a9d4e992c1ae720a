/**
 * Listen mode for UDP: one bound socket, one peer per source address:port. A peer is "connected"
 * from its first datagram until it has been quiet for UDP_PEER_IDLE_MS (or a rule closes it), so
 * the same client limit and the same responder apply as for streams; each datagram is one chunk.
 *
 * Datagrams from a new source while `maxClients` peers are remembered are dropped and counted in
 * `refused` (UDP has no way to refuse; the count is what keeps it visible).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { fail, ok, type Result } from '../../../shared/errors.ts';
import type { ListenerStats, ResponderSpec } from '../../../shared/listener.ts';
import { toAppError, toListenError } from '../error-mapping.ts';
import { TypedEmitter } from '../typed-emitter.ts';
import { unknownClient, type ClientEnd, type ClientInfo, type Listener, type ListenerEvents } from './listener.ts';
import { compileResponder, type AttachedResponder, type CompiledResponder } from './responder.ts';

/** A peer quiet this long is forgotten (event `closed`, outcome `forgotten`) and frees its slot. */
export const UDP_PEER_IDLE_MS = 30_000;

interface Peer {
  client: ClientInfo;
  responder: AttachedResponder;
  idle: NodeJS.Timeout;
}

export async function startUdpListener(host: string, port: number, maxClients: number, responder: CompiledResponder): Promise<Result<Listener>> {
  const listener = new UdpListener(host, maxClients, responder);
  const bound = await listener.bind(host, port);
  return bound.ok ? ok(listener) : bound;
}

class UdpListener extends TypedEmitter<ListenerEvents> implements Listener {
  readonly transport = 'udp' as const;
  address = '';
  port = 0;
  readonly certificateFingerprint = null;
  readonly #socket: dgram.Socket;
  readonly #maxClients: number;
  #responder: CompiledResponder;
  readonly #peers = new Map<string, Peer>();
  /** Client id → peer key, for the calls that name a client. */
  readonly #keys = new Map<number, string>();
  #accepted = 0;
  #refused = 0;
  #closed = false;

  constructor(host: string, maxClients: number, responder: CompiledResponder) {
    super();
    this.#socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    this.#maxClients = maxClients;
    this.#responder = responder;
  }

  bind(host: string, port: number): Promise<Result<void>> {
    return new Promise((resolve) => {
      const onError = (err: Error): void => resolve({ ok: false, error: toListenError(err, host, port) });
      this.#socket.once('error', onError);
      this.#socket.bind({ address: host, port, exclusive: true }, () => {
        this.#socket.off('error', onError);
        // ICMP errors for a peer that went away arrive here; they must not end the listener.
        this.#socket.on('error', () => {});
        this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
        const a = this.#socket.address();
        this.address = a.address;
        this.port = a.port;
        resolve(ok(undefined));
      });
    });
  }

  stats(): ListenerStats {
    return { accepted: this.#accepted, refused: this.#refused, active: this.#peers.size, ruleHits: [...this.#responder.ruleHits] };
  }

  setResponder(spec: ResponderSpec): Result<void> {
    const compiled = compileResponder(spec);
    if (!compiled.ok) return compiled;
    this.#responder = compiled.value;
    for (const [key, peer] of this.#peers) {
      peer.responder.dispose();
      peer.responder = this.#attach(key, peer.client, this.#rinfo(key));
    }
    return ok(undefined);
  }

  async sendToClient(id: number, bytes: Uint8Array): Promise<Result<number>> {
    const key = this.#keys.get(id);
    if (key === undefined) return unknownClient(id);
    const { address, port } = this.#rinfo(key);
    const client = this.#peers.get(key)!.client;
    return new Promise((resolve) => {
      this.#socket.send(bytes, port, address, (err) => {
        if (err) {
          resolve({ ok: false, error: toAppError(err, { host: address, port, phase: 'open' }) });
          return;
        }
        this.emit('sent', client, bytes);
        resolve(ok(bytes.byteLength));
      });
    });
  }

  async endClient(id: number, how: ClientEnd): Promise<Result<void>> {
    const key = this.#keys.get(id);
    if (key === undefined) return unknownClient(id);
    if (how !== 'close') return fail('UNSUPPORTED', `UDP has no ${how === 'reset' ? 'reset' : 'half-close'}: a peer can only be forgotten (Close).`, { field: 'how' });
    this.#forget(key, 'closed-by-us');
    return ok(undefined);
  }

  clientIds(): number[] {
    return [...this.#keys.keys()];
  }

  #rinfo(key: string): { address: string; port: number } {
    const at = key.lastIndexOf('|');
    return { address: key.slice(0, at), port: Number(key.slice(at + 1)) };
  }

  #attach(key: string, client: ClientInfo, rinfo: { address: string; port: number }): AttachedResponder {
    return this.#responder.attach(
      {
        send: (bytes) =>
          new Promise((resolve) => {
            if (this.#closed || !this.#peers.has(key)) return resolve(false);
            this.#socket.send(bytes, rinfo.port, rinfo.address, (err) => {
              if (!err) this.emit('sent', client, bytes);
              resolve(!err);
            });
          }),
        close: () => this.#forget(key, 'closed-by-us'),
      },
      {
        rule: (index) => this.emit('rule', client, index),
        error: (error) => this.emit('client-error', client, error),
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const key of [...this.#peers.keys()]) this.#forget(key, 'closed-by-us');
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let peer = this.#peers.get(key);
    if (!peer) {
      if (this.#peers.size >= this.#maxClients) {
        this.#refused++;
        this.emit('refused', { address: rinfo.address, port: rinfo.port, reason: `max clients (${this.#maxClients}) reached` });
        return;
      }
      const client: ClientInfo = { id: ++this.#accepted, address: rinfo.address, port: rinfo.port };
      const attached = this.#attach(key, client, rinfo);
      peer = { client, responder: attached, idle: setTimeout(() => this.#forget(key, 'forgotten'), UDP_PEER_IDLE_MS) };
      this.#peers.set(key, peer);
      this.#keys.set(client.id, key);
      this.emit('accepted', client);
      attached.connected();
    } else {
      peer.idle.refresh();
    }
    this.emit('received', peer.client, msg);
    peer.responder.received(msg);
  }

  /** Forgets a peer once the replies it is owed are out (a rule's `close`, idle, listener close). */
  #forget(key: string, outcome: 'closed-by-us' | 'forgotten'): void {
    const peer = this.#peers.get(key);
    if (!peer) return;
    clearTimeout(peer.idle);
    const finish = (): void => {
      if (this.#peers.get(key) !== peer) return;
      this.#peers.delete(key);
      this.#keys.delete(peer.client.id);
      peer.responder.dispose();
      this.emit('closed', peer.client, outcome, null);
    };
    if (this.#closed) finish();
    else void peer.responder.peerEnded().then(finish);
  }
}
