/**
 * Check outputs go to whoever can reach a probe (often the whole cluster network), so they must
 * never carry connection strings or credentials, whatever a driver put in its error message.
 */

// scheme://user:pass@host → scheme://***@host (any userinfo, with or without a password)
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
// password=…, pwd: …, "token": "…", api_key=… in libpq strings, query strings, JSON and prose
const KEY_VALUE = /\b(password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|auth|authorization|credentials?)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;&,"'}]+)/gi;
// "Bearer abc…" / "Basic abc…" headers echoed back
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/**
 * Removes credentials from a message: URL userinfo, `key=value` pairs whose key names a secret,
 * and Authorization header values.
 * @example
 * scrubSecrets('connect to postgres://app:s3cret@db:5432/x failed'); // 'connect to postgres://***@db:5432/x failed'
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(URL_USERINFO, '$1***@')
    .replace(AUTH_SCHEME, '$1 ***')
    .replace(KEY_VALUE, '$1$2***');
}
