import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body a shop service reads, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Writes `body` as JSON with `status`; ignores a response that is already finished. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Result of reading a JSON body: the value, or why it could not be read. */
export type JsonBody =
  | { kind: 'ok'; value: unknown }
  | { kind: 'malformed'; message: string }
  | { kind: 'too_large'; limitBytes: number };

/** Reads the whole request body (at most `limitBytes`) and parses it as JSON; never throws on bad input. */
export async function readJsonBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) return { kind: 'too_large', limitBytes };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { kind: 'malformed', message: 'empty body: expected a JSON object' };
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'malformed', message: `malformed JSON: ${(error as Error).message}` };
  }
}

/** The inbound `x-correlation-id`, or a new UUID when the request has none (or an unusable one). */
export function correlationIdOf(req: IncomingMessage): string {
  const header = req.headers['x-correlation-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}

/** Path and query of a request, parsed against a dummy base (only the path matters). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://localhost');
}

/**
 * An AbortSignal that aborts when the client goes away before the response
 * was written, so work done for it can stop.
 */
export function clientGoneSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

/** decodeURIComponent that returns undefined instead of throwing on a malformed escape. */
export function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** A request handler; may be async. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Wraps a handler so that nothing it throws crashes the service: an error
 * becomes a logged 500 `{"error":"internal"}` (if nothing was sent yet).
 */
export function safeHandler(handler: Handler, onError: (error: unknown) => void): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      onError(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
      else res.destroy();
    }
  };
}
