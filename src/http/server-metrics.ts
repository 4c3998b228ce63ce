/**
 * The RED metrics of an HTTP server, under the OpenTelemetry semantic-convention names as the
 * OpenTelemetry Prometheus exporter spells them (`http.server.request.duration` in seconds →
 * `http_server_request_duration_seconds`, attribute `http.route` → label `http_route`).
 */
import type { Counter, CounterChild, Gauge, GaugeChild, Histogram, HistogramChild, Registry } from '../metrics/index.js';

/** Buckets advised by the OpenTelemetry HTTP semantic conventions for request durations. */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

/** Label names shared by the duration histogram and the requests counter. */
const RED_LABELS = ['http_request_method', 'http_route', 'http_response_status_code'];

/** Bound children for one (method, route, status) triple. */
interface Children {
  duration: HistogramChild;
  requests: CounterChild;
}

/** Most (method, route, status) triples whose bound children are cached here. */
const MAX_CACHED = 4096;

/** The server RED metrics, with a bounded cache of bound children for the hot path. */
export class ServerMetrics {
  readonly duration: Histogram;
  readonly requests: Counter;
  readonly active: Gauge;
  readonly errors: Counter;
  /** route → method → status → bound children: no key string is built per request. */
  readonly #cache = new Map<string, Map<string, Map<string, Children>>>();
  #cached = 0;
  readonly #activeByMethod = new Map<string, GaugeChild>();

  constructor(registry: Registry, buckets: readonly number[] = HTTP_DURATION_BUCKETS) {
    this.duration = registry.histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests.',
      labelNames: RED_LABELS,
      buckets,
    });
    this.requests = registry.counter({
      name: 'http_server_requests_total',
      help: 'HTTP server requests completed (or aborted), by method, route and status code.',
      labelNames: RED_LABELS,
      exemplars: false,
    });
    this.active = registry.gauge({
      name: 'http_server_active_requests',
      help: 'HTTP server requests in flight.',
      labelNames: ['http_request_method'],
    });
    this.errors = registry.counter({
      name: 'http_server_errors_total',
      help: 'HTTP server requests that failed: 5xx status (error_type is the code), a thrown error (its class), or aborted/timeout.',
      labelNames: ['http_request_method', 'http_route', 'error_type'],
      exemplars: false,
    });
  }

  /** The in-flight gauge child of a method (methods are already normalised to a bounded set). */
  activeFor(method: string): GaugeChild {
    let g = this.#activeByMethod.get(method);
    if (g === undefined) {
      g = this.active.labels({ http_request_method: method });
      this.#activeByMethod.set(method, g);
    }
    return g;
  }

  /** Records one finished request. */
  record(method: string, route: string, status: string, seconds: number, errorType: string | undefined): void {
    let byMethod = this.#cache.get(route);
    let byStatus = byMethod?.get(method);
    let c = byStatus?.get(status);
    if (c === undefined) {
      const labels = { http_request_method: method, http_route: route, http_response_status_code: status };
      c = { duration: this.duration.labels(labels), requests: this.requests.labels(labels) };
      // Beyond the bound the children are still used, just not remembered (the registry's own
      // series cap keeps the exposition bounded).
      if (this.#cached < MAX_CACHED) {
        this.#cached++;
        if (byMethod === undefined) this.#cache.set(route, (byMethod = new Map<string, Map<string, Children>>()));
        if (byStatus === undefined) byMethod.set(method, (byStatus = new Map<string, Children>()));
        byStatus.set(status, c);
      }
    }
    c.duration.observe(seconds);
    c.requests.inc();
    if (errorType !== undefined) this.errors.inc({ http_request_method: method, http_route: route, error_type: errorType });
  }
}
