/** Coded configuration errors of the system (machine) metrics. */
import { createError } from '../../errors.js';

/** An option of `collectSystemMetrics` is invalid. */
export const InvalidSystemOption = createError('SL_ERR_METRICS_SYSTEM_OPTION',
  (why: string) => `invalid system metrics option: ${why}`);
