import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MsaVerifyError, type Problem } from '../core/errors.js';
import { validateSource } from '../core/validate.js';
import { parseYamlSource } from '../core/yaml-source.js';
import { MESSAGE_INTERACTION_TYPES, pactSchemaFor, pactSpecVersion } from './pact-schema.js';

/** What a pact file holds, as far as verification needs to know before running. */
export interface PactFileInfo {
  /** Absolute path, or the URL it came from. */
  readonly file: string;
  readonly consumer: string;
  readonly provider: string;
  /** `http` when every interaction is HTTP, `message` when every one is a message, else `mixed`. */
  readonly kind: 'http' | 'message' | 'mixed';
  readonly interactions: number;
  /** 1-based position of `provider.name` in the file. */
  readonly providerAt?: { readonly line: number; readonly column: number };
}

/** Outcome of {@link checkPactText}: the pact's facts, or located problems. */
export type PactCheck =
  | { readonly ok: true; readonly info: PactFileInfo }
  | { readonly ok: false; readonly problems: Problem[] };

/** A path as the user would write it: relative below `cwd`, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Line and column (1-based) of a character offset. */
function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Where a JSON.parse error is: Node names the position (and, since 22, line and column). */
function syntaxPosition(text: string, message: string): { line: number; column: number } {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (pos) return locate(text, Number(pos[1]));
  // "Unexpected end of JSON input": the end of the text.
  return locate(text, text.length);
}

/**
 * Checks the text of one pact file: JSON syntax (with line and column) and
 * the V1-V4 shape (every problem located at its line and column).
 * @param display the file name (or URL) problems are reported under.
 * @param absolute the path (or URL) recorded in the result. Default `display`.
 */
export function checkPactText(display: string, text: string, absolute = display): PactCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      problems: [{ file: display, ...syntaxPosition(text, message), path: '', message: `malformed JSON: ${message}` }],
    };
  }
  // Positions come from a second, position-keeping parse (JSON is YAML).
  const source = parseYamlSource(display, text);
  const at = (p: readonly PropertyKey[], message: string): Problem => ({
    file: display,
    ...source.locate(p),
    path: p.map(String).join('.'),
    message,
  });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, problems: [at([], 'expected a JSON object (a pact file)')] };
  }
  const obj = doc as Record<string, unknown>;
  const version = pactSpecVersion(obj);
  const schema = pactSchemaFor(version);
  if (!schema) {
    return {
      ok: false,
      problems: [
        at(['metadata', 'pactSpecification', 'version'], `unsupported pact specification ${version} (expected 1 to 4)`),
      ],
    };
  }
  const checked = validateSource({ ...source, syntaxProblems: [] }, schema, doc);
  if (!checked.ok) return { ok: false, problems: checked.problems };
  const list = (obj.interactions ?? obj.messages) as Record<string, unknown>[];
  let message = 0;
  for (const it of list) {
    const isMessage =
      obj.messages !== undefined ||
      (typeof it.type === 'string' && MESSAGE_INTERACTION_TYPES.has(it.type)) ||
      (it.type === undefined && 'contents' in it);
    if (isMessage) message += 1;
  }
  const http = list.length - message;
  const kind = message === 0 ? 'http' : http === 0 ? 'message' : 'mixed';
  return {
    ok: true,
    info: {
      file: absolute,
      consumer: (obj.consumer as { name: string }).name,
      provider: (obj.provider as { name: string }).name,
      kind,
      interactions: list.length,
      providerAt: source.locate(['provider', 'name']),
    },
  };
}

/** The problems as the error {@link readPactFile} throws. */
export function pactInvalid(display: string, problems: readonly Problem[]): MsaVerifyError {
  const first = problems[0];
  const where = first ? `:${first.line}:${first.column}` : '';
  const what = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'no details';
  return new MsaVerifyError('MSAV_PACT_INVALID', `${display}${where}: not a valid pact file: ${what}`, { problems });
}

/**
 * Reads and checks one pact file: JSON syntax and the V1-V4 shape.
 * @throws MsaVerifyError `MSAV_PACT_INVALID` naming the file, field, line and column.
 */
export async function readPactFile(file: string, cwd = process.cwd()): Promise<PactFileInfo> {
  const display = displayPath(file, cwd);
  const checked = checkPactText(display, await readFile(file, 'utf8'), file);
  if (!checked.ok) throw pactInvalid(display, checked.problems);
  return checked.info;
}

/** The `*.json` files of a folder, sorted by name; undefined when the folder does not exist. */
export async function pactFilesIn(dir: string): Promise<string[] | undefined> {
  try {
    return (
      (await readdir(dir))
        // gRPC contracts (`*.grpc.json`) are msa-verify's own: see grpc/contract-file.ts.
        .filter((n) => n.endsWith('.json') && !n.endsWith('.grpc.json'))
        .sort()
        .map((n) => path.join(dir, n))
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads every `*.json` pact file in a folder (sorted by name). A missing folder yields none. */
export async function readPactDir(dir: string, cwd = process.cwd()): Promise<PactFileInfo[]> {
  const out: PactFileInfo[] = [];
  for (const f of (await pactFilesIn(dir)) ?? []) out.push(await readPactFile(f, cwd));
  return out;
}

/**
 * Checks that every pact's provider is configured.
 * @throws MsaVerifyError `MSAV_UNKNOWN_PROVIDER` naming the file and `provider.name`.
 */
export function checkProvidersKnown(
  pacts: readonly PactFileInfo[],
  known: readonly string[],
  cwd = process.cwd(),
): void {
  const unknown = pacts.filter((p) => !known.includes(p.provider));
  if (unknown.length === 0) return;
  const problems = unknown.map((p) => ({
    file: displayPath(p.file, cwd),
    line: p.providerAt?.line ?? 1,
    column: p.providerAt?.column ?? 1,
    path: 'provider.name',
    message: `provider "${p.provider}" is not in contracts.providers (known: ${known.join(', ') || 'none'})`,
  }));
  throw new MsaVerifyError(
    'MSAV_UNKNOWN_PROVIDER',
    `${problems[0]?.file}: pact for unknown provider "${unknown[0]?.provider}"`,
    { problems },
  );
}
