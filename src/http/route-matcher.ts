/**
 * A small route matcher for plain node:http servers, which have no router to ask: it maps a
 * request path to one of a fixed list of templates, so metric labels and span names stay bounded.
 */
import { InvalidRoute } from './errors.js';

/** Maps a request path (no query string) to its route template, or undefined when none matches. */
export type RouteMatcher = (path: string, method: string) => string | undefined;

interface Compiled {
  template: string;
  /** Literal segment, or null for a `:param`. */
  segments: (string | null)[];
  /** Ends in `*`: matches any (possibly empty) rest. */
  rest: boolean;
}

/**
 * Builds a matcher from templates such as `/users/:id`, `/orders`, `/static/*`. Static templates
 * are found with one Map lookup; parameterised ones are tried in the order given. A trailing slash
 * on the path is ignored.
 * @example
 * const route = routeMatcher(['/users/:id', '/users/:id/orders', '/health']);
 * route('/users/42', 'GET'); // '/users/:id'
 * route('/nope', 'GET');     // undefined → the label is route="unmatched"
 */
export function routeMatcher(templates: readonly string[]): RouteMatcher {
  if (!Array.isArray(templates)) throw InvalidRoute('routes', String(templates), 'routes must be an array of strings');
  const exact = new Map<string, string>();
  const dynamic: Compiled[] = [];
  templates.forEach((t, i) => {
    if (typeof t !== 'string' || !t.startsWith('/')) throw InvalidRoute(`routes[${i}]`, String(t), 'it must be a string starting with /');
    const parts = t.split('/').slice(1);
    const rest = parts[parts.length - 1] === '*';
    if (rest) parts.pop();
    const segments: (string | null)[] = [];
    for (const p of parts) {
      if (p.includes('*')) throw InvalidRoute(`routes[${i}]`, t, '* is only allowed as the last segment');
      if (p.startsWith(':')) {
        if (p.length === 1) throw InvalidRoute(`routes[${i}]`, t, 'a parameter needs a name');
        segments.push(null);
      } else segments.push(p);
    }
    if (!rest && segments.every((s) => s !== null)) exact.set(trimSlash(t), t);
    else dynamic.push({ template: t, segments, rest });
  });
  return (path: string): string | undefined => {
    const p = trimSlash(path);
    const hit = exact.get(p);
    if (hit !== undefined || dynamic.length === 0) return hit;
    const parts = p.split('/');
    // parts[0] is '' (the path starts with '/')
    const n = parts.length - 1;
    for (const c of dynamic) {
      const m = c.segments.length;
      if (c.rest ? n < m : n !== m) continue;
      let ok = true;
      for (let i = 0; i < m; i++) {
        const want = c.segments[i];
        const got = parts[i + 1]!;
        if (want === null ? got === '' : want !== got) {
          ok = false;
          break;
        }
      }
      if (ok) return c.template;
    }
    return undefined;
  };
}

function trimSlash(p: string): string {
  return p.length > 1 && p.charCodeAt(p.length - 1) === 47 ? p.slice(0, -1) : p;
}
