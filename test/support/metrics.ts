// Helpers shared by the metrics tests: a registry that keeps warnings quiet, the samples of a
// text exposition, and the code of the error a call throws.
import assert from 'node:assert/strict';
import { Registry } from 'sightline/metrics';
import { SightlineError } from 'sightline';

/** A registry whose warnings (e.g. a capped metric) are not printed. */
export function quiet(): Registry {
  return new Registry({ onWarning: () => undefined });
}

/** Samples of a text exposition as `name{labels}` → value text. */
export function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** Samples of a text exposition as `name{labels}` → value. */
export function numericSamples(text: string): Map<string, number> {
  return new Map([...samples(text)].map(([k, v]) => [k, Number(v)]));
}

/** The code of the SightlineError `fn` throws, or undefined when it does not throw. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SightlineError, `not a SightlineError: ${String(e)}`);
    return e.code;
  }
  return undefined;
}
