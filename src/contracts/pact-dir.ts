/** Environment variable `msa-verify contracts test` sets to the absolute pact folder. */
export const PACT_DIR_ENV = 'MSA_VERIFY_PACT_DIR';

/** Pact folder for consumer tests: `$MSA_VERIFY_PACT_DIR`, else `contracts/pacts`. */
export function defaultPactDir(): string {
  return process.env[PACT_DIR_ENV] || 'contracts/pacts';
}
