import fs from 'node:fs';
import os from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { ThreadDestination } from './thread-destination.js';
import { BUFFER_OPTION_KEYS } from './thread-destination.js';
import type { BufferOptions } from './thread-destination.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { FACILITIES, headerField } from './syslog-format.js';
import type { SyslogSinkOptions } from './syslog-sink.js';
import { InvalidSyslogOption, UnknownOption } from '../errors.js';

/** Options of {@link syslog}. */
export interface SyslogOptions extends BufferOptions {
  /** Server host (default `127.0.0.1`). */
  host?: string;
  /** Server port (default 514; 6514 for TLS). */
  port?: number;
  /** `'udp'` (default), `'tcp'` (RFC 6587 octet counting) or `'tls'` (RFC 5425). */
  protocol?: 'udp' | 'tcp' | 'tls';
  /**
   * A local Unix socket instead of host/port: a stream socket gets octet-counted RFC 5424; a
   * datagram socket (`/dev/log`) is written through util-linux's `logger`. Default: `/dev/log`
   * when none of host, port, protocol is given and it exists, else UDP to 127.0.0.1:514.
   */
  path?: string;
  /** The `logger` executable used for a datagram socket (default `logger`, from PATH). */
  loggerCommand?: string;
  /**
   * Message format on a datagram socket: `'local'` (default) is syslog(3)'s `<PRI>TIMESTAMP
   * TAG[PID]: MSG`, which every /dev/log reader parses; `'rfc5424'` adds MSGID, for readers that
   * parse RFC 5424 on the socket (rsyslog imuxsock with `useSpecialParser="off"`).
   */
  socketFormat?: 'local' | 'rfc5424';
  /** Facility name (`user`, `daemon`, `local0`…`local7`, …) or code 0–23 (default `user`). */
  facility?: string | number;
  /** APP-NAME (default: each line's `service`). */
  appName?: string;
  /** MSGID (default `-`). */
  msgId?: string;
  /** HOSTNAME (default `os.hostname()`). */
  hostname?: string;
  /** Also send the line's fields as STRUCTURED-DATA: `true` uses SD-ID `sightline@32473`, a string sets the SD-ID. */
  structuredData?: boolean | string;
  /** Prefix the message body with the UTF-8 BOM as RFC 5424 §6.4 suggests (default false). */
  bom?: boolean;
  /** Longest message in bytes, header included; longer ones are cut (default 8192, at least 480). */
  maxMessageSize?: number;
  /** Messages kept while disconnected (TCP, TLS, socket); more are dropped and counted (default 10 000). */
  maxQueue?: number;
  /** Reconnect backoff: first delay and cap in ms (default 100 and 10 000). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** How long a write waits for a connection being set up before queueing (default 2000 ms). */
  connectTimeoutMs?: number;
  /** TLS options (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`). */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized' | 'servername' | 'minVersion'>;
}

const F = 'destination';
const SYSLOG_OPTION_KEYS = optionKeys<SyslogOptions>()([
  ...BUFFER_OPTION_KEYS, 'host', 'port', 'protocol', 'path', 'loggerCommand', 'socketFormat', 'facility', 'appName', 'msgId',
  'hostname', 'structuredData', 'bom', 'maxMessageSize', 'maxQueue', 'reconnect', 'connectTimeoutMs', 'tls',
]);
const RECONNECT_KEYS = optionKeys<NonNullable<SyslogOptions['reconnect']>>()(['initialDelayMs', 'maxDelayMs']);
const TLS_KEYS = optionKeys<NonNullable<SyslogOptions['tls']>>()(['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername', 'minVersion']);
/** The system log socket (glibc's syslog(3) default). */
const DEV_LOG = '/dev/log';

function isSocket(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isSocket() === true;
}

function printable(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[\x21-\x7e]+$/.test(v) || v.length > max) {
    throw InvalidSyslogOption(`${F}.${field}`, `${field} must be 1 to ${max} printable ASCII characters without spaces (RFC 5424)`);
  }
  return v;
}

function int(v: unknown, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw InvalidSyslogOption(`${F}.${field}`, `${field} must be an integer from ${min} to ${max}`);
  }
  return v as number;
}

/**
 * Sends each line to a syslog server as an RFC 5424 message: facility as configured, severity
 * from the level, APP-NAME from the service (or `appName`), PROCID the pid, the JSON line as the
 * body and, with `structuredData`, the fields as STRUCTURED-DATA. I/O runs in the log writer
 * thread; TCP/TLS reconnect with backoff and queue (bounded) meanwhile. A local datagram socket
 * (`/dev/log`, the default when it exists and no server is named) goes through util-linux's
 * `logger`, one child process per APP-NAME.
 * @example
 * import { createLogger, syslog } from 'sightline/log';
 * const log = createLogger({ service: 'checkout', destination: syslog({ host: '10.0.0.5', protocol: 'tcp', facility: 'local0' }) });
 * // The local system log (/dev/log, through logger(1)):
 * const local = createLogger({ service: 'checkout', destination: syslog({ facility: 'local0' }) });
 */
