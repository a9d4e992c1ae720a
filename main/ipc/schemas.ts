/**
 * Runtime schemas for every call's argument. The `Schemas` type ties each schema's output to the
 * contract's argument type, so a contract change that is not mirrored here fails to compile.
 * Objects are strict: unknown keys are rejected rather than passed on (R3: main builds socket
 * options from a whitelist).
 */
import { z } from 'zod';
import { IPC_LIMITS } from '../../shared/contract.ts';
import { SESSION_LIMITS } from '../../shared/session.ts';
import { TLS_FILE_PURPOSES, TLS_LIMITS, TLS_VERSIONS } from '../../shared/tls.ts';
import { DATAGRAM_LIMITS, DATAGRAM_MODES, type DatagramMode } from '../../shared/session-datagram.ts';
import { PROFILE_LIMITS, profileDraftSchema, profileSchema } from '../../shared/profile.ts';
import { LISTENER_IPC_LIMITS } from '../../shared/listener.ts';
import { listenerProfileSettingsSchema, responderSpecSchema } from '../../shared/listener-schema.ts';
import { CONVERSATION_LIMITS, RESERVED_NAMES } from '../../shared/conversation.ts';
import type { Schemas } from './dispatcher.ts';

const empty = z.strictObject({});
const id = z.string().min(1).max(IPC_LIMITS.maxIdChars);
const sessionRef = z.strictObject({ id });
const bytes = z
  .instanceof(Uint8Array)
  .refine((b) => b.byteLength <= IPC_LIMITS.maxSendBytes, {
    message: `at most ${IPC_LIMITS.maxSendBytes} bytes per send; send larger data from a file`,
  });

// Names and paths get their field-naming validation in the engine (checkTlsOptions); here their
// types and sizes. The bounds match the engine's: a path of 4096 characters, a passphrase of 1024.
const tlsPath = z.string().min(1).max(4096);
// A credential file's bytes (web mode: the browser read it), bounded as the engine bounds files.
const tlsBytes = z.instanceof(Uint8Array).refine((b) => b.byteLength <= TLS_LIMITS.maxCredentialFileBytes, {
  message: `a TLS credential file is at most ${TLS_LIMITS.maxCredentialFileBytes} bytes`,
});
const tlsOptions = z.strictObject({
  serverName: z.string().max(1024).optional(),
  verifyName: z.string().max(1024).optional(),
  verify: z.boolean().optional(),
  caFile: tlsPath.optional(),
  caFileOnly: z.boolean().optional(),
  certFile: tlsPath.optional(),
  keyFile: tlsPath.optional(),
  pfxFile: tlsPath.optional(),
  caData: tlsBytes.optional(),
  certData: tlsBytes.optional(),
  keyData: tlsBytes.optional(),
  pfxData: tlsBytes.optional(),
  passphrase: z.string().max(1024).optional(),
  alpn: z.array(z.string().min(1).max(TLS_LIMITS.maxAlpnProtocolBytes)).max(TLS_LIMITS.maxAlpnProtocols).optional(),
  minVersion: z.enum(TLS_VERSIONS).optional(),
  maxVersion: z.enum(TLS_VERSIONS).optional(),
});

const connectOptions = z.strictObject({
  // Host and port get their full, field-naming validation in the engine (shared/endpoint.ts);
  // here only their types and sizes, so both paths give the same messages.
  host: z.string().max(1024),
  port: z.number().int(),
  connectTimeoutMs: z.number().int().min(1).max(SESSION_LIMITS.maxConnectTimeoutMs).optional(),
  idleTimeoutMs: z.number().int().min(0).max(SESSION_LIMITS.maxIdleTimeoutMs).optional(),
  maxResponseBytes: z.number().int().min(1).max(SESSION_LIMITS.maxResponseBytes).optional(),
  finishWhenPeerFinishes: z.boolean().optional(),
  byteStream: z.boolean().optional(),
  tls: tlsOptions.optional(),
});

const datagramOpen = z.strictObject({
  // Host, port and local port get their field-naming validation in the engine (datagram-options.ts).
  host: z.string().max(1024),
  port: z.number().int(),
  localPort: z.number().int().optional(),
  mode: z.enum(DATAGRAM_MODES as [DatagramMode, ...DatagramMode[]]).optional(),
  broadcast: z.boolean().optional(),
  replyWindowMs: z.number().int().min(0).max(DATAGRAM_LIMITS.maxReplyWindowMs).optional(),
  maxDatagrams: z.number().int().min(1).max(DATAGRAM_LIMITS.maxDatagrams).optional(),
  maxResponseBytes: z.number().int().min(1).max(DATAGRAM_LIMITS.maxResponseBytes).optional(),
});
// Group and interface addresses get their checks in the engine (checkGroup); here type and size.
const datagramGroup = z.strictObject({ id, group: z.string().min(1).max(100), interface: z.string().min(1).max(64).optional() });

