/**
 * The OpenTelemetry HTTP semantic-convention attributes of a SERVER span, held as raw values and
 * written into the span only when something reads its attributes (an exporter, the dashboard):
 * on a busy server most spans are counted and dropped or never looked at one by one.
 */
import type { IncomingMessage } from 'node:http';
import type { Span as ApiSpan } from '@opentelemetry/api';
import type { LazyAttributes, Span } from '#internal/trace';

type Setter = Pick<ApiSpan, 'setAttribute'> | Span;

/** @internal */
export class HttpSpanAttributes implements LazyAttributes {
  readonly method: string;
  readonly rawMethod: string;
  readonly path: string;
  readonly https: boolean;
  readonly route: string | undefined;
  readonly host: string | undefined;
  readonly clientAddress: string | undefined;
  readonly clientPort: number | undefined;
  readonly userAgent: string | undefined;
  readonly httpVersion: string;
  /** Set at completion. */
  statusCode = 0;
  endRoute: string | undefined = undefined;
  errorType: string | undefined = undefined;

  constructor(req: IncomingMessage, rawMethod: string, method: string, path: string, route: string | undefined, host: string | undefined, userAgent: string | undefined) {
    const sock = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;
    this.method = method;
    this.rawMethod = rawMethod;
    this.path = path;
    this.https = sock?.encrypted === true;
    this.route = route;
    this.host = host;
    this.clientAddress = sock?.remoteAddress;
    this.clientPort = sock?.remotePort;
    this.userAgent = userAgent;
    this.httpVersion = req.httpVersion;
  }

  /** Writes the attributes in the order of the semantic conventions' table. */
  fill(span: Setter): void {
    const set = (k: string, v: string | number): void => {
      if ('_put' in span) span._put(k, v);
      else span.setAttribute(k, v);
    };
    set('http.request.method', this.method);
    if (this.method !== this.rawMethod) set('http.request.method_original', this.rawMethod);
    set('url.path', this.path);
    set('url.scheme', this.https ? 'https' : 'http');
    if (this.route !== undefined) set('http.route', this.route);
    const host = this.host;
    if (host !== undefined) {
      // host[:port] or [v6]:port
      const close = host.lastIndexOf(']');
      const colon = host.lastIndexOf(':');
      if (colon > close) {
        set('server.address', host.slice(0, colon));
        const port = Number(host.slice(colon + 1));
        if (Number.isInteger(port)) set('server.port', port);
      } else set('server.address', host);
    }
    if (this.clientAddress !== undefined) {
      set('client.address', this.clientAddress);
      set('network.peer.address', this.clientAddress);
      if (this.clientPort !== undefined) set('network.peer.port', this.clientPort);
    }
    if (this.userAgent !== undefined) set('user_agent.original', this.userAgent);
    set('network.protocol.version', this.httpVersion);
    if (this.statusCode !== 0) set('http.response.status_code', this.statusCode);
    if (this.endRoute !== undefined) set('http.route', this.endRoute);
    if (this.errorType !== undefined) set('error.type', this.errorType);
  }
}
