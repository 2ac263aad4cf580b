import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { httpsJson } from '../../examples/shop/orders/https-json.ts';
import { clientTls, fetchToken } from '../../examples/shop/tokens.ts';
import { waitFor } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';
import { anOrder, timedJson } from './shop-support.js';

// The launcher's promises: the services die with the process that started
// them, even when it is killed outright; `examples/shop/run up|down` runs the
// shop in the background and describes it in shop.env.
const { RABBITMQ_URL } = serviceUrls();

/**
 * `examples/shop/run` in its own run folder, on free ports, with its own exchange and queue
 * (`extraEnv` added), stopped and cleaned up after the describe block it is called in.
 */
function backgroundShop(prefix: string, extraEnv: Record<string, string>) {
  const runDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const id = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    SHOP_RUN_DIR: runDir,
    SHOP_PORTS: 'any',
    SHOP_EXCHANGE: `${id}.events`,
    SHOP_DELIVERY_QUEUE: `${id}.delivery`,
    RABBITMQ_URL,
    ...extraEnv,
  };
  const run = (action: string) =>
    spawnSync(path.join(ROOT, 'examples/shop/run'), [action], { env, encoding: 'utf8', timeout: 60_000 });
  afterAll(async () => {
    run('down');
    rmSync(runDir, { recursive: true, force: true });
    const connection = await amqp.connect(RABBITMQ_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(env.SHOP_DELIVERY_QUEUE);
    await channel.deleteExchange(env.SHOP_EXCHANGE);
    await connection.close();
  });
  return { runDir, run };
}

async function reachable(url: string): Promise<boolean> {
  return fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
}

describe('shop launcher', () => {
  it('services die with the launching process, even on SIGKILL (the Python inventory too)', async () => {
    const script = `
      import { startShop, uniqueMessaging } from ${JSON.stringify(path.join(ROOT, 'examples/shop/launcher.ts'))};
      const shop = await startShop({ rabbitmqUrl: ${JSON.stringify(RABBITMQ_URL)}, messaging: uniqueMessaging('shop-kill'), inventory: true });
      console.log(JSON.stringify({ urls: shop.urls, messaging: shop.messaging }));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    parent.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor(() => out.includes('"urls"'), 30_000);
    } catch (error) {
      parent.kill('SIGKILL');
      throw new Error(`launcher script did not start the shop: ${out}`, { cause: error });
    }
    const { urls, messaging } = JSON.parse(out.slice(out.indexOf('{'))) as {
      urls: Record<string, string>;
      messaging: { exchange: string; deliveryQueue: string };
    };
    expect(Object.keys(urls).sort()).toEqual(['delivery', 'gateway', 'inventory', 'orders', 'products']);
    for (const url of Object.values(urls)) expect(await reachable(url)).toBe(true);

    parent.kill('SIGKILL');
    await waitFor(async () => {
      const up = await Promise.all(Object.values(urls).map(reachable));
      return up.every((u) => !u);
    }, 10_000);

    // The killed launcher could not delete its messaging names; do it here.
    const connection = await amqp.connect(RABBITMQ_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(messaging.deliveryQueue);
    await channel.deleteExchange(messaging.exchange);
    await connection.close();
  });

  describe('examples/shop/run up|down', () => {
    const { runDir, run } = backgroundShop('shop-run', {});

    it('up writes shop.env with working addresses; down stops everything and removes it', async () => {
      const up = run('up');
      expect(up.status, up.stderr).toBe(0);
      const file = path.join(runDir, 'shop.env');
      const vars = Object.fromEntries(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const name of ['SHOP_GATEWAY_URL', 'SHOP_ORDERS_URL', 'SHOP_PRODUCTS_URL', 'SHOP_DELIVERY_URL']) {
        expect(vars[name], name).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      }
      const created = await timedJson(`${vars.SHOP_GATEWAY_URL}/api/orders`, { body: anOrder() });
      expect(created.status).toBe(201);
      await waitFor(
        async () => (await timedJson(`${vars.SHOP_DELIVERY_URL}/api/deliveries/${created.body.id}`)).status === 200,
        10_000,
      );
      expect(run('status').status).toBe(0);

      const down = run('down');
      expect(down.status, down.stderr).toBe(0);
      expect(() => readFileSync(file)).toThrow();
      for (const name of ['SHOP_GATEWAY_URL', 'SHOP_ORDERS_URL', 'SHOP_PRODUCTS_URL', 'SHOP_DELIVERY_URL']) {
        expect(await reachable(vars[name]!)).toBe(false);
      }
      expect(run('status').status).toBe(1);
    });
  });

  describe('SHOP_SECURITY=mtls SHOP_AUTH=jwt examples/shop/run up', () => {
    const { runDir, run } = backgroundShop('shop-run-auth', {
      SHOP_SECURITY: 'mtls',
      SHOP_AUTH: 'jwt',
      SHOP_INVENTORY: '0',
      KAFKA_BROKERS: '',
    });

    it('starts the identity service, whose tokens the gateway requires; its secret is kept out of shop.env and stdout', async () => {
      const up = run('up');
      expect(up.status, up.stderr).toBe(0);
      const text = readFileSync(path.join(runDir, 'shop.env'), 'utf8');
      const vars = Object.fromEntries(
        text
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(vars.SHOP_IDENTITY_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(vars.SHOP_TOKEN_URL).toBe(`${vars.SHOP_IDENTITY_URL}/token`);
      const secretFile = path.join(runDir, 'shop.secret.env');
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      const secret = /^SHOP_CLIENT_SECRET=(.+)$/m.exec(readFileSync(secretFile, 'utf8'))![1]!;
      expect(`${up.stdout}${up.stderr}${text}`).not.toContain(secret);

      const identity = {
        url: vars.SHOP_IDENTITY_URL!,
        tokenUrl: vars.SHOP_TOKEN_URL!,
        clientSecret: secret,
        audience: vars.SHOP_AUTH_AUDIENCE!,
        otherAudience: '',
      };
      const token = await fetchToken({ identity }, 'shop-load');
      const agent = new https.Agent(clientTls);
      const order = (headers: Record<string, string>) =>
        httpsJson(`${vars.SHOP_GATEWAY_URL}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(anOrder()),
          agent,
        });
      expect((await order({})).status).toBe(401);
      expect((await order({ authorization: `Bearer ${token}` })).status).toBe(201);
      agent.destroy();

      expect(run('down').status).toBe(0);
      expect(() => statSync(secretFile)).toThrow();
    });
  });
});
