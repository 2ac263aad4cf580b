// The part of oidc-provider's API the identity service uses (the package ships
// no TypeScript declarations and @types/oidc-provider is not a dependency).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ResourceServerInfo {
    scope: string;
    audience: string;
    accessTokenFormat: 'jwt' | 'opaque';
    accessTokenTTL: number;
    jwt?: { sign?: { alg: string } };
  }

  interface ProviderConfiguration {
    clients: Record<string, unknown>[];
    jwks: { keys: Record<string, unknown>[] };
    scopes: string[];
    features: {
      devInteractions: { enabled: boolean };
      clientCredentials: { enabled: boolean };
      resourceIndicators: {
        enabled: boolean;
        defaultResource: (ctx: unknown, client: unknown, oneOf?: string[]) => string | undefined;
        useGrantedResource: (ctx: unknown, model: unknown) => boolean;
        getResourceServerInfo: (ctx: unknown, resource: string, client: { clientId: string }) => ResourceServerInfo;
      };
    };
  }

  class Provider {
    constructor(issuer: string, configuration: ProviderConfiguration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (ctx: unknown, error: Error) => void): this;
    static errors: { InvalidTarget: new (description?: string) => Error };
  }

  // biome-ignore lint/style/noDefaultExport: the package's own export is a default one.
  export default Provider;
}
