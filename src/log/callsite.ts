import type { Serializer } from './serialize.js';

/**
 * The caller of the log method as `,"caller":{"file":…,"line":…,"function":…}` — opt-in, since it
 * captures a stack (a few microseconds).
 */
export function callsite(ser: Serializer): string {
  const holder: { stack?: NodeJS.CallSite[] } = {};
  const prepare: unknown = Reflect.get(Error, 'prepareStackTrace');
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 4;
    Error.prepareStackTrace = (_e, frames) => frames;
    // Frames: callsite ← Logger.log ← level method ← the user's call.
    Error.captureStackTrace(holder, callsite);
    const frames = holder.stack;
    const f = Array.isArray(frames) ? frames[2] : undefined;
    if (f === undefined) return '';
    const file = f.getFileName() ?? '<anonymous>';
    const fn = f.getFunctionName() ?? f.getMethodName() ?? '<anonymous>';
    return `,"caller":{"file":${ser.string(file)},"line":${f.getLineNumber() ?? 0},"column":${f.getColumnNumber() ?? 0},"function":${ser.string(fn)}}`;
  } catch {
    return '';
  } finally {
    Error.prepareStackTrace = prepare as typeof Error.prepareStackTrace;
    Error.stackTraceLimit = limit;
  }
}
