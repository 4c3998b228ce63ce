/**
 * `sightline/testing`: test doubles for users' own tests.
 * @example
 * import { memory } from 'sightline/testing';
 */
export { memory, MemoryDestination } from '../log/destinations/memory.js';
export { InMemorySpanExporter } from '../trace/memory-span-exporter.js';
