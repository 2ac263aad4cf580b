import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_HEADERS, REDACTED, redactAttributes, redactUrl } from '../../src/instrument/redact.ts';

describe('redaction', () => {
  it('redacts default and configured headers in span attributes', () => {
    const attributes: Record<string, unknown> = {
      'http.request.header.authorization': ['Bearer abc'],
      'http.request.header.cookie': ['sid=1'],
      'http.response.header.set-cookie': ['sid=2', 'x=3'],
      'http.request.header.x-api-token': ['t'],
      'http.request.header.accept': ['application/json'],
    };
    redactAttributes(attributes, ['x-api-token']);
    expect(attributes).toEqual({
      'http.request.header.authorization': [REDACTED],
      'http.request.header.cookie': [REDACTED],
      'http.response.header.set-cookie': [REDACTED, REDACTED],
      'http.request.header.x-api-token': [REDACTED],
      'http.request.header.accept': ['application/json'],
    });
  });

  it('redacts common API-key and token headers by default, in HTTP headers, old semconv names and gRPC metadata', () => {
    const attributes: Record<string, unknown> = {
      'http.request.header.x-api-key': ['k1'],
      'http.request.header.api-key': ['k2'],
      'http.request.header.x-auth-token': ['k3'],
      'http.request.header.x-amz-security-token': ['k4'],
      'http.request.header.x_api_key': ['k5'],
      'http.response.header.x-access-token': ['k6'],
      'rpc.grpc.request.metadata.x-goog-api-key': ['k7'],
      'http.request.header.ocp-apim-subscription-key': ['k8'],
      'http.request.header.x-request-id': ['r1'],
    };
    redactAttributes(attributes, []);
    expect(JSON.stringify(attributes)).not.toMatch(/k\d/);
    expect(attributes['http.request.header.x-request-id']).toEqual(['r1']);
    expect(DEFAULT_REDACTED_HEADERS).toEqual(
      expect.arrayContaining(['x-api-key', 'api-key', 'x-auth-token', 'x-amz-security-token']),
    );
  });

  it('redacts query-string secrets and URL credentials, keeps the rest', () => {
    expect(redactUrl('http://u:p@h:1/a?token=1&page=2&api_key=3&X-Amz-Signature=4#f')).toBe(
      `http://${REDACTED}:${REDACTED}@h:1/a?token=${REDACTED}&page=2&api_key=${REDACTED}&X-Amz-Signature=${REDACTED}#f`,
    );
    expect(redactUrl('/path?password=x&q=shoes')).toBe(`/path?password=${REDACTED}&q=shoes`);
    expect(redactUrl('access_token=abc&limit=5')).toBe(`access_token=${REDACTED}&limit=5`);
    expect(redactUrl('/plain/path')).toBe('/plain/path');
    const attributes: Record<string, unknown> = {
      'url.full': 'http://h/?secret=s',
      'messaging.url': 'amqp://guest:pw@h',
    };
    redactAttributes(attributes, []);
    expect(attributes).toEqual({
      'url.full': `http://h/?secret=${REDACTED}`,
      'messaging.url': `amqp://${REDACTED}:${REDACTED}@h`,
    });
  });
  it('leaves the non-header attributes every server span has alone, and redacts every header key form', () => {
    const attributes: Record<string, unknown> = {
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'http.request.headers': 'authorization',
      'http.request.header.': ['empty name'],
      'rpc.grpc.response.metadata.authorization': ['m1'],
      'http.request.metadata.cookie': ['m2'],
      'rpc.grpc.request.header.x-api-key': ['m3'],
    };
    redactAttributes(attributes, []);
    expect(attributes).toEqual({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'http.request.headers': 'authorization',
      'http.request.header.': ['empty name'],
      'rpc.grpc.response.metadata.authorization': [REDACTED],
      'http.request.metadata.cookie': [REDACTED],
      'rpc.grpc.request.header.x-api-key': [REDACTED],
    });
  });

  it('redacts a key exactly when the header-key pattern names a redacted header (any key)', () => {
    const pattern = /^(?:http|rpc\.grpc)\.(?:request|response)\.(?:header|metadata)\.(.+)$/;
    const part = (xs: string[]) => fc.constantFrom(...xs);
    const key = fc
      .tuple(
        part(['http', 'rpc.grpc', 'rpc', 'https', 'http.x', '']),
        part(['.request', '.response', '.req', '.request.x', '']),
        part(['.header', '.metadata', '.headers', '']),
        part(['.authorization', '.cookie', '.accept', '.', '', '.x_api_key', 'authorization']),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(key, (k) => {
        const attributes: Record<string, unknown> = { [k]: 'v' };
        redactAttributes(attributes, []);
        const name = pattern.exec(k)?.[1]?.toLowerCase().replaceAll('_', '-');
        const expected = name !== undefined && DEFAULT_REDACTED_HEADERS.includes(name) ? REDACTED : 'v';
        expect(attributes[k]).toBe(expected);
      }),
    );
  });
});
