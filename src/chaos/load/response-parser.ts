// Incremental HTTP/1.1 response parser for the raw sender: status line, headers,
// then a body framed by content-length, chunked encoding, or connection close.
// Keeps only the first `snippetBytes` of the body.

/** One parsed response. */
export interface ParsedResponse {
  status: number;
  /** First bytes of the body (up to the snippet size). */
  snippet: Buffer;
  /** False when the server asked to close the connection (or spoke HTTP/1.0 without keep-alive). */
  keepAlive: boolean;
}

type State =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-crlf' }
  | { kind: 'trailers' }
  | { kind: 'until-close' };

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

/** Thrown for bytes that are not an HTTP/1.x response. */
export class ResponseParseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/**
 * Feed bytes with `push`; it returns the responses completed by them. Create
 * one per connection; call `end()` when the connection closes to finish a
 * body delimited by the close (returns it, or undefined when none was pending).
 */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'head' };
  private status = 0;
  private keepAlive = true;
  private snippet: Buffer[] = [];
  private kept = 0;
  private readonly snippetBytes: number;
  /** True while a response has started but is not complete. */
  inProgress = false;

  constructor(snippetBytes = 512) {
    this.snippetBytes = snippetBytes;
  }

  push(chunk: Buffer): ParsedResponse[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const done: ParsedResponse[] = [];
    for (;;) {
      const r = this.step();
      if (r === 'more') break;
      if (r !== 'continue') done.push(r);
    }
    return done;
  }

  end(): ParsedResponse | undefined {
    if (this.state.kind === 'until-close') {
      this.keep(this.buf);
      this.buf = Buffer.alloc(0);
      return this.finish();
    }
    return undefined;
  }

  private keep(b: Buffer): void {
    if (this.kept < this.snippetBytes && b.length > 0) {
      const part = b.subarray(0, this.snippetBytes - this.kept);
      this.snippet.push(Buffer.from(part));
      this.kept += part.length;
    }
  }

  private finish(): ParsedResponse {
    const r = { status: this.status, snippet: Buffer.concat(this.snippet), keepAlive: this.keepAlive };
    this.state = { kind: 'head' };
    this.snippet = [];
    this.kept = 0;
    this.inProgress = false;
    return r;
  }

  private step(): ParsedResponse | 'more' | 'continue' {
    const s = this.state;
    switch (s.kind) {
      case 'head': {
        if (this.buf.length === 0) return 'more';
        this.inProgress = true;
        const end = this.buf.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEAD) throw new ResponseParseError('response head larger than 64 KiB');
          return 'more';
        }
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        const lines = head.split('\r\n');
        const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
        if (!m) throw new ResponseParseError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]?.slice(0, 40))}`);
        this.status = Number(m[2]);
        let length: number | undefined;
        let chunked = false;
        let connection = '';
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i]!;
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          if (name === 'content-length') length = Number(value);
          else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
          else if (name === 'connection') connection = value.toLowerCase();
        }
        this.keepAlive = m[1] === '1' ? connection !== 'close' : connection === 'keep-alive';
        if (this.status >= 100 && this.status < 200) {
          this.inProgress = false;
          return 'continue'; // interim response: the real one follows
        }
        if (this.status === 204 || this.status === 304) return this.finish();
        if (chunked) this.state = { kind: 'chunk-size' };
        else if (length !== undefined && Number.isFinite(length) && length >= 0) {
          if (length === 0) return this.finish();
          this.state = { kind: 'length', remaining: length };
        } else {
          this.keepAlive = false;
          this.state = { kind: 'until-close' };
        }
        return 'continue';
      }
      case 'length': {
        if (this.buf.length === 0) return 'more';
        const n = Math.min(s.remaining, this.buf.length);
        this.keep(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        s.remaining -= n;
        return s.remaining === 0 ? this.finish() : 'more';
      }
      case 'chunk-size': {
        const eol = this.buf.indexOf(CRLF);
        if (eol < 0) return 'more';
        const size = Number.parseInt(this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim(), 16);
        if (Number.isNaN(size)) throw new ResponseParseError('bad chunk size');
        this.buf = this.buf.subarray(eol + 2);
        this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', remaining: size };
        return 'continue';
      }
      case 'chunk-data': {
        if (this.buf.length === 0) return 'more';
        const n = Math.min(s.remaining, this.buf.length);
        this.keep(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        s.remaining -= n;
        if (s.remaining === 0) this.state = { kind: 'chunk-crlf' };
        return 'continue';
      }
      case 'chunk-crlf': {
        if (this.buf.length < 2) return 'more';
        this.buf = this.buf.subarray(2);
        this.state = { kind: 'chunk-size' };
        return 'continue';
      }
      case 'trailers': {
        const eol = this.buf.indexOf(CRLF);
        if (eol < 0) return 'more';
        this.buf = this.buf.subarray(eol + 2);
        return eol === 0 ? this.finish() : 'continue';
      }
      case 'until-close': {
        this.keep(this.buf);
        this.buf = Buffer.alloc(0);
        return 'more';
      }
    }
  }
}
