// gateway: the single entry point. Routes /api/orders* to orders and
// /api/products* to products, each with its own timeout.
import type http from 'node:http';
import { createTokenChecker, readAuth } from '../shared/auth.ts';
import { registerSelf } from '../shared/discovery.ts';
import { choiceEnv, intEnv, readConfigOrExit, urlEnv } from '../shared/env.ts';
import { requestUrl, safeHandler, sendJson } from '../shared/http.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { agentFor, createServer, describeSecurity, readSecurity } from '../shared/tls.ts';
import { forward, matchRoute, type Route } from './proxy.ts';

const logger = createLogger('gateway');
const security = readConfigOrExit(logger, readSecurity);
const routes: Route[] = readConfigOrExit(logger, () => {
  const forwardTraceContext = choiceEnv('GATEWAY_FORWARD_TRACEPARENT', ['on', 'off'], 'on') === 'on';
  const withAgent = (route: Route): Route => {
    const agent = agentFor(security, route.target);
    return agent ? { ...route, agent } : route;
  };
  return [
    {
      name: 'orders',
      prefix: '/api/orders',
      target: urlEnv('ORDERS_URL', 'http://127.0.0.1:8081'),
      timeoutMs: intEnv('GATEWAY_ORDERS_TIMEOUT_MS', 3000, 1, 600_000),
      forwardTraceContext,
    },
    {
      name: 'products',
      prefix: '/api/products',
      target: urlEnv('PRODUCTS_URL', 'http://127.0.0.1:8082'),
      timeoutMs: intEnv('GATEWAY_PRODUCTS_TIMEOUT_MS', 1000, 1, 600_000),
      forwardTraceContext,
    },
  ].map(withAgent);
});
logger.info(
  { routes: routes.map(({ agent: _agent, ...route }) => route), ...describeSecurity(security) },
  'configured',
);

// SHOP_AUTH=jwt: every API request needs a valid access token. GATEWAY_AUTH_AUDIENCE_CHECK=off
// is the broken variant that accepts tokens issued for another API.
const auth = readConfigOrExit(logger, () =>
  readAuth(choiceEnv('GATEWAY_AUTH_AUDIENCE_CHECK', ['on', 'off'], 'on') === 'on'),
);
if (auth) logger.info({ auth }, 'access tokens required');
const checkToken = auth ? createTokenChecker(auth, security) : undefined;

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (requestUrl(req).pathname === '/health') return sendJson(res, 200, { status: 'ok' });
  if (checkToken) {
    const token = await checkToken(req);
    if (token.kind === 'unauthorized') {
      res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
      return sendJson(res, 401, { error: 'invalid_token', reason: token.reason });
    }
    // Fail closed: without the identity service's keys no token is taken.
    if (token.kind === 'unavailable') return sendJson(res, 503, { error: 'auth_unavailable', reason: token.reason });
  }
  const route = matchRoute(routes, req.url ?? '/');
  if (route === undefined) return sendJson(res, 404, { error: 'not_found' });
  forward(route, req, res, logger);
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
registration = await registerSelf('gateway', await listen(server, logger), logger);
