// How a shop service speaks gRPC: in clear, or (SHOP_SECURITY=mtls) over TLS
// with client certificates from the test CA, like its HTTP (see tls.ts). Apart
// from tls.ts so that the HTTP-only services do not load grpc-js.
import * as grpc from '@grpc/grpc-js';
import { EnvError } from './env.ts';
import type { Security } from './tls.ts';

/**
 * Server credentials: insecure (plain), or TLS with the service's certificate
 * that requires and verifies a client certificate signed by the CA (mtls).
 */
export function grpcServerCredentials(security: Security): grpc.ServerCredentials {
  if (security.kind === 'plain' || security.tls === undefined) return grpc.ServerCredentials.createInsecure();
  const { ca, cert, key } = security.tls;
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true);
}

/**
 * Channel credentials for calling a gRPC service: with `secure`, TLS that
 * presents this service's certificate and trusts only the CA (which needs the
 * TLS files: EnvError without them); otherwise insecure (in clear, what
 * `tls: required` catches).
 */
export function grpcChannelCredentials(security: Security, secure: boolean): grpc.ChannelCredentials {
  if (!secure) return grpc.credentials.createInsecure();
  if (security.tls === undefined) throw new EnvError('a TLS channel needs SHOP_TLS_CA, SHOP_TLS_CERT and SHOP_TLS_KEY');
  const { ca, cert, key } = security.tls;
  return grpc.credentials.createSsl(ca, key, cert);
}
