/**
 * `sightline/health`: liveness, readiness and startup probes in application/health+json, a
 * registry of background checks, graceful shutdown, crash capture and error groups.
 * @example
 * import http from 'node:http';
 * import { createHealth, createShutdown, postgresCheck } from 'sightline/health';
 * const health = createHealth({ service: 'checkout' });
 * health.register({ name: 'postgres', check: postgresCheck(pool), probes: ['readiness', 'startup'] });
 * const server = http.createServer((req, res) => health.handle(req, res) || app(req, res)).listen(8080);
 * createShutdown({ health, servers: [server] }).onShutdown('postgres', () => pool.end());
 * health.markStarted();
 */
export { Health, createHealth } from './health.js';
export type { CheckDefinition, HealthCheck, HealthOptions, HealthPhase } from './health.js';
export type { ProbeName } from './scheduled-check.js';
export type { CheckContext, CheckFunction, CheckOutcome, CheckResult, HealthStatus } from './result.js';
export { HEALTH_CONTENT_TYPE } from './render.js';
export type { CheckEntry, HealthBody, ProbeResponse } from './render.js';
export { scrubSecrets } from './scrub.js';
export { postgresCheck } from './checks/postgres.js';
export type { PgQueryable } from './checks/postgres.js';
export { redisCheck } from './checks/redis.js';
export type { RedisPingable } from './checks/redis.js';
export { httpCheck } from './checks/http.js';
export type { HttpCheckOptions } from './checks/http.js';
export { diskSpaceCheck, eventLoopDelayCheck, heapCheck } from './checks/system.js';
export type { DiskSpaceOptions, EventLoopDelayOptions, HeapOptions } from './checks/system.js';
export { customCheck } from './checks/custom.js';
export { GracefulShutdown, createShutdown } from './shutdown.js';
export type { ShutdownOptions, ShutdownReport, ShutdownPhase, HookReport, ShutdownHealth, ShutdownLogger } from './shutdown.js';
export { installCrashCapture } from './crash.js';
export type { CrashCapture, CrashCaptureOptions, FatalLogger, CounterRegistry } from './crash.js';
export { ErrorGroups, LOG_ERROR_CHANNEL, HTTP_ERROR_CHANNEL } from './error-groups.js';
export type { ErrorGroup, ErrorGroupsOptions, ErrorSource } from './error-groups.js';
export { normalizeMessage, applicationFrames, fingerprint } from './fingerprint.js';
