/**
 * The /metrics request listener: content negotiation, gzip, HEAD, and no exception escaping.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { InvalidOption } from './errors.js';
import type { ExpositionFormat } from './exposition.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './exposition.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';
import type { Renderable } from './registry.js';

const gzip = promisify(gzipCb);

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /** Formats offered, preferred first at equal q (default `['openmetrics', 'text']`). */
  formats?: readonly ExpositionFormat[];
  /** Compress with gzip when the client asks for it (default true). */
  gzip?: boolean;
}

/**
 * A node:http request listener serving the registry's exposition in the format the scraper asks
 * for (OpenMetrics or text 0.0.4, by Accept q-values), gzip-compressed when Accept-Encoding allows.
 * It answers every request it is given (mount it on your /metrics route); GET and HEAD only.
 * @example
 * http.createServer(metricsHandler(registry)).listen(9464, '127.0.0.1');
 */
export function metricsHandler(registry: Renderable, options: MetricsHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  if (registry === null || typeof registry !== 'object' || typeof registry.render !== 'function') {
    throw InvalidOption('registry', 'metricsHandler needs a Registry (or an object with render(format))');
  }
  const formats = options.formats ?? ['openmetrics', 'text'];
  if (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => f !== 'text' && f !== 'openmetrics')) {
    throw InvalidOption('formats', "formats must be a non-empty list of 'text' and 'openmetrics'");
  }
  const useGzip = options.gzip ?? true;
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const format = negotiateFormat(req.headers.accept, formats);
    let body: string | Buffer = await registry.render(format);
    const headers: Record<string, string> = {
      'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    if (useGzip && acceptsGzip(req.headers['accept-encoding'])) {
      body = await gzip(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      // Never throw into the server: answer 500 with the reason (the exposition is not secret).
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`metrics rendering failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
}
