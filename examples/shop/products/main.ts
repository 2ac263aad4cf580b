// products: the catalogue service.
//   GET /api/products/:id      -> 200 product | 404 {"error":"not_found","id":...}
//   GET /api/products?ids=a,b  -> 200 {"items":[...]} (unknown ids omitted)
import type http from 'node:http';
import { registerSelf } from '../shared/discovery.ts';
import { readConfigOrExit } from '../shared/env.ts';
import { decodePathPart, requestUrl, safeHandler, sendJson } from '../shared/http.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { createServer, describeSecurity, readSecurity } from '../shared/tls.ts';
import { CATALOGUE } from './catalogue.ts';

const logger = createLogger('products');
const security = readConfigOrExit(logger, readSecurity);
logger.info(describeSecurity(security), 'configured');
const MAX_IDS = 100;

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = requestUrl(req);
  const path = url.pathname;
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
  if (path === '/api/products') {
    const ids = (url.searchParams.get('ids') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (ids.length > MAX_IDS) return sendJson(res, 400, { error: 'too_many_ids', max: MAX_IDS });
    const items = [...new Set(ids)].flatMap((id) => CATALOGUE.get(id) ?? []);
    logger.debug({ ids, found: items.length }, 'products listed');
    return sendJson(res, 200, { items });
  }
  const match = /^\/api\/products\/([^/]+)$/.exec(path);
  if (match) {
    const id = decodePathPart(match[1]!);
    if (id === undefined) return sendJson(res, 400, { error: 'invalid_id' });
    const product = CATALOGUE.get(id);
    return product ? sendJson(res, 200, product) : sendJson(res, 404, { error: 'not_found', id });
  }
  return sendJson(res, 404, { error: 'not_found' });
}

const server = createServer(
  security,
  safeHandler(handle, (err) => logger.error({ err }, 'request failed')),
);

let registration: Awaited<ReturnType<typeof registerSelf>> | undefined;
handleShutdown(logger, async () => {
  await registration?.stop();
  await closeServer(server);
});
registration = await registerSelf('products', await listen(server, logger), logger);
