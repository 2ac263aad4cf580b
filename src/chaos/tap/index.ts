// tap: a run-owned TCP relay. client -> tap (count accept time; maybe RST) -> upstream.
export { startTap } from './start-tap.js';
export type { Tap } from './types.js';
