// msa-verify/chaos: public entry of this domain. It grows with its issue; for now
// it only states what it is, so that the export path resolves.
/** Name of this domain, for diagnostics. */
export const domain = 'chaos' as const;
