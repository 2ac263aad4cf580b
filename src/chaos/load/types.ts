// Shapes shared by the load generator and the chaos runner (agreed interface:
// extend with optional fields only).

/** One request of the load; requests of a plan are sent round-robin. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, appended to {@link LoadPlan.target}, e.g. `/api/orders`. */
  path: string;
  /** JSON-serialised when not a string; sent with `content-type: application/json`. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A constant-arrival-rate (open model) load. */
export interface LoadPlan {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  target: string;
  /** Sent round-robin. */
  requests: RequestSpec[];
  /** Constant arrival rate in requests per second (open model: independent of responses). */
  ratePerSec: number;
  /** Length of the schedule in milliseconds; `floor(durationMs * ratePerSec / 1000)` requests are scheduled. */
  durationMs: number;
  /** Client-side give-up per request, in milliseconds. */
  timeoutMs: number;
  /** Default 1000; requests beyond are counted as dropped errors, not queued forever. */
  maxInFlight?: number;
  /** Added to every request (run id baggage etc.). */
  headers?: Record<string, string>;
  /** CA to trust and client certificate to present for an https: target (extension). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /**
   * The `Authorization` header value, asked for every request (extension), so
   * that a token replaced during the run is used from then on. A request with
   * its own `authorization` header keeps it.
   */
  authorization?: () => string;
  /**
   * With a `grpc://host:port` target (extension): the .proto declaring the
   * methods; each request's `path` is a method path (`/pkg.Service/Method`),
   * its `body` the request message as JSON.
   */
  proto?: string;
}

/** What the generator measured for one scheduled request. */
export interface RequestSample {
  seq: number;
  /** Epoch ms when the schedule said to send (coordinated-omission correction). */
  intendedAt: number;
  /** Epoch ms actually sent. */
  startedAt: number;
  /** Completion - intendedAt, in ms. */
  latencyMs: number;
  /** Completion - startedAt, in ms. */
  serviceTimeMs: number;
  /** HTTP status; 0 = transport error / client timeout / dropped. */
  status: number;
  /** `'timeout' | 'dropped' | 'aborted'` or an errno code such as `ECONNRESET`. */
  error?: string;
  /** Sent as `x-correlation-id`; unique per request. */
  correlationId: string;
  /** First 512 bytes of the response body (UTF-8). */
  bodySnippet?: string;
  /** Method of the request sent (extension: set by runLoad). */
  method?: string;
  /** Path of the request sent, as in its {@link RequestSpec} (extension: set by runLoad). */
  path?: string;
}

/** Options of {@link runLoad}. */
export interface LoadRunOptions {
  /** Aborting stops the schedule and aborts requests in flight (recorded with error `aborted`). */
  signal?: AbortSignal;
  /** Called once per sample, as soon as it is complete. */
  onSample?: (s: RequestSample) => void;
  /**
   * HTTP client (extension): `raw` (default, a lean keep-alive HTTP/1.1 client, over
   * TLS for https:) or `node-http` (node:http(s) with a keep-alive agent).
   */
  client?: 'raw' | 'node-http';
}
