// Reference for bench/instrument/run.ts, not part of msa-verify: the least a
// tracer must do per request to meet issue 4's benchmark conditions, written
// without any library so that it costs as little as it can. Per request it
// runs the handler inside an AsyncLocalStorage context, continues or starts a
// trace, accepts or generates a correlation ID and echoes it, and when the
// response finishes writes one SERVER span (ids, name, kind, times, eleven
// attributes) as OTLP/protobuf into a batch; full batches (512 spans, or every
// second) are POSTed to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, one at a time,
// at most 2048 spans waiting. Its throughput is what no preload with 100%
// sampling and export can beat on the same machine by much; msa-verify is
// measured against it as well as against no preload. It has none of the
// safety, configuration, redaction or library coverage of the real preload.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const { AsyncLocalStorage } = require('node:async_hooks');

const storage = new AsyncLocalStorage();
const endpoint = new URL(
  `${(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '')}/v1/traces`,
);
const service = process.env.OTEL_SERVICE_NAME ?? 'floor';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// Up to 64 characters here (msa-verify accepts 128), so that every attribute length fits one byte.
const CORRELATION = /^[A-Za-z0-9._:+/=-]{1,64}$/;
const BATCH = 512;
const QUEUE = 2048;

// Random ids from a pool refilled 16 KiB at a time.
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomBytes(n) {
  if (poolAt + n > pool.length) {
    pool = crypto.randomFillSync(Buffer.allocUnsafe(16384));
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

// Span messages of the open batch, written back to back (each with its ScopeSpans field tag).
let out = Buffer.allocUnsafe(1 << 20);
let at = 0;
let count = 0;
let waiting = 0;
const ready = [];
let sending = false;

function room(n) {
  if (at + n <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + n));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}
function varint(v) {
  while (v > 127) {
    out[at++] = (v & 127) | 128;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
}
function ascii(s) {
  // Attribute text here is ASCII in the bench; anything else goes through Buffer.write.
  const n = Buffer.byteLength(s);
  varint(n);
  if (n === s.length) for (let i = 0; i < n; i++) out[at++] = s.charCodeAt(i);
  else at += out.write(s, at);
}
function bytes(field, b) {
  out[at++] = (field << 3) | 2;
  out[at++] = b.length;
  b.copy(out, at);
  at += b.length;
}
function fixed64(field, ns) {
  out[at++] = (field << 3) | 1;
  const high = Math.floor(ns / 4294967296);
  out.writeUInt32LE(ns - high * 4294967296, at);
  out.writeUInt32LE(high, at + 4);
  at += 8;
}
// KeyValue (span field 9) with a string or an int value; values are cut to 64 characters so lengths fit one byte.
function attr(key, value) {
  out[at++] = 0x4a;
  const kv = at++;
  out[at++] = 0x0a;
  ascii(key);
  out[at++] = 0x12;
  const any = at++;
  if (typeof value === 'number') {
    out[at++] = 0x18;
    varint(value);
  } else {
    out[at++] = 0x0a;
    ascii(value);
  }
  out[any] = at - any - 1;
  out[kv] = at - kv - 1;
}

function writeSpan(s, status) {
  room(2048);
  out[at++] = 0x12; // ScopeSpans.spans
  const start = at;
  at += 2; // two-byte length, filled below
  bytes(1, s.traceId);
  bytes(2, s.spanId);
  if (s.parentId) bytes(4, s.parentId);
  out[at++] = 0x2a;
  ascii(s.method);
  out[at++] = 0x30; // kind
  out[at++] = 2; // SERVER
  fixed64(7, s.start);
  fixed64(8, performance.timeOrigin * 1e6 + performance.now() * 1e6);
  attr('http.request.method', s.method);
  attr('url.scheme', 'http');
  attr('url.path', s.path);
  attr('server.address', s.host);
  attr('server.port', s.port);
  attr('client.address', s.peer);
  attr('network.protocol.version', s.version);
  attr('user_agent.original', s.agent);
  attr('correlation.id', s.correlation);
  attr('http.response.status_code', status);
  attr('http.route', s.path);
  const length = at - start - 2;
  out[start] = (length & 127) | 128;
  out[start + 1] = length >> 7;
  if (++count >= BATCH) seal();
}

function seal() {
  if (count === 0) return;
  // ExportTraceServiceRequest { ResourceSpans { Resource { service.name }, ScopeSpans { scope, spans } } }
  const serviceAttr = Buffer.concat([field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from(service)))]);
  const resource = field(1, field(1, serviceAttr));
  const scopeSpans = field(2, Buffer.concat([field(1, field(1, Buffer.from('floor'))), out.subarray(0, at)]));
  const body = field(1, Buffer.concat([resource, scopeSpans]));
  ready.push({ body, count });
  waiting += count;
  at = 0;
  count = 0;
  pump();
}
// A length-delimited field: tag, varint length, content.
function field(number, content) {
  const head = [(number << 3) | 2];
  let n = content.length;
  while (n > 127) {
    head.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  head.push(n);
  return Buffer.concat([Buffer.from(head), content]);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function pump() {
  if (sending || ready.length === 0) return;
  const batch = ready.shift();
  sending = true;
  const done = () => {
    sending = false;
    waiting -= batch.count;
    pump();
  };
  const request = storage.run(undefined, () =>
    http.request(
      endpoint,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': batch.body.length },
      },
      (response) => {
        response.resume();
        response.on('end', done);
      },
    ),
  );
  request.on('error', done);
  request.end(batch.body);
}
// OTEL_BSP_SCHEDULE_DELAY as the SDK reads it (bench/instrument/instructions.ts sets it high, so that batches fill by count).
setInterval(seal, Number(process.env.OTEL_BSP_SCHEDULE_DELAY) || 1000).unref();

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event !== 'request') return emit.call(this, event, ...args);
  const [request, response] = args;
  const headers = request.headers;
  const parent = TRACEPARENT.exec(headers.traceparent ?? '');
  const inbound = headers['x-correlation-id'];
  const correlation = typeof inbound === 'string' && CORRELATION.test(inbound) ? inbound : crypto.randomUUID();
  const host = headers.host ?? '';
  const colon = host.lastIndexOf(':');
  const url = request.url;
  const q = url.indexOf('?');
  const span = {
    traceId: parent ? Buffer.from(parent[1], 'hex') : randomBytes(16),
    spanId: randomBytes(8),
    parentId: parent ? Buffer.from(parent[2], 'hex') : undefined,
    start: performance.timeOrigin * 1e6 + performance.now() * 1e6,
    method: request.method,
    path: (q < 0 ? url : url.slice(0, q)).slice(0, 64),
    host: (colon < 0 ? host : host.slice(0, colon)).slice(0, 64),
    port: colon < 0 ? 80 : Number(host.slice(colon + 1)),
    peer: (request.socket.remoteAddress ?? '').slice(0, 64),
    version: request.httpVersion,
    agent: (headers['user-agent'] ?? '').slice(0, 64),
    correlation,
  };
  response.setHeader('x-correlation-id', correlation);
  response.once('finish', () => {
    if (waiting + count < QUEUE) writeSpan(span, response.statusCode);
  });
  return storage.run(span, () => emit.call(this, event, ...args));
};
