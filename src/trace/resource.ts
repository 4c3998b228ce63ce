import { arch, hostname, type as osType } from 'node:os';
import { basename } from 'node:path';
import { sanitizeValue } from './attributes.js';
import { SIGHTLINE_VERSION } from '../version.js';
import { report } from '../diagnostics/index.js';
import { envString } from '../env.js';
import { InvalidResource, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import type { AttributeValue, Attributes } from './attributes.js';

/** Resource: who produced the telemetry (service.name, host.name, …). */
export interface ResourceData {
  readonly attributes: Attributes;
  readonly droppedAttributesCount?: number;
  readonly schemaUrl?: string;
}

/** What the resource is built from; see `createResource`. */
export interface ResourceOptions {
  /** service.name */
  service?: string;
  /** service.version */
  serviceVersion?: string;
  /** deployment.environment (defaults to NODE_ENV when set) */
  environment?: string;
  /** Any other attributes; these win over the environment and the detected ones. */
  attributes?: Record<string, AttributeValue>;
  /** Set false to leave out host.* and process.* attributes. */
  detect?: boolean;
}

const RESOURCE_OPTION_KEYS = optionKeys<ResourceOptions>()(['service', 'serviceVersion', 'environment', 'attributes', 'detect']);


/**
 * Parses OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values percent-encoded). Per the spec, an invalid
 * value discards the whole variable (warned once).
 */
export function parseResourceAttributes(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (key === '' || key === '__proto__') return bad(raw);
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return bad(raw);
    }
    out[key] = value;
  }
  return out;
}

function bad(raw: string): undefined {
  report('trace', 'bad_env', `ignoring OTEL_RESOURCE_ATTRIBUTES="${raw}": expected key=value pairs separated by commas, values percent-encoded`, { key: `OTEL_RESOURCE_ATTRIBUTES=${raw}` });
  return undefined;
}

function detected(): Attributes {
  const attrs: Attributes = {
    'host.name': hostname(),
    'host.arch': arch(),
    'os.type': osType().toLowerCase(),
    'process.pid': process.pid,
    'process.executable.name': basename(process.execPath),
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  };
  return attrs;
}

/**
 * Builds the resource. Precedence, lowest first: defaults (service.name =
 * `unknown_service:<executable>`, telemetry.sdk.*, host.* and process.*) < OTEL_RESOURCE_ATTRIBUTES
 * < OTEL_SERVICE_NAME (wins over service.name in OTEL_RESOURCE_ATTRIBUTES) < `attributes` option
 * < `service` / `serviceVersion` / `environment` options. Options are code, and code wins, as in
 * the OpenTelemetry SDK.
 * @example
 * createResource({ service: 'checkout', serviceVersion: '1.4.2', environment: 'production' });
 */
export function createResource(options: ResourceOptions = {}, env: NodeJS.ProcessEnv = process.env): ResourceData {
  checkOptionKeys(options, RESOURCE_OPTION_KEYS, UnknownOption, 'createResource()');
  const attrs: Attributes = {
    'service.name': `unknown_service:${basename(process.execPath)}`,
    'telemetry.sdk.name': 'sightline',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': SIGHTLINE_VERSION,
  };
  if (options.detect !== false) Object.assign(attrs, detected());
  const nodeEnv = envString(env, 'NODE_ENV');
  if (nodeEnv !== undefined) attrs['deployment.environment'] = nodeEnv;
  const raw = envString(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (raw !== undefined) Object.assign(attrs, parseResourceAttributes(raw));
  const serviceName = envString(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) attrs['service.name'] = serviceName;
  if (options.attributes !== undefined) {
    for (const key of Object.keys(options.attributes)) {
      const v = sanitizeValue(options.attributes[key], Infinity);
      if (v === undefined) throw InvalidResource(`resource.${key}`, key);
      attrs[key] = v;
    }
  }
  for (const [field, key] of [['service', 'service.name'], ['serviceVersion', 'service.version'], ['environment', 'deployment.environment']] as const) {
    const v = options[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') throw InvalidResource(field, key);
    attrs[key] = v;
  }
  return Object.freeze({ attributes: Object.freeze(attrs) });
}
