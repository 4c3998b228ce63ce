/**
 * Captures what `fn` writes to process.stderr (and keeps it off the test output).
 * @example
 * const lines = captureStderr(() => report('log', 'call_failed', 'x')); // ['sightline: x\n']
 */
import { mock } from 'node:test';

export function captureStderr(fn: () => void, write: (chunk: string) => boolean = () => true): string[] {
  const writes: string[] = [];
  const m = mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return write(String(chunk));
  });
  try {
    fn();
  } finally {
    m.mock.restore();
  }
  return writes;
}
