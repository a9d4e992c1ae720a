/**
 * The zod schemas of listener settings (shared/listener.ts's types), for IPC calls and profiles.
 * A file of its own so that the engine, which needs only the limits and types, never loads zod
 * (13.7 MiB of RSS: a listener holding 10,000 clients is measured against a raw server).
 */
import { z } from 'zod';
import { LISTENER_LIMITS, type ListenerTls, type ResponderSpec } from './listener.ts';

const replyValueChars = 1_000_000;
const replySchema = z.strictObject({ mode: z.enum(['text', 'hex', 'escapes']), value: z.string().max(replyValueChars) });
const matchValue = z.string().max(LISTENER_LIMITS.maxFrameBytes * 4);
const ruleMatchSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exact'), value: matchValue }),
  z.strictObject({ kind: z.literal('prefix'), value: matchValue }),
  z.strictObject({ kind: z.literal('contains'), value: matchValue }),
  z.strictObject({ kind: z.literal('regex'), value: matchValue }),
  z.strictObject({ kind: z.literal('hex'), value: matchValue }),
]);
const framingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('chunk') }),
  z.strictObject({ kind: z.literal('line') }),
  z.strictObject({ kind: z.literal('delimiter'), delimiter: replySchema }),
  z.strictObject({ kind: z.literal('length'), length: z.int().min(1).max(LISTENER_LIMITS.maxFrameBytes) }),
]);
const ruleSchema = z.strictObject({
  match: ruleMatchSchema,
  reply: replySchema.nullable(),
  delayMs: z.int().min(0).max(LISTENER_LIMITS.maxDelayMs),
  close: z.boolean(),
});
/** A {@link ResponderSpec}, strictly: what IPC calls and profiles accept. */
export const responderSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('off') }),
  z.strictObject({ kind: z.literal('echo') }),
  z.strictObject({ kind: z.literal('fixed'), reply: replySchema, when: z.enum(['connect', 'first-message', 'each-message']) }),
  z.strictObject({ kind: z.literal('rules'), framing: framingSchema, rules: z.array(ruleSchema).max(LISTENER_LIMITS.maxRules) }),
]);
const pathSchema = z.string().min(1).max(4096).refine((path) => !/\p{Cc}/u.test(path), 'File path contains a control character.');
/** A {@link ListenerTls}, strictly. */
export const listenerTlsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('files'), certFile: pathSchema, keyFile: pathSchema, requestClientCert: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('self-signed'), requestClientCert: z.boolean().optional() }),
]);
/** {@link ListenerProfileSettings}, strictly (the `listener` section of a profile). */
export const listenerProfileSettingsSchema = z.strictObject({
  allowNonLoopback: z.boolean().optional(),
  maxClients: z.int().min(1).max(LISTENER_LIMITS.maxClients).optional(),
  maxBytesPerClient: z.int().min(1).max(LISTENER_LIMITS.maxBytesPerClient).optional(),
  tls: listenerTlsSchema.optional(),
  responder: responderSpecSchema.optional(),
});

/** Compiles only while the schemas' types equal the hand-written ones, in both directions. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const listenerSchemasMatchTypes: Same<z.infer<typeof responderSpecSchema>, ResponderSpec> &
  Same<z.infer<typeof listenerTlsSchema>, ListenerTls> = true;
void listenerSchemasMatchTypes;
