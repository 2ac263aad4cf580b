// How a shop service speaks HTTP: plain (the default) or, with
// SHOP_SECURITY=mtls, TLS both ways with client certificates from the test CA
// (scripts/pki.sh): its server asks for and verifies a client certificate
// signed by SHOP_TLS_CA, and its clients present SHOP_TLS_CERT/SHOP_TLS_KEY and
// verify the server against the same CA.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { choiceEnv, EnvError, stringEnv } from './env.ts';
import type { Handler } from './http.ts';

/** PEM contents (and their file paths, for logs) a service presents and trusts. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  files: { ca: string; cert: string; key: string };
}

/**
 * The service's transport security: how its server listens (`kind`), and the
 * certificate its clients present to https: services (`tls`; set whenever
 * SHOP_TLS_CA is, so a plain-serving service can still call secured ones).
 */
export interface Security {
  kind: 'plain' | 'mtls';
  tls?: TlsMaterial;
}

function fileEnv(name: string): { path: string; content: Buffer } {
  const path = stringEnv(name, '');
  if (path === '') throw new EnvError(`${name} is not set: TLS needs a PEM file here`);
  try {
    return { path, content: readFileSync(path) };
  } catch (error) {
    throw new EnvError(
      `${name}=${JSON.stringify(path)}: cannot read the file (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

/**
 * Reads SHOP_SECURITY (plain | mtls; default plain) and SHOP_TLS_CA,
 * SHOP_TLS_CERT, SHOP_TLS_KEY (required for mtls, optional otherwise).
 */
export function readSecurity(): Security {
  const kind = choiceEnv('SHOP_SECURITY', ['plain', 'mtls'], 'plain');
  if (kind === 'plain' && stringEnv('SHOP_TLS_CA', '') === '') return { kind };
  const ca = fileEnv('SHOP_TLS_CA');
  const cert = fileEnv('SHOP_TLS_CERT');
  const key = fileEnv('SHOP_TLS_KEY');
  return {
    kind,
    tls: {
      ca: ca.content,
      cert: cert.content,
      key: key.content,
      files: { ca: ca.path, cert: cert.path, key: key.path },
    },
  };
}

/** A server for `handler`: node:http, or (mtls) node:https requiring a client certificate from the CA. */
export function createServer(security: Security, handler: Handler): http.Server | https.Server {
  if (security.kind === 'plain' || security.tls === undefined) return http.createServer(handler);
  const { ca, cert, key } = security.tls;
  return https.createServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true }, handler);
}

/**
 * The keep-alive agent for calls to `url`: for https: URLs one that presents
 * this service's certificate and trusts only the CA; undefined for http: URLs
 * (whatever the mode: a plain URL is called in clear, which is what
 * `tls: required` trace rules catch).
 */
export function agentFor(security: Security, url: string): https.Agent | undefined {
  if (new URL(url).protocol !== 'https:') return undefined;
  if (security.tls === undefined) return new https.Agent({ keepAlive: true });
  const { ca, cert, key } = security.tls;
  return new https.Agent({ keepAlive: true, ca, cert, key });
}

/** The description for the service's "configured" log line (file paths only, never contents). */
export function describeSecurity(security: Security): Record<string, string> {
  return { security: security.kind, ...(security.tls ? security.tls.files : {}) };
}
