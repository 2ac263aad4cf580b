// Pact matching rules for gRPC contracts. Consumers write Pact's V3 matchers
// (`Matchers.like`, `regex`, `integer`, `eachLike`, ...); `extractRules` turns a
// value with matchers into the example value plus rules keyed by JSON path
// (`$.items[*].id`), as in a pact file; `matchValue` judges an actual value
// against the example and rules with Pact's semantics: without a rule, values
// must be equal and objects may carry extra keys; `type` checks the JSON type
// (and cascades to children); arrays under `type` rules (eachLike) match every
// element against the first example element, with `min`/`max`.
import type { JsonValue } from '../types.js';

/** One Pact matcher rule as written in a pact file. */
export interface MatcherRule {
  readonly match: string;
  readonly regex?: string;
  readonly min?: number;
  readonly max?: number;
  readonly value?: JsonValue;
}

/** Rules keyed by JSON path (`$`, `$.a`, `$.a[*].b`), as in a pact's `matchingRules.body`. */
export type RuleSet = Record<string, { readonly combine: 'AND'; readonly matchers: MatcherRule[] }>;

/** One difference between expected and actual. */
export interface ValueMismatch {
  /** Path in dotted form below `root`, e.g. `body.items[0].id`. */
  readonly path: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly message: string;
}

const MATCHER_KEY = 'pact:matcher:type';

function isMatcher(value: unknown): value is Record<string, unknown> & { [MATCHER_KEY]: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && MATCHER_KEY in value;
}

/** The example value of `spec` (matchers replaced by their examples) and its rules. */
export function extractRules(spec: unknown): { example: JsonValue; rules: RuleSet } {
  const rules: RuleSet = {};
  const walk = (value: unknown, path: string): JsonValue => {
    if (isMatcher(value)) {
      const type = String(value[MATCHER_KEY]);
      const rule: { -readonly [K in keyof MatcherRule]: MatcherRule[K] } = { match: type };
      if (typeof value.regex === 'string') rule.regex = value.regex;
      if (typeof value.min === 'number') rule.min = value.min;
      if (typeof value.max === 'number') rule.max = value.max;
      if (type === 'include' && typeof value.value === 'string') rule.value = value.value;
      rules[path] = { combine: 'AND', matchers: [rule] };
      // eachLike: the example array; its first element carries the element's own matchers.
      if (Array.isArray(value.value) && (type === 'type' || type === 'min' || type === 'max')) {
        return value.value.map((v) => walk(v, `${path}[*]`));
      }
      return walk(value.value, path);
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    if (value === undefined) return null;
    return value as JsonValue;
  };
  return { example: walk(spec, '$'), rules };
}

function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

// The rule for `path`: an exact entry, or one whose `[*]` covers the index.
function ruleFor(rules: RuleSet, path: string): MatcherRule | undefined {
  const exact = rules[path];
  if (exact) return exact.matchers[0];
  const wildcard = path.replace(/\[\d+\]/g, '[*]');
  return rules[wildcard]?.matchers[0];
}

/**
 * Judges `actual` against `expected` (the example) under `rules`. `display`
 * names the root in mismatch paths (e.g. `body`, `metadata`).
 */
export function matchValue(expected: JsonValue, actual: unknown, rules: RuleSet, display: string): ValueMismatch[] {
  const out: ValueMismatch[] = [];
  const visit = (exp: JsonValue, act: unknown, path: string, shown: string, typeOnly: boolean): void => {
    const rule = ruleFor(rules, path);
    if (act === undefined) {
      out.push({ path: shown, expected: show(exp), message: `${shown} is missing (expected ${show(exp)})` });
      return;
    }
    let byType = typeOnly;
    if (rule) {
      const failed = (message: string): void => {
        out.push({ path: shown, expected: show(exp), actual: show(act), message: `${shown}: ${message}` });
      };
      switch (rule.match) {
        case 'regex':
          if (typeof act !== 'string' || !new RegExp(rule.regex ?? '').test(act)) {
            failed(`expected a value matching /${rule.regex}/, got ${show(act)}`);
            return;
          }
          return;
        case 'integer':
          if (!Number.isInteger(act)) {
            failed(`expected an integer, got ${show(act)}`);
            return;
          }
          return;
        case 'decimal':
        case 'number':
          if (typeof act !== 'number') {
            failed(`expected a number, got ${show(act)}`);
            return;
          }
          return;
        case 'boolean':
          if (typeof act !== 'boolean') {
            failed(`expected a boolean, got ${show(act)}`);
            return;
          }
          return;
        case 'null':
          if (act !== null) {
            failed(`expected null, got ${show(act)}`);
            return;
          }
          return;
        case 'include':
          if (typeof act !== 'string' || !act.includes(String(rule.value ?? exp))) {
            failed(`expected a string including ${show(rule.value ?? exp)}, got ${show(act)}`);
            return;
          }
          return;
        case 'equality':
          byType = false;
          break;
        case 'type':
        case 'min':
        case 'max':
          byType = true;
          if (Array.isArray(act)) {
            if (rule.min !== undefined && act.length < rule.min) {
              failed(`expected at least ${rule.min} element(s), got ${act.length}`);
              return;
            }
            if (rule.max !== undefined && act.length > rule.max) {
              failed(`expected at most ${rule.max} element(s), got ${act.length}`);
              return;
            }
            if (Array.isArray(exp) && exp.length > 0) {
              for (const [i, el] of act.entries()) visit(exp[0]!, el, `${path}[${i}]`, `${shown}[${i}]`, true);
              return;
            }
          }
          break;
        default:
          failed(`unsupported matcher "${rule.match}"`);
          return;
      }
    }
    if (jsonType(exp) !== jsonType(act)) {
      out.push({
        path: shown,
        expected: show(exp),
        actual: show(act),
        message: `${shown}: expected ${jsonType(exp)} ${show(exp)}, got ${jsonType(act)} ${show(act)}`,
      });
      return;
    }
    if (Array.isArray(exp)) {
      const list = act as unknown[];
      if (list.length !== exp.length && !byType) {
        out.push({
          path: shown,
          expected: `${exp.length} element(s)`,
          actual: `${list.length} element(s)`,
          message: `${shown}: expected ${exp.length} element(s), got ${list.length}`,
        });
        return;
      }
      for (const [i, el] of exp.entries()) visit(el, list[i], `${path}[${i}]`, `${shown}[${i}]`, byType);
      return;
    }
    if (typeof exp === 'object' && exp !== null) {
      const obj = act as Record<string, unknown>;
      for (const [key, value] of Object.entries(exp))
        visit(value, obj[key], `${path}.${key}`, `${shown}.${key}`, byType);
      return;
    }
    if (!byType && exp !== act) {
      out.push({
        path: shown,
        expected: show(exp),
        actual: show(act),
        message: `${shown}: expected ${show(exp)}, got ${show(act)}`,
      });
    }
  };
  visit(expected, actual, '$', display, false);
  return out;
}
