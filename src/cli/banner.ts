/** What `sightline demo` tells a newcomer before the first log line. */
export interface BannerInfo {
  shop: string;
  inventory: string;
  /** Base URL of the admin server, or undefined when it could not listen. */
  admin: string | undefined;
  healthPaths: { live: string; ready: string; startup: string };
  rate: number;
  /** Seconds of traffic; 0 = until interrupted. */
  duration: number;
  format: 'pretty' | 'json';
}

/**
 * The banner: where everything is, what traffic runs and how to stop. Each URL opens its line
 * after a fixed label (`  shop  http://...`), so scripts can read them too.
 */
export function bannerText(b: BannerInfo): string {
  const admin = b.admin;
  const rows: [string, string][] = [
    ['shop', `${b.shop}    try: curl ${b.shop}/products/1`],
    ['inventory', `${b.inventory}    called by the shop with fetch: one trace spans both services`],
  ];
  if (admin === undefined) rows.push(['metrics', 'unavailable: the admin server could not listen (see above)']);
  else {
    rows.push(['metrics', `${admin}/metrics`]);
    const probes = [
      [b.healthPaths.live, 'liveness'],
      [b.healthPaths.ready, 'readiness: 200 while running, 503 once stopping'],
      [b.healthPaths.startup, 'startup'],
    ] as const;
    const w = Math.max(...probes.map(([p]) => p.length)) + 4;
    probes.forEach(([p, what], i) => rows.push([i === 0 ? 'health' : '', `${admin}${p.padEnd(w)}${what}`]));
  }
  rows.push(['traffic', `${b.rate} requests/s: GET /products, /products/:id and /checkout (call the inventory;`]);
  rows.push(['', 'some checkouts fail with 500), /slow (a span of 200 to 800 ms) and unknown paths (404)']);
  rows.push(['logs', b.format === 'pretty' ? 'human lines below (--json: raw JSON lines)' : 'JSON lines on stdout (--pretty: human lines)']);
  const stop = 'Ctrl-C: readiness fails, in-flight requests finish, telemetry is flushed, exit 0';
  rows.push(['stop', b.duration > 0 ? `after ${b.duration} s, or ${stop}` : stop]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const body = rows.map(([l, t]) => `  ${l.padEnd(width)}${t}`).join('\n');
  return `sightline demo: two instrumented services under generated load\n\n${body}\n\n`;
}
