// report: JSON, JUnit XML, HTML and Prometheus output of contract and chaos runs.
/** Name of this domain, for diagnostics. */
export const domain = 'report' as const;
