/**
 * RFC 5424 syslog messages from Sightline's JSON lines, and RFC 6587 octet-counting framing.
 * Pure functions: the syslog sink (writer thread) and the tests use them.
 */

/** RFC 5424 §6.2.1 table 1 facility codes. */
export const FACILITIES: Readonly<Record<string, number>> = Object.freeze({
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  authpriv: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, clock: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
});

/** RFC 5424 §6.2.1 table 2 severities for our level names (trace has no own severity: debug). */
export const SEVERITIES: Readonly<Record<string, number>> = Object.freeze({
  fatal: 2, // Critical
  error: 3, // Error
  warn: 4, // Warning
  info: 6, // Informational
  debug: 7, // Debug
  trace: 7,
});

export interface SyslogFormat {
  facility: number;
  /** HOSTNAME field (already sanitized). */
  hostname: string;
  /** Fixed APP-NAME; when undefined, the line's `service` (or `-`). */
  appName: string | undefined;
  procId: string;
  /** MSGID or undefined for `-`. */
  msgId: string | undefined;
  /** SD-ID under which the line's fields go as STRUCTURED-DATA, or undefined for none. */
  sdId: string | undefined;
  /** Prefix MSG with the UTF-8 BOM (RFC 5424 §6.4 MSG-UTF8). */
  bom: boolean;
  /** Longest message in bytes (header included); longer ones are cut at a character boundary. */
  maxBytes: number;
}

const BOM = '\uFEFF';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;

/** RFC 5424 §6: PRINTUSASCII (33..126) only, at most `max` characters, `-` when empty. */
export function headerField(s: string, max: number): string {
   
  const clean = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** RFC 5424 §6.3.3 SD-NAME: PRINTUSASCII except `=`, space, `]`, `"`; 1 to 32 characters. */
export function sdName(s: string): string {
  const clean = s.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32);
  return clean === '' ? '_' : clean;
}

/**
 * RFC 5424 §6.3.3 PARAM-VALUE: `"`, `\` and `]` are escaped with a backslash. Control characters
 * become JSON-style escapes first (`\n`, `\t`, `\u0001`): a syslog message stays on one line, and
 * rsyslog would otherwise rewrite them as `#012`.
 */
export function sdEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, controlEscape).replace(/["\\\]]/g, (c) => `\\${c}`);
}

function controlEscape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/** `[id name="value" …]` of the line's fields (all but time and msg, which have their own place). */
export function structuredData(sdId: string, fields: Record<string, unknown>): string {
  let s = `[${sdId}`;
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'time' || k === '@timestamp' || k === 'msg' || k === 'message' || v === undefined) continue;
    s += ` ${sdName(k)}="${sdEscape(str(v))}"`;
  }
  return `${s}]`;
}

/** Cuts a UTF-8 buffer to at most `max` bytes without splitting a character. */
export function truncateUtf8(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Back off over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

export interface Formatted {
  message: Buffer;
  truncated: boolean;
}

/** What every syslog format takes from one JSON line: body, PRI, timestamp, APP-NAME, fields. */
export interface LineParts {
  /** The line without its "\n": the message body. */
  json: string;
  /** §6.2.1: facility * 8 + severity. */
  pri: number;
  /** The line's own `time` when it is an RFC 3339 timestamp, else now. */
  time: string;
  /** APP-NAME: the fixed one, else the line's `service` (sanitized), else `-`. */
  app: string;
  fields: Record<string, unknown>;
}

/** Parses one JSON log line (without or with its "\n"); a line that is not JSON gets defaults. */
export function lineParts(line: string, f: Pick<SyslogFormat, 'facility' | 'appName'>): LineParts {
  const json = line.endsWith('\n') ? line.slice(0, -1) : line;
  let fields: Record<string, unknown> = {};
  try {
    const v = JSON.parse(json) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) fields = v as Record<string, unknown>;
  } catch {
    // not JSON: sent as is, with defaults for the header
  }
  const level = fields['level'] ?? fields['log.level'];
  const severity = SEVERITIES[typeof level === 'string' ? level : ''] ?? 6;
  const t = fields['time'] ?? fields['@timestamp'];
  const time = typeof t === 'string' && ISO.test(t) ? t : new Date().toISOString();
  const service = fields['service'] ?? fields['service.name'];
  const app = f.appName ?? (typeof service === 'string' ? headerField(service, 48) : '-');
  return { json, pri: f.facility * 8 + severity, time, app, fields };
}

/**
 * One JSON log line (without or with its "\n") as an RFC 5424 message:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [BOM]MSG`, MSG being the JSON line.
 */
export function formatSyslog(line: string, f: SyslogFormat): Formatted {
  const { json, pri, time, app, fields } = lineParts(line, f);
  const sd = f.sdId === undefined ? '-' : structuredData(f.sdId, fields);
  const head = `<${pri}>1 ${time} ${f.hostname} ${app} ${f.procId} ${f.msgId ?? '-'} ${sd} `;
  const full = Buffer.from(head + (f.bom ? BOM : '') + json);
  if (full.length <= f.maxBytes) return { message: full, truncated: false };
  return { message: truncateUtf8(full, f.maxBytes), truncated: true };
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`. */
export function frameOctetCounting(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `), message]);
}
