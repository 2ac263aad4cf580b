import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// Pact's core builds a new HTTP client for every state change and every
// request it sends, and each new client loads the system's trust store
// (about 150 certificate files under /etc/ssl/certs, each opened and parsed).
// Measured with strace and perf (docs/benchmarks.md, issue 22): that is about
// half of the core's CPU per interaction. When the core talks only to
// pact-js's local proxy (http://127.0.0.1: no broker, no pact URL, local pact
// files), it needs no trust store at all, so a process that verifies only
// such pacts points the core at a store holding one certificate whose private
// key was discarded when it was made: it can vouch for nothing.

/** A self-signed certificate (CN "msa-verify trusts nothing (key discarded)"); its key no longer exists. */
const NOTHING_TRUSTED_PEM = `-----BEGIN CERTIFICATE-----
MIIBvzCCAWWgAwIBAgIUKjdjutSrNha9kHnqxJ3jhpn5qTEwCgYIKoZIzj0EAwIw
NDEyMDAGA1UEAwwpbXNhLXZlcmlmeSB0cnVzdHMgbm90aGluZyAoa2V5IGRpc2Nh
cmRlZCkwIBcNMjYxMjAyMDgxOTAzWhgPMjEyNjExMDgwODE5MDNaMDQxMjAwBgNV
BAMMKW1zYS12ZXJpZnkgdHJ1c3RzIG5vdGhpbmcgKGtleSBkaXNjYXJkZWQpMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8FGmCic4L38NHzMEScd8PgKFK2z4/saJ
9SZvnG6WB0e7sHUqjZ/19l/t6T3DoyAAncqtv1jbDX5Cwzv93U+JR6NTMFEwHQYD
VR0OBBYEFFXml5zrJiJES4ufUhO7qDYqoDRPMB8GA1UdIwQYMBaAFFXml5zrJiJE
S4ufUhO7qDYqoDRPMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
O9/EHlzT5xww5l6Uxd37urtxPPjiBIApCtzf+WVLOlsCIQCSL+LhrC5SJD5dM/FI
3IUZv0V/zWhfKF+36Lv5rnFgSw==
-----END CERTIFICATE-----
`;

/** Environment variables that point Pact's core at an empty trust store. */
export type CoreTrustStoreEnv = { readonly SSL_CERT_FILE: string; readonly SSL_CERT_DIR: string };

/** Set this to `1` to keep the system trust store for Pact's core whatever it talks to. */
export const SYSTEM_CERTS_VARIABLE = 'MSA_VERIFY_CORE_SYSTEM_CERTS';

/**
 * True when the core talks to nothing but pact-js's local proxy: no broker,
 * every pact source a local file, and the provider reached over plain http
 * (the proxy forwards to it from Node; with `NODE_USE_SYSTEM_CA` Node could
 * read the same variables, so an https provider keeps the system store).
 * A trust store the user set (`SSL_CERT_FILE`, `SSL_CERT_DIR`) is replaced
 * too: the core makes no TLS connection in that case. False when the user
 * asked for the system store (`MSA_VERIFY_CORE_SYSTEM_CERTS=1`), when Node
 * is told to use the system's store (it would read the same variables), and
 * for an https `stateChangeUrl`. The provider module's own code in these
 * processes (and what it starts) sees the variables too.
 */
export function coreNeedsNoTrustStore(
  input: {
    readonly broker: boolean;
    readonly pactSources: readonly string[];
    readonly url?: string;
    readonly stateChangeUrl?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env[SYSTEM_CERTS_VARIABLE] === '1') return false;
  // Node itself reads these variables when told to use the system's store.
  if (env.NODE_USE_SYSTEM_CA === '1' || /--use-(system|openssl)-ca/.test(env.NODE_OPTIONS ?? '')) return false;
  if (input.broker) return false;
  if (input.pactSources.some((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s))) return false;
  if (input.stateChangeUrl?.startsWith('https:')) return false;
  return input.url === undefined || input.url.startsWith('http:');
}

let made: Promise<CoreTrustStoreEnv> | undefined;

/** Writes the empty trust store once per process (in the OS temp folder) and returns its variables. */
export function emptyCoreTrustStore(): Promise<CoreTrustStoreEnv> {
  made ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-trust-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'nothing-trusted.pem');
    await writeFile(file, NOTHING_TRUSTED_PEM);
    const certDir = path.join(dir, 'certs');
    await mkdir(certDir);
    return { SSL_CERT_FILE: file, SSL_CERT_DIR: certDir };
  })();
  return made;
}
