const warned = new Set<string>();

/** One stderr line per distinct `key` for the life of the process (bad env values, failing collector). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    process.stderr.write(`sightline: ${message}\n`);
  } catch {
    // stderr gone: nothing else to tell
  }
}
