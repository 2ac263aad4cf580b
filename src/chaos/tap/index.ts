// tap: a run-owned TCP relay. client -> tap (count accept time; maybe RST) -> upstream.
export { createRequestLineCounter, startTap } from './start-tap.js';
export { type Tap, tapCalls } from './types.js';
