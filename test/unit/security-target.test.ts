// Which tls/auth settings apply to a URL: the override, then the service with
// the same origin, then the top level; top-level tls only for https:. A bearer
// token from an unset variable is a usage error naming the field and variable.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/core/config/schema.js';
import { securityFor } from '../../src/core/security/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'msav-security-'));
  for (const f of ['ca.pem', 'top.pem', 'top.key', 'svc.pem', 'svc.key']) await writeFile(path.join(dir, f), f);
});

const config = () =>
  ConfigSchema.parse({
    version: 1,
    services: {
      gateway: { url: 'https://127.0.0.1:8443', tls: { ca: 'ca.pem', cert: 'svc.pem', key: 'svc.key' } },
      orders: { url: 'https://127.0.0.1:8444', auth: { bearer: { env: 'ORDERS_TOKEN' } } },
      plain: { url: 'http://127.0.0.1:8081' },
    },
    tls: { ca: 'ca.pem', cert: 'top.pem', key: 'top.key' },
  });

describe('securityFor', () => {
  it("uses the service's own tls for its origin", () => {
    const s = securityFor(config(), dir, 'https://127.0.0.1:8443/api/orders');
    expect(s.from).toBe('services.gateway');
    expect(s.tls?.cert?.toString()).toBe('svc.pem');
    expect(s.auth).toBeUndefined();
  });

  it('falls back to the top-level tls, and reads a bearer token from its variable', async () => {
    const s = securityFor(config(), dir, 'https://127.0.0.1:8444/x', { env: { ORDERS_TOKEN: 't0ken' } });
    expect(s.tls?.cert?.toString()).toBe('top.pem');
    expect(await s.auth?.authorization()).toBe('Bearer t0ken');
    expect(s.auth?.secrets()).toEqual(['t0ken']);
  });

  it('gives no tls to http: URLs', () => {
    expect(securityFor(config(), dir, 'http://127.0.0.1:8081/').tls).toBeUndefined();
  });

  it('lets an override win', () => {
    const s = securityFor(config(), dir, 'https://127.0.0.1:8443/', {
      override: { tls: { ca: 'ca.pem' }, where: 'contracts.providers.gateway' },
    });
    expect(s.from).toBe('contracts.providers.gateway');
    expect(s.tls?.cert).toBeUndefined();
    expect(s.tls?.ca?.toString()).toBe('ca.pem');
  });

  it('an unset bearer variable is MSAV_USAGE naming the field and the variable, at first use only', async () => {
    const s = securityFor(config(), dir, 'https://127.0.0.1:8444/', { env: {} });
    await expect(s.auth!.authorization()).rejects.toMatchObject({
      code: 'MSAV_USAGE',
      message: 'services.orders.auth.bearer.env: environment variable ORDERS_TOKEN is not set',
    });
  });

  it('cert without key is refused by the schema', () => {
    const r = ConfigSchema.safeParse({ version: 1, tls: { cert: 'a.pem' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('give cert and key together (a client certificate needs its key)');
  });
});
