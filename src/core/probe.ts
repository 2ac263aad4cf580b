import net from 'node:net';

/** Outcome of probing one endpoint. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; detail: string };

/**
 * GETs a URL with a bounded timeout. 2xx is up; anything else, including a
 * refused connection, is down with the reason in `detail`.
 */
export async function probeHttp(
  url: string,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<ProbeResult> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      headers: options.headers ?? {},
    });
    const body = (await res.text()).trim().slice(0, 80);
    if (res.ok) return { ok: true, detail: `HTTP ${res.status}${body ? ` ${body.split('\n')[0]}` : ''}` };
    return { ok: false, detail: `HTTP ${res.status} from ${url}` };
  } catch (error) {
    return { ok: false, detail: `${url}: ${describeNetError(error)}` };
  }
}

/**
 * Opens a TCP connection, optionally writes `hello` and waits for the first
 * bytes. Resolves with what was read (empty when nothing was sent).
 */
export function probeTcp(
  host: string,
  port: number,
  options: { timeoutMs?: number; hello?: Uint8Array } = {},
): Promise<{ ok: true; data: Buffer } | { ok: false; detail: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: { ok: true; data: Buffer } | { ok: false; detail: string }): void => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(options.timeoutMs ?? 2000, () => done({ ok: false, detail: `${host}:${port}: timed out` }));
    socket.once('error', (e) => done({ ok: false, detail: `${host}:${port}: ${describeNetError(e)}` }));
    socket.once('connect', () => {
      if (!options.hello) return done({ ok: true, data: Buffer.alloc(0) });
      socket.write(options.hello);
    });
    socket.once('data', (data) => done({ ok: true, data }));
  });
}

/** Short reason for a network error: the errno code when there is one. */
export function describeNetError(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; name?: string; message?: string };
  if (e?.cause?.code) return e.cause.code;
  if (e?.code) return e.code;
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.message ?? e?.message ?? String(error);
}
