// Wire compatibility of a gRPC contract: the provider's .proto files (or the
// descriptors it serves through reflection) against the consumer's copy
// (embedded in the contract) with `buf breaking`, rules WIRE (renumbered,
// deleted or retyped fields, ...) plus RPC_NO_DELETE and SERVICE_NO_DELETE (a
// removed method). WIRE, not WIRE_JSON: gRPC speaks the binary encoding, and
// descriptors from reflection often carry no json_name. buf comes from the npm package
// @bufbuild/buf, which ships the prebuilt binary (no Go build).
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { MsaVerifyError } from '../../core/errors.js';

/** buf's breaking-change rules msa-verify applies. */
export const BREAKING_RULES: readonly string[] = ['WIRE', 'RPC_NO_DELETE', 'SERVICE_NO_DELETE'];

/** One `buf breaking` finding. */
export interface WireFinding {
  /** File (relative to the provider's proto root), line and column in the provider's copy. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** buf rule, e.g. `FIELD_WIRE_JSON_COMPATIBLE_TYPE`. */
  readonly rule: string;
  readonly message: string;
  /** What it is about: `Message.field`, `Service.Method` or `Service`. */
  readonly subject: string;
}

/** The buf CLI shipped by @bufbuild/buf (a Node launcher of the prebuilt binary). */
export function bufLauncher(): string {
  try {
    return createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');
  } catch {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      'buf is not installed: the gRPC wire check needs the npm package @bufbuild/buf (npm install @bufbuild/buf)',
    );
  }
}

const BUF_YAML = `version: v2\nbreaking:\n  use:\n${BREAKING_RULES.map((r) => `    - ${r}\n`).join('')}`;

function subjectOf(message: string): string {
  const field = /field "\d+" with name "([^"]+)" on message "([^"]+)"/i.exec(message);
  if (field) return `${field[2]}.${field[1]}`;
  const rpc = /RPC "([^"]+)" on service "([^"]+)"/.exec(message);
  if (rpc) return `${rpc[2]}.${rpc[1]}`;
  const named = /(?:service|message|enum) "([^"]+)"/.exec(message);
  return named?.[1] ?? '';
}

/** The provider's side: a folder of .proto files, or a FileDescriptorSet (from reflection). */
export type WireInput = { readonly root: string } | { readonly descriptorSet: Buffer };

/**
 * Runs `buf breaking` on the provider's side against the consumer's files.
 * @param consumerFiles the consumer's .proto texts by relative path.
 * @param provider folder holding the provider's .proto files (only `*.proto` are copied), or its descriptors.
 * @throws MsaVerifyError exit 2 when buf cannot compile one side, 3 when buf is missing.
 */
export async function checkWire(
  consumerFiles: Readonly<Record<string, string>>,
  provider: WireInput,
): Promise<WireFinding[]> {
  const launcher = bufLauncher();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'msav-wire-'));
  try {
    const consumer = path.join(tmp, 'consumer');
    const providerDir = path.join(tmp, 'provider');
    for (const [rel, text] of Object.entries(consumerFiles)) {
      await mkdir(path.dirname(path.join(consumer, rel)), { recursive: true });
      await writeFile(path.join(consumer, rel), text);
    }
    await writeFile(path.join(consumer, 'buf.yaml'), BUF_YAML);
    // A descriptor set is an image input (`.binpb`); the rules then come from --config.
    let input = '.';
    const extra: string[] = [];
    if ('root' in provider) {
      await cp(provider.root, providerDir, {
        recursive: true,
        filter: (src) => !src.includes(`${path.sep}node_modules`) && (!path.extname(src) || src.endsWith('.proto')),
      });
      await writeFile(path.join(providerDir, 'buf.yaml'), BUF_YAML);
    } else {
      await mkdir(providerDir, { recursive: true });
      await writeFile(path.join(providerDir, 'provider.binpb'), provider.descriptorSet);
      input = 'provider.binpb';
      extra.push('--config', JSON.stringify({ version: 'v2', breaking: { use: BREAKING_RULES } }));
    }
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [launcher, 'breaking', input, '--against', consumer, '--error-format', 'json', ...extra],
        { cwd: providerDir, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 },
        (error, out, err) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err }),
      );
    });
    if (code !== 0 && code !== 100) {
      throw new MsaVerifyError(
        'MSAV_USAGE',
        `buf breaking could not compare the .proto files: ${(stderr || stdout).trim()}`,
      );
    }
    return stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => {
        const f = JSON.parse(l) as {
          path: string;
          start_line: number;
          start_column: number;
          type: string;
          message: string;
        };
        return {
          file: f.path,
          line: f.start_line,
          column: f.start_column,
          rule: f.type,
          // Without buf's trailing links to the protobuf docs.
          message: f.message.replace(/\s+See https?:\/\/.*$/s, ''),
          subject: subjectOf(f.message),
        };
      });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
