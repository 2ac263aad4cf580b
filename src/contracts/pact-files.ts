import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MsaVerifyError, type Problem } from '../core/errors.js';

/** What a pact file holds, as far as verification needs to know before running. */
export interface PactFileInfo {
  /** Absolute path. */
  readonly file: string;
  readonly consumer: string;
  readonly provider: string;
  /** `http` when every interaction is HTTP, `message` when every one is a message, else `mixed`. */
  readonly kind: 'http' | 'message' | 'mixed';
  readonly interactions: number;
}

const MESSAGE_TYPES = new Set(['Asynchronous/Messages', 'Synchronous/Messages']);

/** Line and column (1-based) of a character offset. */
function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function invalid(display: string, problems: Problem[]): MsaVerifyError {
  return new MsaVerifyError('MSAV_PACT_INVALID', `${display}: not a valid pact file (${problems[0]?.message})`, {
    problems,
  });
}

/**
 * Reads and checks one pact file: JSON syntax, `consumer.name`,
 * `provider.name`, and `interactions[i].description`/`type`.
 * @throws MsaVerifyError `MSAV_PACT_INVALID` naming the file, field and position.
 */
export async function readPactFile(file: string, cwd = process.cwd()): Promise<PactFileInfo> {
  const display = path.relative(cwd, file) || file;
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const pos = /position (\d+)/.exec(message);
    const where = pos ? locate(text, Number(pos[1])) : { line: 1, column: 1 };
    throw invalid(display, [{ file: display, ...where, path: '', message: `malformed JSON: ${message}` }]);
  }
  const at = (p: string, message: string): Problem => ({ file: display, line: 1, column: 1, path: p, message });
  const problems: Problem[] = [];
  const obj = (doc ?? {}) as Record<string, unknown>;
  const name = (key: 'consumer' | 'provider'): string => {
    const v = (obj[key] as { name?: unknown } | undefined)?.name;
    if (typeof v !== 'string' || v === '') problems.push(at(`${key}.name`, 'expected a non-empty string'));
    return typeof v === 'string' ? v : '';
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalid(display, [at('', 'expected a JSON object')]);
  }
  const consumer = name('consumer');
  const provider = name('provider');
  const list = obj.interactions ?? obj.messages;
  let http = 0;
  let message = 0;
  if (!Array.isArray(list)) {
    problems.push(at('interactions', 'expected an array of interactions'));
  } else {
    list.forEach((i, n) => {
      const it = (i ?? {}) as Record<string, unknown>;
      if (typeof it.description !== 'string') problems.push(at(`interactions.${n}.description`, 'expected a string'));
      const isMessage =
        obj.messages !== undefined || (typeof it.type === 'string' && MESSAGE_TYPES.has(it.type)) || 'contents' in it;
      if (isMessage) message += 1;
      else {
        http += 1;
        if (typeof (it.request as { method?: unknown } | undefined)?.method !== 'string') {
          problems.push(at(`interactions.${n}.request.method`, 'expected a string'));
        }
      }
    });
  }
  if (problems.length > 0) throw invalid(display, problems);
  const kind = message === 0 ? 'http' : http === 0 ? 'message' : 'mixed';
  return { file, consumer, provider, kind, interactions: http + message };
}

/** Reads every `*.json` pact file in a folder (sorted by name). A missing folder yields none. */
export async function readPactDir(dir: string, cwd = process.cwd()): Promise<PactFileInfo[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: PactFileInfo[] = [];
  for (const n of names) out.push(await readPactFile(path.join(dir, n), cwd));
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
    file: path.relative(cwd, p.file) || p.file,
    line: 1,
    column: 1,
    path: 'provider.name',
    message: `provider "${p.provider}" is not in contracts.providers (known: ${known.join(', ') || 'none'})`,
  }));
  throw new MsaVerifyError(
    'MSAV_UNKNOWN_PROVIDER',
    `${problems[0]?.file}: pact for unknown provider "${unknown[0]?.provider}"`,
    { problems },
  );
}
