import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
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

/** Parses YAML text, keeping positions so that schema errors can name a line. */
export function parseYamlSource(file: string, text: string): YamlSource {
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

  return {
    file,
    value: syntaxProblems.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 }),
    syntaxProblems,
    locate,
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