// Listener settings: the profile's own schemas (shared/listener.ts), so what a profile may hold and
// what a call may ask for are one definition; the engine (checkListenerOptions, compileResponder)
// names the field of anything wrong within them (a regex, a delimiter, a port), as the CLI gets it.
const listenerStart = z.strictObject({
  transport: z.enum(['tcp', 'tls', 'udp']),
  host: z.string().max(1024),
  port: z.number().int(),
  ...listenerProfileSettingsSchema.shape,
});
const responderSpec = responderSpecSchema;
const clientId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const sample = z.instanceof(Uint8Array).refine((b) => b.byteLength <= LISTENER_IPC_LIMITS.maxTestSampleBytes, {
  message: `at most ${LISTENER_IPC_LIMITS.maxTestSampleBytes} bytes of sample`,
});

const importText = z.string().max(IPC_LIMITS.maxImportChars);
const fileName = z.string().max(IPC_LIMITS.maxFileNameChars);
const revision = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
// Folder text gets its field-naming validation in the store; here only its type and size.
const importFolder = z.string().max(1000).nullable().optional();
const importSelect = z.array(z.number().int().min(0).max(PROFILE_LIMITS.maxProfiles)).max(PROFILE_LIMITS.maxProfiles).optional();

// The loader checks the file fully (size in bytes, syntax, every step); here type and size only.
const conversationYaml = z.string().max(CONVERSATION_LIMITS.maxFileBytes);
const conversationVariables = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a variable name has letters, digits and _, and starts with a letter or _')
      .refine((n) => !RESERVED_NAMES.includes(n), 'counter, time, date and random are macros, not variables'),
    z.string().max(CONVERSATION_LIMITS.maxVariableBytes),
  )
  .refine((r) => Object.keys(r).length <= CONVERSATION_LIMITS.maxVariables, `at most ${CONVERSATION_LIMITS.maxVariables} variables`)
  .optional();
const conversationSource = z.strictObject({ yaml: conversationYaml, variables: conversationVariables });

export const CALL_SCHEMAS: Schemas = {
  'app:info': empty,
  'session:open': connectOptions,
  'session:starttls': z.strictObject({ id, tls: tlsOptions }),
  'session:send': z.strictObject({ id, data: bytes, halfClose: z.boolean() }),
  'session:send-file': z.strictObject({ id, halfClose: z.boolean() }),
  'session:half-close': sessionRef,
  'session:close': sessionRef,
  'session:cancel': sessionRef,
  'session:ack': z.strictObject({
    acks: z.array(z.strictObject({ id, through: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })).max(IPC_LIMITS.maxAcks),
  }),
  'session:discard': sessionRef,
  'dialog:pick-tls-file': z.strictObject({ purpose: z.enum(TLS_FILE_PURPOSES) }),
  'session:save-response': z.strictObject({ id, suggestedName: fileName }),
  'datagram:open': datagramOpen,
  'datagram:send': z.strictObject({ id, data: bytes }),
  'datagram:join': datagramGroup,
  'datagram:leave': datagramGroup,
  'datagram:set-broadcast': z.strictObject({ id, on: z.boolean() }),
  'listener:start': listenerStart,
  'listener:stop': sessionRef,
  'listener:clients': sessionRef,
  'listener:send': z.strictObject({ id, clientId: clientId.nullable(), data: bytes }),
  'listener:end-client': z.strictObject({ id, clientId, how: z.enum(['half-close', 'close', 'reset']) }),
  'listener:set-responder': z.strictObject({ id, responder: responderSpec }),
  'listener:test': z.strictObject({ responder: responderSpec, sample, id: id.optional() }),
  'listener:watch': z.strictObject({ id, clientId: clientId.nullable() }),
  'profiles:state': empty,
  'profiles:list': empty,
  'profiles:create': z.strictObject({ draft: profileDraftSchema }),
  'profiles:update': z.strictObject({ id, draft: profileDraftSchema, revision: revision.optional() }),
  'profiles:rename': z.strictObject({ id, name: z.string().max(1000), revision: revision.optional() }),
  'profiles:duplicate': sessionRef,
  'profiles:delete': sessionRef,
  'profiles:restore': z.strictObject({ profile: profileSchema, index: z.number().int().min(0) }),
  'profiles:import-preview': z.strictObject({ text: importText, fileName, folder: importFolder }),
  'profiles:import': z.strictObject({
    text: importText,
    fileName,
    onDuplicate: z.enum(['skip', 'rename', 'replace']),
    select: importSelect,
    folder: importFolder,
  }),
  'profiles:export': z.strictObject({ ids: z.array(id).max(10_000).nullable() }),
  'conversation:check': conversationSource,
  'conversation:run': conversationSource,
  'conversation:cancel': z.strictObject({ runId: id }),
};
