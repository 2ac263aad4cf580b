// Builds copies of the preload with one piece of its per-request path taken
// out, for `run.ts --variant`: each copy is dist/ with one edit to the compiled
// JavaScript, bundled by scripts/bundle-instrument.ts as the real
// preload is. Measuring the real preload under load next to each copy gives what
// that piece costs where it runs, which a bench of the piece alone does not
// (see docs/benchmarks.md). The copies are for measurement only: each one
// lacks something the preload must do.
// Usage: bash scripts/build && node bench/instrument/ablate.ts [piece ...]
//        node bench/instrument/run.ts --variant no-emit-patch=bench/.variants/no-emit-patch ...
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundlePreload } from '../../scripts/bundle-instrument.ts';

interface Edit {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

const SERVER = 'instrument/http-server/http-server.js';
/** Each piece: what it removes, and the edits that remove it. */
const PIECES: Record<string, { readonly what: string; readonly edits: readonly Edit[] }> = {
  'no-emit-patch': {
    what: "listeners of a traced request/response not run in its context; the span ends from a 'close' listener",
    edits: [
      { file: SERVER, from: 'this.#patch(this.#http.IncomingMessage.prototype', to: 'false && this.#patch(0' },
      { file: SERVER, from: 'this.#patch(this.#http.ServerResponse.prototype', to: 'false && this.#patch(0' },
      {
        file: SERVER,
        from: 'response[PENDING] = pending;',
        to: "response[PENDING] = pending; response.once('close', () => self.#end(response));",
      },
    ],
  },
  'no-processor': {
    what: 'no MsaVerifySpanProcessor: no correlation id stamped on spans, no redaction',
    edits: [
      {
        file: 'instrument/sdk.js',
        from: 'const processors = [new MsaVerifySpanProcessor(settings.redactHeaders, metrics?.record, recent)];',
        to: 'const processors = [];',
      },
    ],
  },
  'no-export': {
    what: 'ended spans neither encoded nor exported',
    edits: [{ file: 'instrument/export/otlp-processor.js', from: 'onEnd(span) {', to: 'onEnd(span) { return;' }],
  },
  'no-send': {
    what: 'the export worker answers each batch without sending it (encoding and hand-off to the worker kept)',
    edits: [{ file: 'instrument/export/export-worker.js', from: 'send(job).then(', to: 'Promise.resolve().then(' }],
  },
  'no-handoff': {
    what: 'sealed batches are not handed to the export worker (encoding and sealing kept)',
    edits: [
      {
        file: 'instrument/export/worker-send.js',
        from: 'send = (batch) => {',
        to: 'send = (batch) => { if (batch) return Promise.resolve();',
      },
    ],
  },
  'no-route': {
    what: 'no fastify/express route hook (span named by method only)',
    edits: [
      {
        file: 'instrument/http-server/fastify-channel.js',
        from: 'export function subscribeFastify(api, core) {',
        to: 'export function subscribeFastify(api, core) { return;',
      },
      {
        file: 'instrument/http-server/express-route.js',
        from: 'if (proto)\n                    patch(proto);',
        to: '',
      },
    ],
  },
  'no-echo': {
    what: 'correlation id not echoed on the response',
    edits: [{ file: SERVER, from: 'response.setHeader(hooks.correlationHeader, id);', to: ';' }],
  },
  'no-extract': {
    what: 'inbound headers not read (no traceparent, baggage or correlation header extracted)',
    edits: [
      {
        file: SERVER,
        from: 'const parent = api.propagation.extract(CHAIN_ROOT, request.headers);',
        to: 'const parent = CHAIN_ROOT;',
      },
    ],
  },
  'no-context': {
    what: "the handler not run in the request's context (no active span inside the app)",
    edits: [
      {
        file: SERVER,
        from: 'return api.context.with(ctx, original, this, ...args);\n            }\n            catch (error) {',
        to: 'return Reflect.apply(original, this, args);\n            }\n            catch (error) {',
      },
    ],
  },
};

// What the floor (floor-preload.cjs) does not do at all, taken out together: correlation ids stamped on every span
// and redaction, route names, and listeners run in the request's context. The floor does extract, echo and run
// the handler in a context, so those stay.
PIECES['features-off'] = {
  what: "no MsaVerifySpanProcessor, no route hook, no emit patches: the floor's feature set",
  edits: [...PIECES['no-processor']!.edits, ...PIECES['no-route']!.edits, ...PIECES['no-emit-patch']!.edits],
};
// Nothing removed: the same build under another name, for an A/A run of the bench.
PIECES.same = { what: 'nothing removed (an A/A copy)', edits: [] };

const root = path.resolve(import.meta.dirname, '../..');
const chosen = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PIECES);
for (const name of chosen) {
  const piece = PIECES[name];
  if (piece === undefined) {
    console.error(`unknown piece ${name}; known: ${Object.keys(PIECES).join(', ')}`);
    process.exit(2);
  }
  const dir = path.join(root, 'bench', '.variants', name);
  rmSync(dir, { recursive: true, force: true });
  // dist/ without its dot-entries (other copies).
  for (const entry of readdirSync(path.join(root, 'dist'))) {
    if (!entry.startsWith('.')) cpSync(path.join(root, 'dist', entry), path.join(dir, entry), { recursive: true });
  }
  for (const edit of piece.edits) {
    const file = path.join(dir, edit.file);
    const text = readFileSync(file, 'utf8');
    const count = text.split(edit.from).length - 1;
    if (count !== 1) throw new Error(`${name}: expected one "${edit.from}" in ${edit.file}, found ${count}`);
    writeFileSync(file, text.replace(edit.from, edit.to));
  }
  await bundlePreload(root, path.join(dir, 'instrument/index.js'), path.join(dir, 'instrument/preload.js'));
  console.log(`bench/.variants/${name}: ${piece.what}`);
}
