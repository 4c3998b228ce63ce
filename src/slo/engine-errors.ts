/**
 * Coded configuration errors of the in-process SLO engine (thrown by `new SloEngine()` only;
 * once running, the engine reports problems through `report('slo', …)` and never throws).
 */
import { createError } from '../errors.js';

/** An option of `new SloEngine()` with the wrong type or range. */
export const InvalidEngineOption = createError('SL_ERR_SLO_ENGINE_OPTION',
  (why: string) => `invalid SLO engine option: ${why}`);
