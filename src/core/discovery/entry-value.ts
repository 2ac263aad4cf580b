// The value of a registry entry names one instance: a URL or `host:port`, or a
// JSON object carrying one in `url` (other fields are kept when it is rewritten).

/** The instance an entry names. */
export interface EntryAddress {
  /** Base URL (scheme `http` when the entry was a bare `host:port`). */
  readonly url: string;
  /** `host:port`. */
  readonly hostPort: string;
}

/** Reads the instance address of an entry value; null when it names none. */
export function entryAddress(value: string): EntryAddress | null {
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { url?: unknown };
      return typeof parsed.url === 'string' ? addressOf(parsed.url) : null;
    } catch {
      return null;
    }
  }
  return addressOf(text);
}

/** The value with its instance address replaced by `hostPort` (same scheme and path; other JSON fields kept). */
export function rewriteEntry(value: string, hostPort: string): string {
  const text = value.trim();
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as { url: string };
    return JSON.stringify({ ...parsed, url: replaceHostPort(parsed.url, hostPort) });
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? replaceHostPort(text, hostPort) : hostPort;
}

function addressOf(text: string): EntryAddress | null {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : /^[^\s/]+:\d{1,5}$/.test(text) ? `http://${text}` : null;
  if (!url || !URL.canParse(url)) return null;
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { url: url.replace(/\/+$/, ''), hostPort: `${u.hostname}:${port}` };
}

function replaceHostPort(url: string, hostPort: string): string {
  const u = new URL(url);
  return `${u.protocol}//${hostPort}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
}
