import { type Alias, isMap, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { Problem } from './errors.js';

/** A parsed YAML (or JSON) file that can point back at the line of any path. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** Syntax problems; when non-empty, `value` must not be trusted. */
  readonly syntaxProblems: readonly Problem[];
  /**
   * 1-based position of the deepest existing node on `path`: its value, or
   * with `atKey` the key itself (for "unknown key" problems).
   */
  locate(path: readonly PropertyKey[], atKey?: boolean): { line: number; column: number };
}

/** Largest file msa-verify parses, in bytes (UTF-8): 1 MiB. Config and scenario files are a few KB. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** Most alias expansions in one file (a "billion laughs" document needs millions). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text, keeping positions so that schema errors can name a line.
 * Hostile input is a located problem, never a crash: a file above
 * {@link MAX_SOURCE_BYTES} is not parsed, and aliases that expand more than
 * {@link MAX_ALIAS_COUNT} times are refused at the first alias.
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SOURCE_BYTES) {
    return {
      file,
      value: undefined,
      syntaxProblems: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `file too large: ${bytes} bytes, more than the ${MAX_SOURCE_BYTES} bytes msa-verify reads`,
        },
      ],
      locate: () => ({ line: 1, column: 1 }),
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems: Problem[] = doc.errors.map((err) => {
    const pos = lineCounter.linePos(err.pos[0]);
    return { file, line: pos.line, column: pos.col, path: '', message: `YAML syntax error: ${firstLine(err.message)}` };
  });

  const locate = (path: readonly PropertyKey[], atKey = false): { line: number; column: number } => {
    if (atKey && path.length > 0) {
      const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1) as unknown[], true);
      const last = path[path.length - 1];
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last) : undefined;
      if (pair && isNode(pair.key) && pair.key.range) {
        const pos = lineCounter.linePos(pair.key.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    for (let depth = path.length; depth >= 0; depth--) {
      const keyPath = path.slice(0, depth);
      const node = keyPath.length === 0 ? doc.contents : doc.getIn(keyPath as unknown[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: 1, column: 1 };
  };

  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // yaml throws a ReferenceError when aliases expand beyond maxAliasCount.
      let first: Alias | undefined;
      visit(doc, {
        Alias(_, node) {
          first = node;
          return visit.BREAK;
        },
      });
      const pos = lineCounter.linePos(first?.range?.[0] ?? 0);
      syntaxProblems.push({
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} times, e.g. an alias bomb): ${firstLine((error as Error).message)}`,
      });
    }
  }
  return { file, value: syntaxProblems.length > 0 ? undefined : value, syntaxProblems, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
