/**
 * Test-only entry (not in the package's `exports`; tests import it by path, from src/ or dist/):
 * ways to make the log writer thread die, for the tests of the fallback that writes from the main
 * thread. Nothing in the library imports this file.
 */
import { WriterThread, replaceWriterThread, workerOf, writerThread } from './writer.js';

/**
 * Stops the process' writer thread as if it had crashed. Resolves once it is gone and the main
 * thread knows it (its destinations write synchronously from then on).
 */
export async function killWriterThread(): Promise<void> {
  const t = writerThread();
  const w = workerOf(t);
  if (w === undefined || t.dead) return;
  // The Worker's 'exit' listener (registered at start, before terminate() adds its own) marks
  // the thread dead before this promise settles.
  await w.terminate();
  if (!t.dead) throw new Error('writer thread terminated but not marked dead');
}

/**
 * Makes the process' writer thread run `entry` (a module that imports writer-thread itself and
 * adds its own behaviour, e.g. dying on a given line). Must be called before any destination
 * starts the thread.
 */
export function useWriterThreadEntry(entry: URL): void {
  if (workerOf(writerThread()) !== undefined) throw new Error('the writer thread already runs');
  replaceWriterThread(new WriterThread(entry));
}
