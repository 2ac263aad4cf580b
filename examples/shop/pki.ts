// Where the secured shop's certificates are: the throwaway test CA that
// scripts/pki.sh (a step of scripts/setup) makes in .tools/pki.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, type ServiceName } from './service-process.ts';

/** Folder of the test CA and certificates (MSAV_PKI_DIR, default .tools/pki). */
export const PKI_DIR = process.env.MSAV_PKI_DIR ?? path.join(ROOT, '.tools/pki');

/** PEM file paths: the CA to trust and the certificate and key to present. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** A service's own certificate (server and client), trusting the test CA. */
export function serviceTlsFiles(name: ServiceName): TlsFiles {
  return {
    ca: path.join(PKI_DIR, 'ca.crt'),
    cert: path.join(PKI_DIR, `${name}.crt`),
    key: path.join(PKI_DIR, `${name}.key`),
  };
}

/**
 * A client certificate for callers of the shop, trusting the test CA:
 * `client` (msa-verify's, signed by the CA) or `rogue-client` (signed by
 * another CA: the shop must refuse it).
 */
export function clientTlsFiles(which: 'client' | 'rogue-client' = 'client'): TlsFiles {
  return {
    ca: path.join(PKI_DIR, 'ca.crt'),
    cert: path.join(PKI_DIR, `${which}.crt`),
    key: path.join(PKI_DIR, `${which}.key`),
  };
}

/** Reads the files; throws naming the missing one and how to make it. */
export function readTlsFiles(files: TlsFiles): { ca: Buffer; cert: Buffer; key: Buffer } {
  const read = (file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch {
      throw new Error(`${file} is missing: make the test certificates with scripts/pki.sh (a step of scripts/setup)`);
    }
  };
  return { ca: read(files.ca), cert: read(files.cert), key: read(files.key) };
}
