import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no tracing option has (a typo, or another pillar's option). */
export const UnknownOption = createUnknownOptionError('SL_ERR_TRACE_UNKNOWN_OPTION');

/** `sampler` is not a known sampler name nor an object with `shouldSample`. */
export const InvalidSampler = createError('SL_ERR_TRACE_INVALID_SAMPLER', (value: string) =>
  `unknown sampler "${value}": use always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio or a Sampler object`);

/** A sampling ratio outside [0, 1]. */
export const InvalidRatio = createError('SL_ERR_TRACE_INVALID_RATIO', (value: unknown) =>
  `sampling ratio ${String(value)} is not a number between 0 and 1`);

/** A numeric option (queue size, delay, limit…) that is not a valid number for it. */
export const InvalidNumber = createError('SL_ERR_TRACE_INVALID_NUMBER', (value: unknown, what: string) =>
  `${String(value)} is not valid here: use ${what}`);

/** An exporter or processor object that lacks a required method. */
export const InvalidComponent = createError('SL_ERR_TRACE_INVALID_COMPONENT', (what: string, method: string) =>
  `this ${what} has no ${method}() method: pass an object implementing the ${what} interface`);

/** A resource attribute value that is not a string, number, boolean or array of one of them. */
export const InvalidResource = createError('SL_ERR_TRACE_INVALID_RESOURCE', (key: string) =>
  `resource attribute "${key}" must be a string, number, boolean or an array of one of those`);
