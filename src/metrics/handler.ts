/**
 * The /metrics request listener: content negotiation, gzip, HEAD, and no exception escaping.
 *
 * The body is streamed: chunks go to the socket (through a gzip stream when asked) as they are
 * rendered, so a large exposition never exists as one string and never blocks the event loop in
 * one piece. A body that fits in one chunk is sent whole, with a content-length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip as gzipCb } from 'node:zlib';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidOption, UnknownOption } from './errors.js';
import type { ExpositionFormat } from './exposition.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './exposition.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';
import type { Renderable } from './registry.js';
import { STREAM_CHUNK } from './render.js';

const gzip = promisify(gzipCb);

/** A Renderable without `stream`: its whole body as one chunk. */
async function* wholeBody(body: Promise<string>): AsyncGenerator<Buffer, void, undefined> {
  yield Buffer.from(await body);
}

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /**
   * Formats offered (default `['openmetrics', 'text']`). Text 0.0.4 is served for `*\/*`, a missing
   * Accept and ties; OpenMetrics only to a client that prefers it by name (see negotiateFormat).
   */
  formats?: readonly ExpositionFormat[];
  /** Compress with gzip when the client asks for it (default true). */
  gzip?: boolean;
  /**
   * zlib level, 1 (fastest) to 9 (smallest); default 1. Exposition text is repetitive: level 1
   * already shrinks it ~17x, at about a sixth of the CPU of zlib's default level 6 (~21x).
   */
  gzipLevel?: number;
}

const HANDLER_OPTION_KEYS = optionKeys<MetricsHandlerOptions>()(['formats', 'gzip', 'gzipLevel']);

/**
 * A node:http request listener serving the registry's exposition in the format the scraper asks
 * for (OpenMetrics or text 0.0.4, by Accept q-values; text for `*\/*` or no Accept), gzip-compressed when Accept-Encoding allows.
 * It answers every request it is given (mount it on your /metrics route); GET and HEAD only.
 * @example
 * http.createServer(metricsHandler(registry)).listen(9464, '127.0.0.1');
 */
export function metricsHandler(registry: Renderable, options: MetricsHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  if (registry === null || typeof registry !== 'object' || typeof registry.render !== 'function') {
    throw InvalidOption('registry', 'metricsHandler needs a Registry (or an object with render(format))');
  }
  checkOptionKeys(options, HANDLER_OPTION_KEYS, UnknownOption, 'metricsHandler()');
  const formats = options.formats ?? ['openmetrics', 'text'];
  if (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => f !== 'text' && f !== 'openmetrics')) {
    throw InvalidOption('formats', "formats must be a non-empty list of 'text' and 'openmetrics'");
  }
  const useGzip = options.gzip ?? true;
  const level = options.gzipLevel ?? 1;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw InvalidOption('gzipLevel', `gzipLevel must be an integer from 1 to 9, got ${String(level)}`);
  const zlibOptions = { level, chunkSize: STREAM_CHUNK };
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const format = negotiateFormat(req.headers.accept, formats);
    const headers: Record<string, string> = {
      'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    const zip = useGzip && acceptsGzip(req.headers['accept-encoding']);
    if (zip) headers['content-encoding'] = 'gzip';
    if (req.method === 'HEAD') {
      // Same headers as GET without rendering: a HEAD probe should not cost a scrape.
      res.writeHead(200, headers).end();
      return;
    }
    const source = registry.stream !== undefined ? registry.stream(format) : wholeBody(registry.render(format));
    const chunks = source[Symbol.asyncIterator]();
    const first = await chunks.next();
    const second = first.done === true ? first : await chunks.next();
    if (second.done === true) {
      // Everything fit in one chunk: send it with a content-length.
      let body: Buffer = first.done === true ? Buffer.alloc(0) : first.value;
      if (zip) body = await gzip(body, zlibOptions);
      headers['content-length'] = String(body.length);
      res.writeHead(200, headers).end(body);
      return;
    }
    res.writeHead(200, headers);
    const rest = Readable.from((async function* () {
      try {
        yield first.value;
        yield second.value;
        for (let r = await chunks.next(); r.done !== true; r = await chunks.next()) yield r.value;
      } finally {
        await chunks.return?.();
      }
    })(), { objectMode: false });
    // pipeline ends the generator (and so the rendering) when the client goes away.
    if (zip) await pipeline(rest, createGzip(zlibOptions), res);
    else await pipeline(rest, res);
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      // Never throw into the server. Before the headers: answer 500 with the reason (the
      // exposition is not secret). Mid-stream (client gone, render failed): cut the response, so
      // the scraper sees a truncated body, not a wrong one.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`metrics rendering failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
}
