// Two micro paths of the server instrumentation that read private state, each against the public
// API that would replace it, measured interleaved in one run (the instrumentation's own functions
// are internal, so both sides are written out here as src/http does them):
//
// 1. The completion line's `bytes` for `res.end(body)`. Node computes that Content-Length itself
//    and keeps it only in private fields (`_contentLength`, `_hasBody`, `_removedContLen`,
//    `_header`); the public alternative that keeps the same field wraps `res.end` on every
//    response to measure the body. Each iteration builds a response and ends it with a body, then
//    reads its length.
// 2. The route template of a Fastify request: the route context under Fastify's private
//    `fastify.context` symbol, against the public `request.routeOptions.url` (Fastify 5 builds a
//    new object on every read of `routeOptions`). Read on a real request inside an onRequest hook.
import { Socket } from 'node:net';
import { IncomingMessage, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { compare, machine, printTable } from './lib/harness.mjs';

console.log(`\n# http paths — private state vs the public API\n\nMachine: ${machine()}`);

const BODY = 'hello world';
const socket = new Socket();
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)\r\n/i;

function response() {
  return new ServerResponse(new IncomingMessage(socket));
}

/** As src/http/server.ts reads it. */
function privateLength(res) {
  const len = res.getHeader('content-length');
  if (len !== undefined) return Number(len);
  const computed = res._contentLength;
  if (typeof computed === 'number' && res._hasBody !== false && res._removedContLen !== true && res.useChunkedEncodingByDefault !== false && !res.hasHeader('transfer-encoding')) return computed;
  const header = res._header;
  if (typeof header !== 'string') return undefined;
  const m = CONTENT_LENGTH.exec(header);
  return m === null ? undefined : Number(m[1]);
}

/** The public alternative: measure the body as it passes through `end` (a lower bound of its cost: no HEAD/204/304 rules). */
const bodyBytes = new WeakMap();
function wrapEnd(res) {
  const end = res.end;
  res.end = function (chunk, encoding, cb) {
    if (!res.headersSent && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      bodyBytes.set(res, typeof chunk === 'string' ? Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk.length);
    }
    return end.call(res, chunk, encoding, cb);
  };
}
function publicLength(res) {
  const len = res.getHeader('content-length');
  return len !== undefined ? Number(len) : bodyBytes.get(res);
}

let sink = 0;
const rows = [];
let r = await compare({
  ours: () => {
    const res = response();
    res.end(BODY);
    sink += privateLength(res);
  },
  peer: () => {
    const res = response();
    wrapEnd(res);
    res.end(BODY);
    sink += publicLength(res);
  },
}, { iterations: 50_000 });
rows.push({ case: 'response built + end(body) + its byte length: private fields', ours: r.ours, peer: r.peer, peerName: 'public: res.end wrapped per response' });

// Fastify: capture one real request, then read its route both ways.
const app = Fastify();
let captured;
app.addHook('onRequest', (request, _reply, done) => {
  captured = request;
  done();
});
app.get('/users/:id', async () => 'ok');
await app.inject({ method: 'GET', url: '/users/7' });
await app.close();
const key = Object.getOwnPropertySymbols(captured).find((k) => k.description === 'fastify.context');
if (key === undefined || captured[key].config.url !== captured.routeOptions.url) throw new Error('this Fastify lays out its route context differently');
r = await compare({
  ours: () => {
    sink += captured[key]?.config?.url.length;
  },
  peer: () => {
    sink += captured.routeOptions?.url.length;
  },
}, { iterations: 1_000_000 });
rows.push({ case: 'Fastify route template: private fastify.context symbol', ours: r.ours, peer: r.peer, peerName: 'public: request.routeOptions.url' });

printTable('Private state vs the public API (ns per operation, medians)', rows);
if (sink === 0) console.log('');
