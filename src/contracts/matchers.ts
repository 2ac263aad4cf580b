// Pact's V3 matchers, re-exported so consumer tests need only msa-verify/contracts.
export { MatchersV3 as Matchers } from '@pact-foundation/pact';
