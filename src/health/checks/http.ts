import type { HealthCheck } from '../health.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { InvalidCheck, UnknownOption } from '../errors.js';

/** Options of {@link httpCheck}. */
export interface HttpCheckOptions {
  /** Expected status: a number, a list, or a predicate (default: any 2xx). */
  expectedStatus?: number | number[] | ((status: number) => boolean);
  /** Method (default GET). */
  method?: string;
  /** Request headers (never echoed in outputs). */
  headers?: Record<string, string>;
}

const HTTP_CHECK_OPTION_KEYS = optionKeys<HttpCheckOptions>()(['expectedStatus', 'method', 'headers']);

/**
 * An HTTP dependency check: one request with `fetch`, aborted at the check's timeout; passes when
 * the status is the expected one. Outputs name the URL without credentials, query or fragment.
 * @example
 * health.register({ name: 'payments', check: httpCheck('http://payments:8080/health/ready', { expectedStatus: 200 }) });
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): HealthCheck {
  checkOptionKeys(options, HTTP_CHECK_OPTION_KEYS, UnknownOption, 'httpCheck()');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw InvalidCheck('check', 'httpCheck needs an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw InvalidCheck('check', 'httpCheck needs an absolute http(s) URL');
  const exp = options.expectedStatus;
  let ok: (s: number) => boolean;
  let want: string;
  if (exp === undefined) {
    ok = (s) => s >= 200 && s < 300;
    want = '2xx';
  } else if (typeof exp === 'number' && Number.isInteger(exp)) {
    ok = (s) => s === exp;
    want = String(exp);
  } else if (Array.isArray(exp) && exp.length > 0 && exp.every((n) => Number.isInteger(n))) {
    ok = (s) => exp.includes(s);
    want = exp.join(' or ');
  } else if (typeof exp === 'function') {
    ok = exp;
    want = 'a status accepted by expectedStatus()';
  } else throw InvalidCheck('expectedStatus', 'expectedStatus must be an integer, an array of integers or a function');
  const method = options.method ?? 'GET';
  const safe = `${u.protocol}//${u.host}${u.pathname}`;
  const headers: Record<string, string> = { ...options.headers };
  // fetch refuses URLs with credentials: send them as Basic authorization instead.
  if (u.username !== '' || u.password !== '') {
    const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) headers['authorization'] = `Basic ${basic}`;
    u.username = '';
    u.password = '';
  }
  const href = u.href;
  return {
    componentType: 'component',
    measurement: 'responseTime',
    dependency: true,
    run: async ({ signal }) => {
      let res: Response;
      try {
        res = await fetch(href, { method, headers, signal, redirect: 'manual' });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`${method} ${safe} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
      }
      // Release the connection; the body is not needed.
      await res.body?.cancel().catch(() => undefined);
      if (!ok(res.status)) throw new Error(`${method} ${safe} answered ${res.status}, expected ${want}`);
    },
  };
}
