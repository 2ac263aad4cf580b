import { describe, expect, it } from 'vitest';
import { type ParsedResponse, ResponseParser } from '../../src/chaos/load/response-parser.js';

const wire = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n',
  'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
].join('');

function feed(parser: ResponseParser, bytes: Buffer, step: number): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(...parser.push(bytes.subarray(i, i + step)));
  return out;
}

describe('ResponseParser', () => {
  it('parses length, chunked, interim, no-body and close-marked responses at any split', () => {
    const bytes = Buffer.from(wire, 'latin1');
    for (const step of [1, 2, 3, 7, 64, bytes.length]) {
      const got = feed(new ResponseParser(), bytes, step).map((r) => [r.status, r.snippet.toString(), r.keepAlive]);
      expect(got, `split every ${step} bytes`).toEqual([
        [200, 'hello', true],
        [201, 'abcde', true],
        [204, '', true],
        [503, '{}', false],
      ]);
    }
  });

  it('keeps only the snippet size of a body and reads close-delimited bodies on end()', () => {
    const p = new ResponseParser(4);
    expect(p.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nabcdefgh'))).toEqual([]);
    expect(p.inProgress).toBe(true);
    const last = p.end();
    expect(last?.snippet.toString()).toBe('abcd');
    expect(last?.keepAlive).toBe(false);
    const q = new ResponseParser(4);
    expect(q.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nabcdefgh'))[0]?.snippet.toString()).toBe(
      'abcd',
    );
  });

  it('rejects bytes that are not an HTTP/1.x response', () => {
    expect(() => new ResponseParser().push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(
      /not an HTTP\/1.x status line/,
    );
    expect(() =>
      new ResponseParser().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')),
    ).toThrow(/bad chunk size/);
  });
});
