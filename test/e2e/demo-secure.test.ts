// MSAV_DEMO_SECURITY=mtls: the demo on the secured shop (scripts/demo-secure.ts,
// after the set-up the global setup has done) runs doctor, contracts, chaos on an
// mTLS hop, the auth scenarios (the skip-audience gateway failing as expected)
// and a trace check with tls: required, and prints no token or client secret.
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runNodeScript } from '../support/cli.js';

it('the secured demo passes end to end', async () => {
  const reports = await mkdtemp(path.join(os.tmpdir(), 'msav-demo-secure-'));
  const { code, output } = await runNodeScript('scripts/demo-secure.ts', { MSAV_DEMO_REPORTS: reports });
  expect(code, output.slice(-4000)).toBe(0);
  for (const line of [
    /ok {3}doctor: .*: passed/,
    /ok {3}contracts: gateway → orders and delivery → orders \(message\) .*: passed/,
    /ok {3}chaos: products slow on the mTLS hop orders → products: passed/,
    /ok {3}chaos: chaos\/auth-tokens\.yaml: passed/,
    /ok {3}chaos: chaos\/auth-identity-down\.yaml: passed/,
    /ok {3}chaos: auth-tokens against a gateway that skips the audience check: .*: failed as expected/,
    /ok {3}trace: .*: passed/,
  ]) {
    expect(output).toMatch(line);
  }
  expect(output).toMatch(/were accepted \(201 x\d+\): they should have been refused with 401/);
  expect(output).toMatch(/all \d service-to-service call\(s\) used https/);
  expect(output).toContain('✓ delivery → orders (transport)  1/1');
  expect(output).not.toMatch(/eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dC/);
  expect(readdirSync(reports)).toEqual(expect.arrayContaining(['contracts.json', 'trace.json', 'auth-tokens.json']));
}, 300_000);
