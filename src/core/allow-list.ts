import type { Problem } from './errors.js';

/** An address msa-verify connects to or listens on, and the field that names it. */
export interface Address {
  /** Dotted path of the field, e.g. `toxiproxy.url`, `proxies.0.listen`. */
  readonly path: string;
  /** `host:port`. */
  readonly hostPort: string;
  /** True for an address msa-verify listens on (a proxy's `listen`, the OTLP receiver). */
  readonly listen?: boolean;
}

/** True when `hostPort` matches one of the patterns (`*` matches any run of characters, case-insensitive). */
export function targetAllowed(hostPort: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map(escapeRe).join('.*')}$`, 'i').test(hostPort));
}

function escapeRe(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'amqp:': '5672', 'amqps:': '5671' };

/** `host:port` of a URL (default port by scheme; IPv6 hosts in brackets); null when it is not a URL. */
export function hostPortOfUrl(url: string): string | null {
  try {
    const u = new URL(url);
    const port = u.port || DEFAULT_PORTS[u.protocol];
    return u.hostname && port ? `${u.hostname}:${port}` : null;
  } catch {
    return null;
  }
}

/** The address of the URL in field `path`, as a list: empty when there is no value or it is not a URL. */
export function urlAddress(path: string, url: string | undefined): Address[] {
  const hostPort = url === undefined ? null : hostPortOfUrl(url);
  return hostPort ? [{ path, hostPort }] : [];
}

/**
 * One located problem per address outside `allow`. `locate` points at the
 * field in the file (1-based line and column).
 */
export function addressProblems(
  addresses: readonly Address[],
  allow: readonly string[],
  file: string,
  locate: (path: readonly PropertyKey[]) => { line: number; column: number },
): Problem[] {
  return addresses
    .filter((a) => !targetAllowed(a.hostPort, allow))
    .map((a) => ({
      file,
      ...locate(a.path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k))),
      path: a.path,
      message:
        `${a.listen ? 'listening on ' : ''}${a.hostPort} is not in chaos.allowTargets (${allow.join(', ')})` +
        (a.listen && /^(0\.0\.0\.0|\[?::\]?):/.test(a.hostPort)
          ? ': it accepts connections from other machines; add it to chaos.allowTargets to allow that'
          : ''),
    }));
}
