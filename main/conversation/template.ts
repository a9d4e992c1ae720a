/**
 * Conversation templates live in shared/template.ts (the session tab expands the same macros);
 * this module keeps the engine's import path.
 */
export * from '../../shared/template.ts';
