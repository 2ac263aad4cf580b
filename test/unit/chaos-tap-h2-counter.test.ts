import { describe, expect, it } from 'vitest';
import { createRequestCounter, H2_PREFACE } from '../../src/chaos/tap/h2-request-counter.ts';
import { createRequestLineCounter } from '../../src/chaos/tap/start-tap.js';

function frame(type: number, stream: number, payload: number): Buffer {
  const b = Buffer.alloc(9 + payload, 0x1); // payload bytes 0x01: would look like HEADERS if misread
  b.writeUIntBE(payload, 0, 3);
  b[3] = type;
  b[4] = 0;
  b.writeUInt32BE(stream, 5);
  return b;
}

// An HTTP/2 client stream as grpc-js writes it: SETTINGS, then per call HEADERS + DATA
// on a new odd stream; a retry is a new stream; WINDOW_UPDATE/PING in between.
const stream = Buffer.concat([
  H2_PREFACE,
  frame(0x4, 0, 18), // SETTINGS
  frame(0x1, 1, 40), // HEADERS: call 1
  frame(0x0, 1, 300), // DATA
  frame(0x8, 0, 4), // WINDOW_UPDATE
  frame(0x1, 3, 12), // HEADERS: call 2 (a retry attempt)
  frame(0x0, 3, 5),
  frame(0x6, 0, 8), // PING
  frame(0x1, 3, 6), // HEADERS again on stream 3 (trailers): not a new request
  frame(0x1, 5, 20), // HEADERS: call 3
]);

describe('tap request counter, HTTP/2 (gRPC)', () => {
  it('counts each new client stream at any chunk split, not trailers or other frames', () => {
    for (const step of [1, 7, 9, 64, stream.length]) {
      let n = 0;
      const count = createRequestCounter(() => n++, createRequestLineCounter);
      for (let i = 0; i < stream.length; i += step) count(stream.subarray(i, i + step));
      expect(n, `split every ${step}`).toBe(3);
    }
  });

  it('still counts HTTP/1.1 request lines when there is no preface', () => {
    let n = 0;
    const count = createRequestCounter(() => n++, createRequestLineCounter);
    count(Buffer.from('GET /a HTTP/1.1\r\nhost: x\r\n\r\nPOST /b HTTP/1.1\r\n\r\n', 'latin1'));
    expect(n).toBe(2);
  });
});
