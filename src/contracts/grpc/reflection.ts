// Reads a provider's service descriptors through gRPC server reflection
// (grpc.reflection.v1, falling back to v1alpha), for providers verified
// without a .proto in the config. The reflection messages are declared here
// (only the fields used), so no extra package is needed.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MsaVerifyError } from '../../core/errors.js';

const MESSAGES = {
  ServerReflectionRequest: {
    oneofs: { message_request: { oneof: ['file_containing_symbol', 'list_services'] } },
    fields: {
      host: { type: 'string', id: 1 },
      file_containing_symbol: { type: 'string', id: 4 },
      list_services: { type: 'string', id: 7 },
    },
  },
  ServerReflectionResponse: {
    oneofs: { message_response: { oneof: ['file_descriptor_response', 'list_services_response', 'error_response'] } },
    fields: {
      valid_host: { type: 'string', id: 1 },
      file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
      list_services_response: { type: 'ListServiceResponse', id: 6 },
      error_response: { type: 'ErrorResponse', id: 7 },
    },
  },
  FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
  ListServiceResponse: { fields: { service: { rule: 'repeated', type: 'ServiceResponse', id: 1 } } },
  ServiceResponse: { fields: { name: { type: 'string', id: 1 } } },
  ErrorResponse: { fields: { error_code: { type: 'int32', id: 1 }, error_message: { type: 'string', id: 2 } } },
};

function reflectionDescriptor(version: 'v1' | 'v1alpha'): protoLoader.PackageDefinition {
  const service = {
    methods: {
      ServerReflectionInfo: {
        requestType: 'ServerReflectionRequest',
        requestStream: true,
        responseType: 'ServerReflectionResponse',
        responseStream: true,
      },
    },
  };
  const json = {
    nested: {
      grpc: {
        nested: { reflection: { nested: { [version]: { nested: { ...MESSAGES, ServerReflection: service } } } } },
      },
    },
  };
  return protoLoader.fromJSON(json as unknown as Parameters<typeof protoLoader.fromJSON>[0], {
    keepCase: true,
    defaults: true,
  });
}

interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

// One request on a reflection stream; resolves with the answer, or rejects with the call's error.
function ask(
  client: grpc.Client,
  version: 'v1' | 'v1alpha',
  request: Record<string, string>,
  timeoutMs: number,
): Promise<ReflectionResponse> {
  const method = reflectionDescriptor(version)[`grpc.reflection.${version}.ServerReflection`] as unknown as Record<
    string,
    grpc.MethodDefinition<unknown, ReflectionResponse>
  >;
  const info = method.ServerReflectionInfo!;
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      info.path,
      info.requestSerialize,
      info.responseDeserialize,
      new grpc.Metadata(),
      { deadline: new Date(Date.now() + timeoutMs) },
    );
    let answered = false;
    call.on('data', (response: ReflectionResponse) => {
      answered = true;
      resolve(response);
      call.end();
    });
    call.on('error', (error) => {
      if (!answered) reject(error);
    });
    call.write(request);
  });
}

/**
 * The FileDescriptorProto bytes (deduplicated) of the files declaring
 * `services` and their dependencies, as the provider reports them.
 * A service the provider does not know adds nothing.
 * @throws MsaVerifyError exit 2 when the provider offers no reflection.
 */
export async function reflectDescriptors(
  address: string,
  services: readonly string[],
  timeoutMs: number,
): Promise<Buffer[]> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const files = new Map<string, Buffer>();
  try {
    for (const service of services) {
      let response: ReflectionResponse | undefined;
      for (const version of ['v1', 'v1alpha'] as const) {
        try {
          response = await ask(client, version, { file_containing_symbol: service }, timeoutMs);
          break;
        } catch (error) {
          if ((error as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED || version === 'v1alpha') {
            throw new MsaVerifyError(
              'MSAV_USAGE',
              `the provider at ${address} offers no server reflection (${(error as Error).message}): set grpc.proto in the config`,
              { cause: error },
            );
          }
        }
      }
      // A service the provider does not know: its interactions then fail as "no method".
      if (response?.error_response) continue;
      for (const bytes of response?.file_descriptor_response?.file_descriptor_proto ?? []) {
        files.set(bytes.toString('base64'), Buffer.from(bytes));
      }
    }
  } finally {
    client.close();
  }
  return [...files.values()];
}

/** A FileDescriptorSet (field 1, repeated FileDescriptorProto) from file descriptors: buf's image input and proto-loader's. */
export function descriptorSet(files: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const length: number[] = [];
    let n = file.length;
    do {
      length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    parts.push(Buffer.from([0x0a, ...length]), file);
  }
  return Buffer.concat(parts);
}
