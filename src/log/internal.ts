/**
 * What other pillars need of the logger beyond `sightline/log`: the synchronous flush of every
 * destination (crash capture, graceful shutdown) and the Logger class for `instanceof`. Reached
 * as `#internal/log`, never exported.
 */
export { flushAllSync } from './exit.js';
export { Logger } from './logger.js';
export { memory, MemoryDestination } from './destinations/memory.js';
