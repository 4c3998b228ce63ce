/**
 * `sightline/testing`: test doubles for users' own tests.
 * @example
 * import { memory } from 'sightline/testing';
 */
// Relative, not #internal/*: these are public re-exports, and their declarations must resolve for
// consumers whose moduleResolution (node10) does not read package.json `imports`.
export { memory, MemoryDestination } from '../log/destinations/memory.js';
export { InMemorySpanExporter } from '../trace/memory-span-exporter.js';
