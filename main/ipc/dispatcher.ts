/**
 * The one guarded entry for renderer calls, shared by the Electron binding and the web bridge.
 *
 * Order of checks for every call (RELIABILITY R3): the transport has already verified the sender
 * (Electron: senderFrame; web: token, Host and Origin at the WebSocket upgrade); here the channel
 * must be in the contract, the client must be under its rate limit, and the argument must pass its
 * schema. Only then does the handler run. Handlers return Results; a handler that throws anyway
 * is reported as INTERNAL rather than crashing main or leaking a stack to the renderer.
 */
import type { z } from 'zod';
import { fail, type Result } from '../../shared/errors.ts';
import { isCallChannel, type CallArg, type CallChannel, type CallValue } from '../../shared/contract.ts';

/** A handler per channel. `Ctx` identifies the calling client (window or WebSocket). */
export type Handlers<Ctx> = {
  [C in CallChannel]: (arg: CallArg<C>, ctx: Ctx) => Promise<Result<CallValue<C>>> | Result<CallValue<C>>;
};

/** A schema per channel whose output type is exactly the contract's argument type. */
export type Schemas = { [C in CallChannel]: z.ZodType<CallArg<C>> };

/** Token bucket: about `perSecond` calls a second with bursts of `burst`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 200, burst: 400 };

/** A dispatcher bound to one client; it keeps that client's rate-limit bucket. */
export type ClientDispatch = (channel: unknown, arg: unknown) => Promise<Result<unknown>>;

/** Formats the first schema issue as "field: problem" so the UI can name the field. */
function describeIssue(channel: string, error: z.ZodError): Result<never> {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const what = issue ? issue.message : 'invalid argument';
  return fail('INVALID_INPUT', `Invalid argument for ${channel}${field ? ` (${field})` : ''}: ${what}`, field ? { field } : {});
}

/** Makes the dispatch function for one client. `now` is injectable for tests of the limiter. */
export function createClientDispatch<Ctx>(
  handlers: Handlers<Ctx>,
  schemas: Schemas,
  ctx: Ctx,
  limit: RateLimit = DEFAULT_RATE_LIMIT,
  now: () => number = () => performance.now(),
): ClientDispatch {
  let tokens = limit.burst;
  let last = now();
  // Everything below treats `channel` and `arg` as hostile: they come straight from JSON a client
  // chose, so `channel` may be an object whose toString is not callable (String() would throw) and
  // `arg` may be anything. The outer try makes the promise impossible to reject: an unforeseen throw
  // anywhere answers this one call INTERNAL and leaves the client, and the process, as they were.
  return async (channel, arg) => {
    try {
      if (!isCallChannel(channel)) return fail('UNKNOWN_CHANNEL', `Unknown channel ${describeChannel(channel)}`);
      const t = now();
      tokens = Math.min(limit.burst, tokens + ((t - last) / 1000) * limit.perSecond);
      last = t;
      if (tokens < 1) return fail('RATE_LIMITED', `Too many calls; ${channel} was refused. Try again in a moment.`);
      tokens -= 1;
      const parsed = schemas[channel].safeParse(arg);
      if (!parsed.success) return describeIssue(channel, parsed.error);
      try {
        const handler = handlers[channel] as (a: unknown, c: Ctx) => Promise<Result<unknown>> | Result<unknown>;
        return await handler(parsed.data, ctx);
      } catch (err) {
        return fail('INTERNAL', `${channel} failed unexpectedly: ${describeThrown(err)}`);
      }
    } catch (err) {
      return fail('INTERNAL', `The call failed unexpectedly: ${describeThrown(err)}`);
    }
  };
}

/** A printable name for a channel that is not one: only strings are shown, and only 80 characters. */
function describeChannel(channel: unknown): string {
  if (typeof channel === 'string') return JSON.stringify(channel.slice(0, 80));
  const kind = channel === null ? 'null' : typeof channel;
  return `(${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}, not a channel name)`;
}

/** The message of whatever was thrown, without calling into it (a hostile value's toString may throw). */
export function describeThrown(err: unknown): string {
  try {
    if (err instanceof Error && typeof err.message === 'string') return err.message;
    if (typeof err === 'string') return err;
  } catch {
    // A getter on a hostile value threw; fall through to the neutral description.
  }
  return `a thrown ${err === null ? 'null' : typeof err}`;
}

/** Narrows a dispatch result to a channel's value type for typed callers (tests, web bridge). */
export function asCallResult<C extends CallChannel>(_channel: C, r: Result<unknown>): Result<CallValue<C>> {
  return r as Result<CallValue<C>>;
}