export function syslog(options: SyslogOptions = {}): ThreadDestination {
  if (typeof options !== 'object' || options === null) throw InvalidSyslogOption(F, 'syslog() takes an options object');
  const o = options;
  checkOptionKeys(o, SYSLOG_OPTION_KEYS, UnknownOption, 'syslog()', F);
  if (typeof o.reconnect === 'object' && o.reconnect !== null) checkOptionKeys(o.reconnect, RECONNECT_KEYS, UnknownOption, 'syslog() reconnect', `${F}.reconnect`);
  if (typeof o.tls === 'object' && o.tls !== null) checkOptionKeys(o.tls, TLS_KEYS, UnknownOption, 'syslog() tls', `${F}.tls`);
  let transport: SyslogSinkOptions['transport'];
  let path = o.path;
  // Like syslog(3): nothing said about where → the local system log socket, when there is one.
  if (path === undefined && o.host === undefined && o.port === undefined && o.protocol === undefined && isSocket(DEV_LOG)) path = DEV_LOG;
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw InvalidSyslogOption(`${F}.path`, 'path must be the path of a local socket');
    if (o.host !== undefined || o.port !== undefined || (o.protocol !== undefined)) {
      throw InvalidSyslogOption(`${F}.path`, 'give either path (a local socket) or host/port/protocol, not both');
    }
    if (!isSocket(path)) throw InvalidSyslogOption(`${F}.path`, `${path} is not a socket`);
    transport = 'unix';
  } else {
    if (o.protocol !== undefined && o.protocol !== 'udp' && o.protocol !== 'tcp' && o.protocol !== 'tls') {
      throw InvalidSyslogOption(`${F}.protocol`, "protocol must be 'udp', 'tcp' or 'tls'");
    }
    transport = o.protocol ?? 'udp';
  }
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw InvalidSyslogOption(`${F}.host`, 'host must be a non-empty string');
  const port = int(o.port, 'port', transport === 'tls' ? 6514 : 514, 1, 65535);
  let facility: number;
  if (o.facility === undefined) facility = FACILITIES['user']!;
  else if (typeof o.facility === 'number') facility = int(o.facility, 'facility', 1, 0, 23);
  else if (typeof o.facility === 'string' && Object.hasOwn(FACILITIES, o.facility.toLowerCase())) facility = FACILITIES[o.facility.toLowerCase()]!;
  else throw InvalidSyslogOption(`${F}.facility`, `unknown facility ${JSON.stringify(o.facility)}: use ${Object.keys(FACILITIES).join(', ')} or 0-23`);
  const appName = printable(o.appName, 'appName', 48);
  const msgId = printable(o.msgId, 'msgId', 32);
  const hostname = o.hostname === undefined ? headerField(os.hostname(), 255) : printable(o.hostname, 'hostname', 255)!;
  let sdId: string | undefined;
  if (o.structuredData === true) sdId = 'sightline@32473';
  else if (typeof o.structuredData === 'string') {
    // §6.3.2: an SD-ID without `@` is reserved for IANA-registered ones.
    if (!/^[\x21-\x7e]{1,32}$/.test(o.structuredData) || /[= \]"]/.test(o.structuredData) || !o.structuredData.includes('@')) {
      throw InvalidSyslogOption(`${F}.structuredData`, 'a custom SD-ID is name@enterpriseNumber, up to 32 printable characters without = ] " or space');
    }
    sdId = o.structuredData;
  } else if (o.structuredData !== undefined && o.structuredData !== false) {
    throw InvalidSyslogOption(`${F}.structuredData`, 'structuredData must be true, false or an SD-ID string');
  }
  if (o.bom !== undefined && typeof o.bom !== 'boolean') throw InvalidSyslogOption(`${F}.bom`, 'bom must be true or false');
  const maxBytes = int(o.maxMessageSize, 'maxMessageSize', 8192, 480, transport === 'udp' ? 65_507 : 16 * 1024 * 1024);
  const maxQueue = int(o.maxQueue, 'maxQueue', 10_000, 1, 10_000_000);
  const initialDelayMs = int(o.reconnect?.initialDelayMs, 'reconnect.initialDelayMs', 100, 1, 3_600_000);
  const maxDelayMs = int(o.reconnect?.maxDelayMs, 'reconnect.maxDelayMs', 10_000, initialDelayMs, 3_600_000);
  const connectTimeoutMs = int(o.connectTimeoutMs, 'connectTimeoutMs', 2000, 0, 600_000);
  if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null)) throw InvalidSyslogOption(`${F}.tls`, 'tls must be an object of TLS options');
  if (o.loggerCommand !== undefined && (typeof o.loggerCommand !== 'string' || o.loggerCommand === '' || o.loggerCommand.includes('\0'))) {
    throw InvalidSyslogOption(`${F}.loggerCommand`, 'loggerCommand must be the name or path of the logger executable');
  }
  if (o.socketFormat !== undefined && o.socketFormat !== 'local' && o.socketFormat !== 'rfc5424') {
    throw InvalidSyslogOption(`${F}.socketFormat`, "socketFormat must be 'local' or 'rfc5424'");
  }
  if (o.tls !== undefined && transport !== 'tls') throw InvalidSyslogOption(`${F}.tls`, "tls options need protocol: 'tls'");

  const sink: SyslogSinkOptions = {
    transport, host, port, path, maxQueue, initialDelayMs, maxDelayMs, connectTimeoutMs,
    tls: o.tls === undefined ? undefined : { ...o.tls },
    loggerCommand: o.loggerCommand ?? 'logger', socketFormat: o.socketFormat ?? 'local',
    format: { facility, hostname, appName, procId: String(process.pid), msgId, sdId, bom: o.bom === true, maxBytes },
  };
  const name = transport === 'unix' ? `syslog:${path}` : `syslog ${transport}://${host}:${port}`;
  return new ThreadDestination('syslog', name, sink, o);
}
