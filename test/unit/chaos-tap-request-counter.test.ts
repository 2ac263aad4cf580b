import { describe, expect, it } from 'vitest';
import { createRequestLineCounter } from '../../src/chaos/tap/start-tap.js';

describe('tap request-line counter', () => {
  const stream =
    'GET /api/products?ids=p-1 HTTP/1.1\r\nhost: x\r\n\r\n' +
    'POST /api/orders HTTP/1.1\r\ncontent-length: 27\r\n\r\n{"line":"GET / HTTP/1.1"}\n' +
    'DELETE /x HTTP/1.0\r\n\r\n';
  it('counts request heads at any chunk split, not header or body text', () => {
    for (const step of [1, 5, 13, stream.length]) {
      let n = 0;
      const count = createRequestLineCounter(() => n++);
      for (let i = 0; i < stream.length; i += step) count(Buffer.from(stream.slice(i, i + step), 'latin1'));
      expect(n, `split every ${step}`).toBe(3);
    }
  });
  it('counts nothing in a non-HTTP stream', () => {
    let n = 0;
    const count = createRequestLineCounter(() => n++);
    count(Buffer.from('AMQP\x00\x00\x09\x01\r\n binary \n more'));
    expect(n).toBe(0);
  });
});
