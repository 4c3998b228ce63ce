// An OTLP collector on another thread, for `flushSync` tests: flushSync blocks this thread, so a
// collector living here could never answer. It hands every request back (raw body, gunzipped).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const WORKER = `
const http = require('node:http');
const zlib = require('node:zlib');
const { parentPort } = require('node:worker_threads');
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
    res.writeHead(200).end();
    parentPort.postMessage({ path: req.url, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], body: body.toString('base64') });
  });
});
s.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: s.address().port }));
parentPort.on('message', () => s.close(() => process.exit(0)));
`;

/** One request as the collector thread received it. */
export interface SyncRequest {
  path: string;
  contentType: string;
  userAgent: string;
  body: Buffer;
}

/** Runs `fn` with the collector's base URL and a promise of its next request; stops it after. */
export async function withSyncCollector(fn: (base: string, next: () => Promise<SyncRequest>) => Promise<void>): Promise<void> {
  const w = new Worker(WORKER, { eval: true });
  try {
    const [{ port }] = (await once(w, 'message')) as [{ port: number }];
    const next = async (): Promise<SyncRequest> => {
      const [m] = (await once(w, 'message')) as [Omit<SyncRequest, 'body'> & { body: string }];
      return { ...m, body: Buffer.from(m.body, 'base64') };
    };
    await fn(`http://127.0.0.1:${port}`, next);
  } finally {
    w.postMessage('stop');
    await once(w, 'exit');
  }
}
