/**
 * Runs `work` every `intervalMs` inside the server process, never two passes at once (a slow pass makes
 * the next ticks skip), without keeping the process alive. Returns the function that stops it.
 */
export function startBackgroundLoop(work: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void = () => undefined) {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
