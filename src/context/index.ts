/**
 * `sightline/context`: the one request context every pillar shares.
 * @example
 * import { runInContext, addContextFields, currentContext } from 'sightline/context';
 * runInContext({ requestId: 'req-1' }, () => {
 *   addContextFields({ tenant: 'acme' });
 *   currentContext().requestId; // 'req-1'
 * });
 */
export {
  Context,
  ROOT_CONTEXT,
  OTEL_SPAN_KEY,
  OTEL_SUPPRESS_TRACING_KEY,
  currentContext,
  runInContext,
  withContext,
  addContextFields,
  setContextUser,
  setContextRequestId,
} from './context.js';
export type { ContextInit, TraceIds } from './context.js';
