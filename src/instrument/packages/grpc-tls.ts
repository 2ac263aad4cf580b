// Evidence for the `tls: required` trace rule on gRPC client spans.
// @opentelemetry/instrumentation-grpc records the method and the server's
// address, but not whether the channel is secure. grpc-js decides that from
// the channel's credentials: with secure ones it opens its HTTP/2 session to
// `https://host:port` (TLS), with insecure ones to `http://host:port` (in
// clear); it never falls back. So every client span gets `url.scheme` (stable
// semantic convention: the scheme of the connection the call goes over),
// `https` or `http`, read from the credentials of the client's channel. When
// the channel does not say (a custom channel implementation, another grpc-js
// shape), nothing is recorded, and the rule reports that there is no evidence.
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Stable semconv `url.scheme` (ATTR_URL_SCHEME of @opentelemetry/semantic-conventions). */
const URL_SCHEME = 'url.scheme';

type ExtractNetMetadata = (this: unknown, client: unknown, span: Span) => void;

interface ChannelShape {
  internalChannel?: { credentials?: { _isSecure?: () => unknown } };
}

/**
 * Whether the grpc-js client's channel has secure (TLS) credentials; undefined
 * when its channel does not show them. Never throws.
 */
export function channelIsSecure(client: unknown): boolean | undefined {
  try {
    const channel = (client as { getChannel?: () => ChannelShape }).getChannel?.();
    const secure = channel?.internalChannel?.credentials?._isSecure?.();
    return typeof secure === 'boolean' ? secure : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes every gRPC client span of `instrumentation` carry `url.scheme`: its
 * `extractNetMetadata(client, span)` (called once per client span, with the
 * client, by every client path of the instrumentation) is wrapped on the
 * instance. Warns when the instrumentation has no such method.
 */
export function recordGrpcChannelScheme(instrumentation: Instrumentation, warn: (message: string) => void): void {
  const target = instrumentation as unknown as { extractNetMetadata?: ExtractNetMetadata };
  const original = target.extractNetMetadata;
  if (typeof original !== 'function') {
    warn('grpc: this instrumentation version has no extractNetMetadata; gRPC client spans will not show TLS');
    return;
  }
  target.extractNetMetadata = function extractNetMetadata(this: unknown, client: unknown, span: Span): void {
    original.call(this, client, span);
    const secure = channelIsSecure(client);
    if (secure === undefined) return;
    try {
      span.setAttribute(URL_SCHEME, secure ? 'https' : 'http');
    } catch {
      // Telemetry must never break the app.
    }
  };
}
