/**
 * `sightline/testing`: test doubles for users' own tests.
 * @example
 * import { memory } from 'sightline/testing';
 */
export { memory, MemoryDestination } from '#internal/log';
export { InMemorySpanExporter } from '#internal/trace';
