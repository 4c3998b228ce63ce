// Real component: the official @opentelemetry/instrumentation-pg, registered against Sightline's
// global provider, running queries on the PostgreSQL at 127.0.0.1:5432 (user postgres, db test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import * as api from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { currentContext } from 'sightline/context';
import { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter, type SpanRecord } from 'sightline/trace';
import type * as PgTypes from 'pg';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('instrumentation-pg records pg spans under a Sightline span, through the global API', async (t) => {
  if (!(await reachable(5432))) {
    if (process.env.CI === 'true') assert.fail('PostgreSQL is not reachable on 127.0.0.1:5432');
    t.skip('PostgreSQL not reachable on 127.0.0.1:5432');
    return;
  }
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ env: {}, service: 'pg-test', processors: [new SimpleSpanProcessor(exporter)] }).register();
  const instrumentation = new PgInstrumentation({ enhancedDatabaseReporting: false });
  const unregister = registerInstrumentations({ instrumentations: [instrumentation] });
  // instrumentation-pg patches `pg` when it is required (require-in-the-middle): load it after.
  const pg = createRequire(import.meta.url)('pg') as typeof PgTypes;
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  try {
    const tracer = provider.getTracer('app');
    let ids: { traceId: string; spanId: string } | undefined;
    await tracer.span('handle request', async (span) => {
      ids = span.spanContext();
      const r = await client.query('SELECT $1::int + 1 AS n', [41]);
      assert.equal(r.rows[0]?.n, 42);
      // the logger's view inside the awaited continuation still has our span
      assert.equal(currentContext().traceIds?.spanId, ids.spanId);
      await assert.rejects(client.query('SELECT * FROM sightline_no_such_table'));
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'handle request') as SpanRecord;
    const pgSpans = spans.filter((s) => s.scope.name.includes('instrumentation-pg') && s.parentSpanId === root.spanId);
    assert.ok(pgSpans.length >= 2, `pg spans: ${spans.map((s) => `${s.name}<${s.scope.name}>`).join(', ')}`);
    for (const s of pgSpans) {
      assert.equal(s.traceId, ids?.traceId);
      assert.equal(s.kind, api.SpanKind.CLIENT);
      assert.equal(s.resource.attributes['service.name'], 'pg-test');
    }
    const ok = pgSpans.find((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']).includes('$1::int + 1'));
    assert.ok(ok, 'the SELECT span carries its statement');
    assert.equal(ok.status.code, 0);
    const failed = pgSpans.find((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']).includes('sightline_no_such_table'));
    assert.equal(failed?.status.code, api.SpanStatusCode.ERROR);
    assert.deepEqual(root.status, { code: 0 });
  } finally {
    await client.end();
    unregister();
    await provider.shutdown();
  }
});
