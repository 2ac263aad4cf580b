// Reaching secured services: TLS material from the config (client-tls), one
// request over node:https (request), tokens (token-source), and which settings
// apply to a URL (target-security).
export { type ClientTls, loadClientTls } from './client-tls.js';
export { type SendRequestOptions, type SentAnswer, sendRequest } from './request.js';
export { type SecurityOverride, securityFor, type TargetSecurity } from './target-security.js';
export { createTokenSource, type TokenSource, type TokenSourceOptions } from './token-source.js';
