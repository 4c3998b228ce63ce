/**
 * What other pillars need of the context beyond `sightline/context`: the store itself and the
 * mutable scope. Reached as `#internal/context` (package.json `imports`), never exported.
 */
export { storage, Scope, contextWithSpan } from './context.js';
export type { TraceIds } from './context.js';
