import { createError } from '../../errors.js';

/** A propagator name passed in options that Sightline does not know. */
export const UnknownPropagator = createError(
  'SL_ERR_TRACE_PROPAGATOR_UNKNOWN',
  (name: string) => `unknown propagator "${name}": use tracecontext, baggage, b3, b3multi or none`,
);
