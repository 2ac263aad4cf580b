// W3C Trace Context Level 2 trace-flags bits beyond the API's TraceFlags
// (which has only SAMPLED). A module without imports, so the per-span code in
// http-server/ can use it without a runtime import of the API.

/** Bit 0x02: at least the rightmost 7 bytes of the trace id are random (§3.2.2.5.2 "Random Trace ID Flag"). */
export const TRACE_FLAG_RANDOM = 0x02;

/** The bits Level 2 defines (sampled 0x01, random 0x02); the others are written as zero (§3.2.2.5.3 "Other Flags"). */
export const TRACE_FLAGS_KNOWN = 0x03;
