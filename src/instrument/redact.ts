// Redaction of secrets in span attributes: captured credential headers
// (Authorization, Cookie, common API-key and token headers) and configured ones, user:password in URLs, and query-string
// parameters whose names look like credentials.

/** Replacement for every redacted value. */
export const REDACTED = 'REDACTED';

/**
 * Headers always redacted when captured (by `MSA_VERIFY_CAPTURE_HEADERS` or an
 * instrumentation): HTTP credentials plus the API-key and token headers of
 * common gateways and clouds (AWS, Azure APIM and Functions, Google, GitLab,
 * Vault) and CSRF tokens. Lower case; `MSA_VERIFY_REDACT_HEADERS` adds more.
 */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-apikey',
  'x-auth-token',
  'x-access-token',
  'x-refresh-token',
  'x-session-token',
  'x-amz-security-token',
  'x-goog-api-key',
  'ocp-apim-subscription-key',
  'x-functions-key',
  'private-token',
  'x-vault-token',
  'x-csrf-token',
  'x-xsrf-token',
];

const DEFAULT_REDACTED = new Set(DEFAULT_REDACTED_HEADERS);

/** Query parameters whose values are replaced (matched case-insensitively against the name). */
const SECRET_PARAM =
  /(?:^|[_-])(?:token|access_token|id_token|refresh_token|secret|client_secret|password|passwd|pwd|api[_-]?key|apikey|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|auth|session|sessionid|code)$/i;

const URL_KEYS = new Set([
  'url.full',
  'http.url',
  'http.target',
  'url.query',
  'url.path',
  'messaging.url',
  'db.connection_string',
]);

/** Redacts in place; `extraHeaders` are lower-case header names. */
export function redactAttributes(attributes: Record<string, unknown>, extraHeaders: readonly string[]): void {
  for (const key in attributes) {
    // Cheap prefix test first: this runs for every attribute of every span.
    const header = mayBeHeader(key) ? headerName(key) : undefined;
    if (header !== undefined) {
      if (DEFAULT_REDACTED.has(header) || extraHeaders.includes(header)) {
        const value = attributes[key];
        attributes[key] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
      }
      continue;
    }
    const value = attributes[key];
    if (typeof value === 'string' && (URL_KEYS.has(key) || key.endsWith('.url')) && needsUrlRedaction(value)) {
      attributes[key] = redactUrl(value);
    }
  }
}

// Prefix test without a regex: every server span has `http.request.method` and
// `http.response.status_code`, which share the header keys' first part but are not headers.
// True exactly for the keys HEADER_KEY can match: (http|rpc.grpc).(request|response).(header|metadata).
function mayBeHeader(key: string): boolean {
  const at = key.startsWith('http.') ? 5 : key.startsWith('rpc.grpc.') ? 9 : -1;
  if (at < 0) return false;
  const rest = key.startsWith('request.', at) ? at + 8 : key.startsWith('response.', at) ? at + 9 : -1;
  return rest > 0 && (key.startsWith('header.', rest) || key.startsWith('metadata.', rest));
}

const HEADER_KEY = /^(?:http|rpc\.grpc)\.(?:request|response)\.(?:header|metadata)\.(.+)$/;

// http.request.header.<name>, http.response.header.<name>, and the old semconv http.request.header.<name_with_underscores>.
function headerName(key: string): string | undefined {
  const match = HEADER_KEY.exec(key);
  return match ? match[1]!.toLowerCase().replaceAll('_', '-') : undefined;
}

function needsUrlRedaction(value: string): boolean {
  return value.includes('=') || value.includes('@');
}

/** Removes user:password and secret query values from a URL or a path?query string. */
export function redactUrl(value: string): string {
  let out = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#\s]*@/i, `$1${REDACTED}:${REDACTED}@`);
  const q = out.indexOf('?');
  if (q < 0 && !value.includes('=')) return out;
  const hash = out.indexOf('#', q + 1);
  const head = q < 0 ? '' : out.slice(0, q + 1);
  const query = q < 0 ? out : out.slice(q + 1, hash < 0 ? undefined : hash);
  const tail = hash < 0 ? '' : out.slice(hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep raw name
      }
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  out = head + redacted + tail;
  return out;
}
