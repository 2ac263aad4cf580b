// Loading .proto files for gRPC contracts (both sides) with @grpc/proto-loader.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MsaVerifyError } from '../../core/errors.js';

// keepCase: field names as written in the .proto (the contract's keys);
// defaults: proto3 scalars without presence are filled in, as a client sees them.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, defaults: true, longs: String, enums: String };

/** A loaded service: its methods by name. */
export interface LoadedService {
  readonly service: string;
  readonly definition: grpc.ServiceDefinition;
}

/** Loads `file` (with `root` as include path) and returns service `service` (fully qualified). */
export function loadService(file: string, root: string, service: string): LoadedService {
  let definition: protoLoader.PackageDefinition;
  try {
    definition = protoLoader.loadSync(path.resolve(root, file), { ...LOADER_OPTIONS, includeDirs: [root] });
  } catch (error) {
    throw new MsaVerifyError('MSAV_USAGE', `cannot load ${file}: ${(error as Error).message}`, { cause: error });
  }
  const found = definition[service];
  if (!isService(found)) {
    throw new MsaVerifyError(
      'MSAV_USAGE',
      `${file} has no service ${service} (services: ${Object.keys(definition)
        .filter((k) => isService(definition[k]))
        .join(', ')})`,
    );
  }
  return { service, definition: found as unknown as grpc.ServiceDefinition };
}

/** Service `service` from a FileDescriptorSet (e.g. read through server reflection). */
export function loadServiceFromSet(set: Buffer, service: string, origin: string): LoadedService {
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(set, LOADER_OPTIONS);
  const found = definition[service];
  if (!isService(found)) throw new MsaVerifyError('MSAV_USAGE', `${origin} has no service ${service}`);
  return { service, definition: found as unknown as grpc.ServiceDefinition };
}

function isService(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || 'format' in value) return false;
  return Object.values(value).every((m) => typeof m === 'object' && m !== null && 'path' in m && 'requestStream' in m);
}

/** Reads `files` (relative to `root`) as text, keyed by that relative path. */
export async function readProtoFiles(root: string, files: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) out[f.split(path.sep).join('/')] = await readFile(path.resolve(root, f), 'utf8');
  return out;
}

/** The status name of a code (`5` -> `NOT_FOUND`). */
export function statusName(code: number): string {
  return (grpc.status as unknown as Record<number, string>)[code] ?? String(code);
}

/** The status code of a name (`NOT_FOUND` -> 5); undefined when unknown. */
export function statusCode(name: string): number | undefined {
  const code = (grpc.status as unknown as Record<string, number>)[name];
  return typeof code === 'number' ? code : undefined;
}
