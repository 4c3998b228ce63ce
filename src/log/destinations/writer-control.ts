/**
 * The control block the main thread shares with the log writer thread: an Int32Array of two
 * words, read and written with Atomics by both sides.
 */

/** Sequence number of the last message the thread finished (a batch: written). */
export const ACK = 0;
/** The thread's state: one of the values below. */
export const STATE = 1;
/** The thread has not run its own code yet (it is loading). */
export const STARTING = 0;
/** The thread handles messages. */
export const RUNNING = 1;
/** The thread has exited (or is exiting): it acknowledges nothing more. */
export const EXITED = 2;
