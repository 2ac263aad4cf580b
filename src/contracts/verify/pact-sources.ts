import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import { checkPactText, displayPath, type PactFileInfo, pactInvalid } from '../pact-files.js';

// A provider's `pactUrls`: pact files (relative to the config) and http(s)
// URLs, each read and checked before Pact's core sees it, so that a typo or a
// pact for another provider is named instead of verified as nothing.

/** Options for {@link readPactSources}. */
export interface PactSourcesOptions {
  readonly provider: string;
  /** Folder relative files resolve against. */
  readonly baseDir: string;
  /** Folder file names in messages are relative to. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Headers sent when fetching a URL under `brokerUrl` (its authentication). */
  readonly brokerUrl?: string;
  readonly brokerHeaders?: Readonly<Record<string, string>>;
  /** Timeout of each fetch, ms. Default 10000. */
  readonly timeoutMs?: number;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

async function fetchPact(url: string, options: PactSourcesOptions): Promise<string> {
  const headers = options.brokerUrl && url.startsWith(options.brokerUrl) ? { ...options.brokerHeaders } : {};
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (error) {
    throw new MsaVerifyError('MSAV_TARGET_UNREACHABLE', `pact URL ${url} is unreachable: ${describeNetError(error)}`, {
      cause: error,
    });
  }
  const text = await res.text();
  if (!res.ok) throw new MsaVerifyError('MSAV_PACT_INVALID', `pact URL ${url} answered ${res.status}`);
  return text;
}

/**
 * Reads and checks each pact source of one provider.
 * @throws MsaVerifyError `MSAV_PACT_INVALID` (missing file, bad pact, a pact
 *   for another provider), `MSAV_TARGET_UNREACHABLE` (a URL that cannot be fetched).
 */
export async function readPactSources(
  sources: readonly string[],
  options: PactSourcesOptions,
): Promise<PactFileInfo[]> {
  const cwd = options.cwd ?? process.cwd();
  const out: PactFileInfo[] = [];
  for (const source of sources) {
    let text: string;
    let display: string;
    let where: string;
    if (isUrl(source)) {
      display = source;
      where = source;
      text = await fetchPact(source, options);
    } else {
      where = path.resolve(options.baseDir, source);
      display = displayPath(where, cwd);
      try {
        text = await readFile(where, 'utf8');
      } catch (cause) {
        throw new MsaVerifyError(
          'MSAV_PACT_INVALID',
          `contracts.providers.${options.provider}.pactUrls: cannot read ${display}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
          { cause },
        );
      }
    }
    const checked = checkPactText(display, text, where);
    if (!checked.ok) throw pactInvalid(display, checked.problems);
    if (checked.info.provider !== options.provider) {
      const at = checked.info.providerAt ?? { line: 1, column: 1 };
      const message = `a pact for provider "${checked.info.provider}", listed in contracts.providers.${options.provider}.pactUrls`;
      throw new MsaVerifyError('MSAV_PACT_INVALID', `${display}:${at.line}:${at.column}: ${message}`, {
        problems: [{ file: display, ...at, path: 'provider.name', message }],
      });
    }
    out.push(checked.info);
  }
  return out;
}
