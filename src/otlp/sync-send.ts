import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import type { OtlpSenderConfig } from './config.js';
import { USER_AGENT } from './user-agent.js';
import { contentTypeOf } from './protocol.js';

// The child: reads the payload on stdin, POSTs it once, exits 0 on a 2xx answer. Plain CommonJS so
// it needs nothing but node; configuration comes through the environment, not argv (headers may
// hold credentials and argv is visible to every user of the machine).
const CHILD = `
const c = JSON.parse(process.env.SIGHTLINE_OTLP_SYNC);
const u = new URL(c.url);
const m = require(u.protocol === 'https:' ? 'https' : 'http');
const chunks = [];
process.stdin.on('data', (d) => chunks.push(d));
process.stdin.on('end', () => {
  const body = Buffer.concat(chunks);
  const r = m.request(u, { method: 'POST', headers: { ...c.headers, 'content-length': body.length } }, (res) => {
    res.resume();
    res.on('end', () => process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1));
  });
  r.on('error', () => process.exit(1));
  r.end(body);
});
`;

/**
 * Sends one payload synchronously by running a tiny node child process (`spawnSync`), because the
 * event loop no longer runs on `process.exit`, crashes and signals. One attempt, no retry, killed
 * after `timeoutMillis`. Returns true when the collector answered 2xx.
 */
export function sendSync(config: OtlpSenderConfig, payload: string | Buffer, timeoutMillis: number): boolean {
  try {
    const gzip = config.compression === 'gzip';
    const body = gzip ? gzipSync(payload) : typeof payload === 'string' ? Buffer.from(payload) : payload;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...config.headers, 'content-type': contentTypeOf(config.protocol) };
    if (gzip) headers['content-encoding'] = 'gzip';
    const r = spawnSync(process.execPath, ['-e', CHILD], {
      input: body,
      timeout: timeoutMillis,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: process.env['PATH'] ?? '', SIGHTLINE_OTLP_SYNC: JSON.stringify({ url: config.url.href, headers }) },
      windowsHide: true,
    });
    return r.status === 0;
  } catch {
    return false;
  }
}
