import { z } from 'zod';
import { durationField, httpUrlField } from './fields.js';

// The `tls` and `auth` fields of the config: how msa-verify reaches secured
// services. Both may stand at the top level (the default for every https:
// service), on a service, and on a contracts provider; the most specific wins.

const envNameField = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' });

/**
 * TLS towards a service: the CA its certificate must chain to (default: the
 * system's), and the client certificate and key to present (mTLS). Paths are
 * relative to the config file; a missing file is an error naming the field.
 */
export const TlsSchema = z
  .strictObject({
    /** PEM file of the CA (or CAs) that signed the services' certificates. Default: Node's built-in CAs. */
    ca: z.string().min(1).optional(),
    /** PEM file of the client certificate presented to the service (mTLS). Needs `key`. */
    cert: z.string().min(1).optional(),
    /** PEM file of the client certificate's private key. Needs `cert`. */
    key: z.string().min(1).optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'give cert and key together (a client certificate needs its key)',
  });

/** A bearer token read from an environment variable (never from the file). */
export const BearerAuthSchema = z.strictObject({
  bearer: z.strictObject({
    /** Environment variable holding the token. */
    env: envNameField,
  }),
});

/**
 * OAuth2 client credentials (RFC 6749 4.4): a token is fetched from `tokenUrl`
 * with the client's id and secret (HTTP basic), sent as `Authorization: Bearer`,
 * and fetched again before it expires.
 */
export const OAuth2AuthSchema = z.strictObject({
  oauth2: z.strictObject({
    tokenUrl: httpUrlField,
    clientId: z.string().min(1),
    /** Environment variable holding the client secret. The secret itself never goes in this file. */
    clientSecretEnv: envNameField,
    /** Scopes asked for. Default none. */
    scopes: z.array(z.string().min(1)).default([]),
    /** Resource indicator (RFC 8707) sent as `resource`, e.g. the API's audience. Default none. */
    resource: z.string().min(1).optional(),
    /** A token is replaced this long before it expires (at most half its life ahead). Default `30s`. */
    refreshBefore: durationField.default('30s'),
  }),
});

export const AuthSchema = z.union([BearerAuthSchema, OAuth2AuthSchema], {
  error: () => 'expected either bearer: {env} or oauth2: {tokenUrl, clientId, clientSecretEnv, scopes}',
});

/** Validated `tls` settings (paths as written). */
export type TlsSettings = z.output<typeof TlsSchema>;
/** Validated `auth` settings. */
export type AuthSettings = z.output<typeof AuthSchema>;
