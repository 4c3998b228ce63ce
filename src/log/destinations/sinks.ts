import { createFdSink } from './fd-sink.js';
import { createRotatingFileSink } from './rotating-file-sink.js';
import { createSyslogSink } from './syslog-sink.js';
import type { SinkFactory } from './sink.js';

/**
 * The sink kinds the writer thread can open, by name. A destination created in the main thread
 * names its kind and passes plain (structured-clonable) options.
 */
export const SINK_KINDS: Record<string, SinkFactory> = {
  fd: createFdSink,
  'rotating-file': createRotatingFileSink,
  syslog: createSyslogSink,
};
