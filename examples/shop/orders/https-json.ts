// One JSON call over node:https with an agent (SHOP_SECURITY=mtls: the agent
// presents orders' client certificate and trusts only the test CA; fetch takes
// no agent). Used for https: base URLs; http: ones go through fetch.
import https from 'node:https';

/** What a call answered: its status and its body parsed as JSON (null when it is not JSON). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Options of {@link httpsJson}. */
export interface HttpsJsonInit {
  method: string;
  headers: Record<string, string>;
  /** Request body, already serialised. */
  body?: string;
  agent: https.Agent;
  signal?: AbortSignal;
}

/** Sends one request; rejects on a connection or TLS error, or when `signal` aborts. */
export function httpsJson(url: string, init: HttpsJsonInit): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: init.method,
        headers: init.headers,
        agent: init.agent,
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          } catch {
            // not JSON: body stays null
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
