// The preload's evidence for `tls: required` on gRPC client spans: whether a
// grpc-js client's channel is secure, read from real grpc-js credentials
// (a client connects only on its first call, so none is made here), and the
// wrapper that records it as url.scheme on each client span.
import * as grpc from '@grpc/grpc-js';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { describe, expect, it } from 'vitest';
import { channelIsSecure, recordGrpcChannelScheme } from '../../src/instrument/packages/grpc-tls.js';

const clients: grpc.Client[] = [];
function client(credentials: grpc.ChannelCredentials): grpc.Client {
  const c = new grpc.Client('127.0.0.1:1', credentials);
  clients.push(c);
  return c;
}

describe('gRPC channel security on client spans', () => {
  it('tells a TLS channel from an insecure one, and says nothing for a client it cannot read', () => {
    expect(channelIsSecure(client(grpc.credentials.createSsl()))).toBe(true);
    expect(channelIsSecure(client(grpc.credentials.createInsecure()))).toBe(false);
    expect(channelIsSecure({ getChannel: () => ({}) })).toBeUndefined();
    expect(channelIsSecure(null)).toBeUndefined();
    for (const c of clients) c.close();
  });

  it('records url.scheme after the instrumentation’s own net metadata, and warns when it cannot hook', () => {
    const recorded: Record<string, unknown> = {};
    const span = { setAttribute: (k: string, v: unknown) => (recorded[k] = v) } as unknown as Span;
    const instrumentation = {
      extractNetMetadata: (_client: unknown, s: Span) => s.setAttribute('server.port', 1),
    } as unknown as Instrumentation & { extractNetMetadata: (client: unknown, span: Span) => void };
    recordGrpcChannelScheme(instrumentation, () => {});
    const secure = client(grpc.credentials.createSsl());
    instrumentation.extractNetMetadata(secure, span);
    expect(recorded).toEqual({ 'server.port': 1, 'url.scheme': 'https' });
    secure.close();
    const warnings: string[] = [];
    recordGrpcChannelScheme({} as Instrumentation, (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringContaining('gRPC client spans will not show TLS')]);
  });
});
