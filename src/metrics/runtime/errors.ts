/** Coded configuration errors of the default (runtime) metrics. */
import { createError } from '../../errors.js';

/** An option of `collectDefaultMetrics` is invalid. */
export const InvalidRuntimeOption = createError('SL_ERR_METRICS_RUNTIME_OPTION',
  (why: string) => `invalid default metrics option: ${why}`);
