/**
 * Web-mode wire format: how contract calls, results and events cross the WebSocket.
 *
 * Every message is one binary frame: a 4-byte big-endian length, that many bytes of UTF-8 JSON
 * (the header), then the raw bytes of every Uint8Array in the message, back to back. In the header
 * each Uint8Array is replaced by `{"$bin":[offset,length]}` pointing into that tail, so bytes never
 * pass through base64 or strings. A frame whose header or pointers do not fit is rejected whole.
 */
import type { CallChannel, EventChannel } from './contract.ts';
import type { Result } from './errors.ts';

/** Browser → main. `n` pairs a call with its result. */
export interface WireCall {
  t: 'call';
  n: number;
  channel: CallChannel;
  arg: unknown;
}

/** Main → browser. */
export type WireServerMessage =
  | { t: 'result'; n: number; result: Result<unknown> }
  | { t: 'event'; event: EventChannel; payload: unknown };

const BIN_KEY = '$bin';

/**
 * The WebSocket subprotocol that names this wire format. The page offers it together with
 * `${TOKEN_PROTOCOL_PREFIX}<token>`, which is how web mode's token reaches the upgrade
 * (main/web/ws-bridge.ts says why); the server selects this one and never echoes the token.
 */
export const WIRE_PROTOCOL = 'socket-tester.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';

/** Encodes any JSON-shaped value whose leaves may be Uint8Arrays. */
export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  let tail = 0;
  const header = JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    // Look at the holder's own value: Node's Buffer (a Uint8Array) has a toJSON that JSON.stringify
    // applies before the replacer sees `value`, which would turn bytes into a number array.
    const original = this[key];
    if (original instanceof Uint8Array) {
      const pointer = { [BIN_KEY]: [tail, original.byteLength] };
      blobs.push(original);
      tail += original.byteLength;
      return pointer;
    }
    return value;
  });
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(4 + headerBytes.byteLength + tail);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, false);
  out.set(headerBytes, 4);
  let at = 4 + headerBytes.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** Why a frame was rejected. */
export class WireFormatError extends Error {}

/** Decodes a frame made by {@link encodeFrame}. Uint8Arrays are views into `frame`, not copies. */
export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new WireFormatError('frame shorter than its length prefix');
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  if (4 + headerLength > frame.byteLength) throw new WireFormatError('header length beyond the frame');
  const tailStart = 4 + headerLength;
  const tailLength = frame.byteLength - tailStart;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, tailStart));
  } catch {
    throw new WireFormatError('header is not valid UTF-8');
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      // JSON.parse makes "__proto__" an own property; dropping it keeps later spreads harmless.
      if (key === '__proto__') return undefined;
      if (isPointer(value)) {
        const [offset, length] = value[BIN_KEY];
        if (offset + length > tailLength) throw new WireFormatError('byte pointer beyond the frame');
        return frame.subarray(tailStart + offset, tailStart + offset + length);
      }
      return value;
    });
  } catch (err) {
    if (err instanceof WireFormatError) throw err;
    throw new WireFormatError('header is not valid JSON');
  }
}

function isPointer(value: unknown): value is { [BIN_KEY]: [number, number] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== BIN_KEY) return false;
  const p = (value as Record<string, unknown>)[BIN_KEY];
  return (
    Array.isArray(p) &&
    p.length === 2 &&
    p.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  );
}
