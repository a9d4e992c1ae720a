/**
 * Every user-visible string of the renderer goes through a message key (issue 17). This test reads
 * the sources: `.svelte` files with the Svelte compiler's own parser (markup text, the attributes
 * people read or hear, and the strings inside `{…}` that end up as text), and the script of every
 * `.svelte` and renderer `.ts` file, where it flags string literals that read as words for people
 * (two words or more) outside the places that are not shown (t()'s key, imports, comparisons,
 * selectors, errors thrown for developers, console output).
 *
 * What must stay literal is allow-listed below, and only text that is the same in every language
 * (protocol names, units, key names) belongs there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER = join(ROOT, 'renderer');

/** Text that is the same in every language. Matched against the trimmed literal. */
const ALLOWED = new Set<string>([
  'TCP',
  'TLS',
  'UDP',
  'TLSv1.2',
  'TLSv1.3',
  'UTF-8',
  'Latin-1',
  'ALPN',
  'SNI',
  'IPv4',
  'IPv6',
  'PEM',
  'PFX',
  'Escape',
  'Ctrl',
  '⌘',
  'Alt+1 / 2 / 3',
  'Socket Tester',
  'English',
  '简体中文',
  'SHA-256',
  'h2, http/1.1',
  'LF',
  'CR',
  'CRLF',
  'LF (\\n)',
  'CR (\\r)',
  'CRLF (\\r\\n)',
  'GET / HTTP/1.0\\r\\n\\r\\n',
  '#token=…',
  // Commands and the line web mode prints: typed and matched as they are, in every language.
  'socket-tester web',
  'npm run build && node bin/socket-tester.js web',
  'Socket Tester web UI:',
  // A CSS font shorthand (renderer/main.ts asks for the control-picture font), never shown.
  "1em 'Socket Tester Control Pictures'",
]);

/** Files whose strings are not shown to people (data tables, protocol text). */
const SKIP_FILES = new Set<string>(['renderer/lib/i18n/locales.ts']);

/** Attributes whose text is read or heard by people. */
const SHOWN_ATTRIBUTES = new Set(['title', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'placeholder', 'alt', 'label']);

/** Calls whose string arguments are not shown: keys, selectors, developer errors, logs. */
const NOT_SHOWN_CALLS = new Set(['t', 'hasOwnMessage', 'querySelector', 'querySelectorAll', 'closest', 'matches', 'getElementById', 'Error', 'TypeError', 'RangeError', 'fail', 'addEventListener', 'removeEventListener', 'matchMedia', 'getItem', 'setItem', 'removeItem', 'getAttribute', 'setAttribute', 'call', 'on', 'log', 'warn', 'error', 'info', 'debug', 'postMessage', 'fetch', 'URL', 'URLSearchParams', 'get', 'has', 'set', 'delete', 'encode', 'decode', 'TextDecoder', 'TextEncoder', 'parse', 'test', 'exec', 'replace', 'split', 'join', 'startsWith', 'endsWith', 'includes', 'indexOf', 'padStart', 'RegExp', 'dispatchEvent', 'createElement']);

/** Keys whose values are data, never shown. */
const NOT_SHOWN_KEYS = new Set(['code', 'kind', 'type', 'phase', 'outcome', 'step', 'mode', 'name', 'id', 'key', 'class', 'role', 'href', 'method', 'cache', 'encoding', 'transport', 'view', 'tone', 'direction', 'channel']);

