/**
 * The one way a running pillar reports a problem to a human: one stderr line per distinct `key`
 * for the life of the process (a bad environment value, a failing exporter), then silence — the
 * pillar's counters carry the rest.
 */
const warned = new Set<string>();

export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    process.stderr.write(`sightline: ${message}\n`);
  } catch {
    // stderr closed: nothing better to do
  }
}
