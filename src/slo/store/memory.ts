/**
 * The memory store: state lives only in the engine's rings and is lost on restart. `open`
 * returns nothing, `save` always succeeds.
 */
import type { MinuteCounts, SloStore, StoreSlo } from '../types.js';

export class MemoryStore implements SloStore {
  readonly kind = 'memory' as const;
  readonly description = 'memory';

  open(_slos: readonly StoreSlo[], _nowMs: number): Promise<{ own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> }> {
    return Promise.resolve({ own: new Map(), others: new Map() });
  }

  save(_changes: ReadonlyMap<string, readonly MinuteCounts[]>, _nowMs: number): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