interface Finding {
  file: string;
  line: number;
  text: string;
}

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // The catalogues are where the words live.
      if (p === join(RENDERER, 'lib', 'i18n', 'messages')) continue;
      files(p, out);
    } else if (/\.(svelte|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const hasLetters = (s: string): boolean => /\p{L}/u.test(s);
/**
 * Reads as words for people: two words of two letters or more with white space between them, or
 * one capitalised word ("Cancel"). Identifiers, message keys, channel names and file names do not.
 */
const readsAsWords = (s: string): boolean => /\p{L}{2,}[,.:;!?…’—–()]*\s+[(“"']*\p{L}{2,}/u.test(s.trim()) || /^\p{Lu}\p{Ll}+[.…:]?$/u.test(s.trim());
const allowed = (s: string): boolean => {
  const v = s.trim();
  if (ALLOWED.has(v)) return true;
  // Units, numbers, punctuation, key chords ("Ctrl+Enter"), placeholders of addresses and paths.
  if (/^[\d\s.,:;/()+\-–—…×•↺☰?*<>=#%[\]{}|"'`~!^&_@$]*$/.test(v)) return true;
  if (/^(?:\d+\s*)?(?:B|KiB|MiB|GiB|TiB|ms|s|min)(?:\/s)?$/.test(v)) return true;
  if (/^\/path\//.test(v) || /^(?:\d{1,3}\.){3}\d{1,3}/.test(v)) return true;
  return false;
};

type Node = { type: string; start?: number; [k: string]: unknown };

function lineOf(source: string, offset: number | undefined): number {
  return offset === undefined ? 0 : source.slice(0, offset).split('\n').length;
}

/** Strings in an expression that end up shown: the expression itself, branches, fallbacks, template text. */
function shownStrings(expr: Node | null | undefined, out: Node[]): void {
  if (!expr) return;
  switch (expr.type) {
    case 'Literal':
      if (typeof expr['value'] === 'string') out.push(expr);
      return;
    case 'TemplateLiteral':
      out.push(expr);
      for (const e of expr['expressions'] as Node[]) shownStrings(e, out);
      return;
    case 'ConditionalExpression':
      shownStrings(expr['consequent'] as Node, out);
      shownStrings(expr['alternate'] as Node, out);
      return;
    case 'LogicalExpression':
      shownStrings(expr['left'] as Node, out);
      shownStrings(expr['right'] as Node, out);
      return;
    case 'BinaryExpression':
      if (expr['operator'] === '+') {
        shownStrings(expr['left'] as Node, out);
        shownStrings(expr['right'] as Node, out);
      }
      return;
    default:
      return;
  }
}

function literalText(n: Node): string {
  if (n.type === 'TemplateLiteral') return (n['quasis'] as Node[]).map(literalText).join(' ');
  if (n.type === 'TemplateElement') return String((n['value'] as { cooked?: string; raw: string }).cooked ?? (n['value'] as { raw: string }).raw);
  return String(n['value']);
}

/** String literals in script code that read as words, outside the places that are not shown. */
function scriptFindings(ast: Node, source: string, file: string, out: Finding[]): void {
  const visit = (n: unknown, parent: Node | null, parentKey: string): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const c of n) visit(c, parent, parentKey);
      return;
    }
    const node = n as Node;
    if (typeof node.type !== 'string') return;
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'TSTypeAnnotation':
      case 'TSTypeAliasDeclaration':
      case 'TSInterfaceDeclaration':
      case 'TSAsExpression':
      case 'TSLiteralType':
        if (node.type !== 'TSAsExpression') return;
        break;
      case 'CallExpression':
      case 'NewExpression': {
        const callee = node['callee'] as Node;
        const name = callee.type === 'Identifier' ? String(callee['name']) : callee.type === 'MemberExpression' ? String((callee['property'] as Node)['name'] ?? '') : '';
        visit(callee, node, 'callee');
        if (!NOT_SHOWN_CALLS.has(name) && !(callee.type === 'MemberExpression' && String(((callee['object'] as Node)['name'] as string) ?? '') === 'console')) {
          visit(node['arguments'], node, 'arguments');
        }
        return;
      }
      case 'BinaryExpression':
        if (['===', '!==', '==', '!=', 'in', 'instanceof'].includes(String(node['operator']))) return;
        break;
      case 'SwitchCase':
        visit(node['consequent'], node, 'consequent');
        return;
      case 'Property': {
        const key = node['key'] as Node;
        const keyName = String(key['name'] ?? key['value'] ?? '');
        if (NOT_SHOWN_KEYS.has(keyName)) return;
        visit(node['value'], node, 'value');
        return;
      }
      case 'MemberExpression':
        visit(node['object'], node, 'object');
        if (node['computed']) visit(node['property'], node, 'property');
        return;
      case 'Literal':
        if (typeof node['value'] === 'string' && readsAsWords(node['value']) && !allowed(node['value'])) {
          out.push({ file, line: lineOf(source, node.start), text: node['value'] });
        }
        return;
      case 'TemplateLiteral': {
        // The words around the placeholders, read as one text: `Open ${name} now` reads as words.
        const text = (node['quasis'] as Node[]).map(literalText).join(' ');
        if (readsAsWords(text) && !allowed(text)) out.push({ file, line: lineOf(source, node.start), text });
        visit(node['expressions'], node, 'expressions');
        return;
      }
      default:
        break;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'source' || k === 'loc' || k === 'start' || k === 'end' || k === 'leadingComments' || k === 'trailingComments' || k === 'typeAnnotation' || k === 'returnType' || k === 'typeParameters' || k === 'typeArguments') continue;
      visit(v, node, k);
    }
  };
  visit(ast, null, '');
}

function svelteFindings(source: string, file: string): Finding[] {
  const out: Finding[] = [];
  const ast = parse(source, { modern: true }) as unknown as { fragment: Node; instance: { content: Node } | null; module: { content: Node } | null };
  const push = (n: Node, text: string): void => {
    if (hasLetters(text) && !allowed(text)) out.push({ file, line: lineOf(source, n.start), text: text.trim() });
  };
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const c of n) visit(c);
      return;
    }
    const node = n as Node;
    if (node.type === 'Text') {
      push(node, String(node['data']));
      return;
    }
    if (node.type === 'ExpressionTag') {
      const found: Node[] = [];
      shownStrings(node['expression'] as Node, found);
      for (const f of found) push(f, literalText(f));
      return;
    }
    if (node.type === 'Attribute') {
      if (!SHOWN_ATTRIBUTES.has(String(node['name']))) return;
      const value = node['value'];
      const parts = Array.isArray(value) ? (value as Node[]) : value && typeof value === 'object' ? [value as Node] : [];
      for (const p of parts) {
        if (p.type === 'Text') push(p, String(p['data']));
        else if (p.type === 'ExpressionTag') {
          const found: Node[] = [];
          shownStrings(p['expression'] as Node, found);
          for (const f of found) push(f, literalText(f));
        }
      }
      return;
    }
    if (node.type === 'StyleSheet' || node.type === 'Script') return;
    // style:, class:, bind:, on…: CSS values and code, never text for people.
    if (typeof node.type === 'string' && node.type.endsWith('Directive')) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'metadata' || k === 'loc' || k === 'expression' || k === 'attributes') continue;
      visit(v);
    }
    // Attributes of elements and components, and the text inside {#each}/{#if} blocks, come last.
    if (Array.isArray(node['attributes'])) visit(node['attributes']);
  };
  visit(ast.fragment);
  if (ast.instance) scriptFindings(ast.instance.content, source, file, out);
  if (ast.module) scriptFindings(ast.module.content, source, file, out);
  return out;
}

