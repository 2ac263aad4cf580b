// The preload's only voice: a diag logger that prints each distinct message
// once (a down collector must not flood the app's stderr), with a hard cap.
import type { DiagLogger } from '@opentelemetry/api';

const MAX_MESSAGES = 20;

/** Writes `msa-verify/instrument: <message>` to stderr, each distinct message once. */
export class OnceLogger implements DiagLogger {
  readonly #seen = new Set<string>();
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(line)) {
    this.#write = write;
  }

  /** Logs `message` unless it (or too many others) was logged before. Never throws. */
  warnOnce(message: string): void {
    // One line, no control characters: messages may quote hostile input.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    const clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 500);
    const key = clean.slice(0, 120);
    if (this.#seen.has(key) || this.#seen.size >= MAX_MESSAGES) return;
    this.#seen.add(key);
    try {
      this.#write(`msa-verify/instrument: ${clean}\n`);
    } catch {
      // stderr closed: nothing left to tell.
    }
  }

  error = (message: string, ...args: unknown[]): void => this.warnOnce(format(message, args));
  warn = (message: string, ...args: unknown[]): void => this.warnOnce(format(message, args));
  info = (): void => {};
  debug = (): void => {};
  verbose = (): void => {};
}

function format(message: string, args: unknown[]): string {
  const first = args[0];
  if (first instanceof Error) return `${message} ${first.message}`;
  if (first && typeof first === 'object' && 'message' in first) return `${message} ${String(first.message)}`;
  return message;
}
