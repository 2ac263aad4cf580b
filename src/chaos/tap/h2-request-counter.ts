// Counting requests in an HTTP/2 client stream (gRPC): after the connection
// preface, every HEADERS frame that opens a new client stream is one request
// (for gRPC, one call attempt: grpc-js retries open new streams). Frames are
// skipped by their length, payloads are never buffered.

/** The client connection preface every HTTP/2 connection starts with. */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const FRAME_HEADER = 9;
const HEADERS = 0x1;

/** Calls `onRequest` for each new stream the client opens; feed it the stream after the preface. */
export function createH2StreamCounter(onRequest: () => void): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let skip = 0;
  let highest = 0;
  return (chunk: Buffer): void => {
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      const need = FRAME_HEADER - header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (header.length < FRAME_HEADER) return;
      const length = header.readUIntBE(0, 3);
      const type = header[3];
      const stream = header.readUInt32BE(5) & 0x7fffffff;
      // Client streams are odd and increase; a HEADERS frame on an older stream is trailers.
      if (type === HEADERS && stream > highest) {
        highest = stream;
        onRequest();
      }
      skip = length;
      header = Buffer.alloc(0);
    }
  };
}

/**
 * Counts requests in a client stream of either HTTP version: HTTP/2 (the
 * preface decides) by new streams, otherwise HTTP/1.x by request lines
 * (`h1`). Other protocols count nothing.
 */
export function createRequestCounter(
  onRequest: () => void,
  h1: (onRequest: () => void) => (chunk: Buffer) => void,
): (chunk: Buffer) => void {
  let head: Buffer = Buffer.alloc(0);
  let count: ((chunk: Buffer) => void) | undefined;
  return (chunk: Buffer): void => {
    if (count) {
      count(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    if (!head.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
      count = h1(onRequest);
      count(head);
      return;
    }
    if (head.length < H2_PREFACE.length) return;
    count = createH2StreamCounter(onRequest);
    count(head.subarray(H2_PREFACE.length));
  };
}