function tsFindings(source: string, file: string): Finding[] {
  const out: Finding[] = [];
  // The Svelte parser reads TypeScript in a <script lang="ts">: one parser, one tree shape for both.
  const wrapped = `<script lang="ts">${source}</script>`;
  const ast = parse(wrapped, { modern: true }) as unknown as { instance: { content: Node } };
  scriptFindings(ast.instance.content, wrapped, file, out);
  return out;
}

function scan(): Finding[] {
  const out: Finding[] = [];
  for (const path of files(RENDERER)) {
    const file = relative(ROOT, path);
    if (SKIP_FILES.has(file)) continue;
    const source = readFileSync(path, 'utf8');
    out.push(...(path.endsWith('.svelte') ? svelteFindings(source, file) : tsFindings(source, file)));
  }
  return out;
}

describe('every user-visible renderer string is a message key', () => {
  it('finds no literal text outside the allow-list', () => {
    const findings = scan().map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text)}`);
    expect(findings).toEqual([]);
  });

  it('the scanner sees what it should (a check of the check)', () => {
    const sample = `<script lang="ts">
  const a = $derived(x ? 'Reopen the tab' : 'None closed yet');
  const b = t('common.close');
  if (view === 'hex view') go();
  document.querySelector('textarea[aria-label="Payload here"]');
</script>
<p title="Shown title">Hello <b>{cond ? 'Yes there' : 'TCP'}</b> TLS</p>
<input placeholder="type here" aria-label={t('x')} />`;
    const texts = svelteFindings(sample, 'sample.svelte').map((f) => f.text);
    expect(texts.sort()).toEqual(['Hello', 'None closed yet', 'Reopen the tab', 'Shown title', 'Yes there', 'type here'].sort());
  });

  it('in plain TypeScript: shown words are caught, keys, channels and developer errors are not', () => {
    const sample = `import { t } from './i18n/index.ts';
export function words(x: boolean) {
  if (x) throw new Error('this never reaches a user');
  api.call('session:close', {});
  return { label: x ? 'Closed by peer' : t('status.closed'), tone: 'done', detail: \`closed \${x} by us\` };
}`;
    expect(tsFindings(sample, 'sample.ts').map((f) => f.text)).toEqual(['Closed by peer', 'closed   by us']);
  });
});
