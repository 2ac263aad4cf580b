/**
 * Waits for `work` at most `ms` milliseconds and never throws: a relay, receiver
 * or server that will not close must not keep the run alive. A timeout or an
 * error becomes a note ("could not <what> ...").
 */
export async function bounded(
  work: Promise<unknown>,
  ms: number,
  what: string,
  note: (text: string) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') note(`could not ${what} within ${ms}ms; continuing`);
  } catch (error) {
    note(`could not ${what}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
