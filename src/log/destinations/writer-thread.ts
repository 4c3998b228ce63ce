/**
 * The log writer thread: performs every destination's I/O off the main thread.
 *
 * Why a thread: the main thread must never block on I/O, yet everything accepted must reach its
 * destination even on `process.exit()`, a crash or a signal, when the main event loop no longer
 * runs. This thread keeps running while the main thread waits for it (Atomics.wait on the shared
 * acknowledgement counter) in its exit handler, so both hold.
 *
 * Protocol (main → thread): {op:'open'|'write'|'reopen'|'close'|'ping', id, seq, …}. 'open'
 * carries the destination's SharedArrayBuffer ring; 'write' carries only a byte range of it (the
 * main thread encoded the lines there). Messages are handled strictly in order; after each one
 * the thread stores its seq in the control block's ACK word and notifies, which frees the range:
 * a batch is acknowledged only once its write is complete, so whatever the thread had not
 * acknowledged when it died is still in the ring for the main thread to write. Messages with
 * `reply: true` are also answered with {op:'acked', seq} for promise-based flushes.
 *
 * The STATE word tells the main thread, without its event loop, that this thread runs (set once
 * the message listener is installed) and that it exited (set by the 'exit' handler, which also
 * runs after an uncaught exception), so a main thread waiting for room stops waiting at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeAllSync } from './fd-sink.js';
import { SINK_KINDS } from './sinks.js';
import type { PartialWriteError, Sink, SinkEnv } from './sink.js';
import type { Reasons } from '../../diagnostics/index.js';
import { ACK, EXITED, RUNNING, STATE } from './writer-control.js';

interface Msg {
  op: 'open' | 'write' | 'reopen' | 'close' | 'ping';
  id: number;
  seq: number;
  reply?: boolean;
  kind?: string;
  name?: string;
  options?: unknown;
  ring?: SharedArrayBuffer;
  start?: number;
  end?: number;
}

interface SinkState {
  id: number;
  sink: Sink | undefined;
  ring: Buffer;
  name: string;
  failing: boolean;
  fallbackLines: number;
  errors: number;
  openError: string | undefined;
}

const ctl = new Int32Array((workerData as { ctl: SharedArrayBuffer }).ctl);
const sinks = new Map<number, SinkState>();
const queue: Msg[] = [];
let draining = false;

/** A notice on stderr, written from this thread (the main thread may be blocked at exit). */
function warn(message: string): void {
  try {
    writeAllSync(2, `sightline: ${message}\n`);
  } catch {
    // stderr is gone too: nothing left to tell
  }
}

/**
 * A run-time problem: printed here when `print`, and counted by the main thread's diagnostics
 * (`sightline_internal_errors_total{pillar="log"}`), which this thread cannot reach directly.
 */
function problem(reason: Reasons['log'], message: string, print = true): void {
  if (print) warn(message);
  parentPort!.postMessage({ op: 'report', reason, message });
}

function countLines(s: string | Buffer): number {
  let n = 0;
  const nl = typeof s === 'string' ? '\n' : 10;
  for (let i = s.indexOf(nl as never); i !== -1; i = s.indexOf(nl as never, i + 1)) n++;
  return n;
}

function fail(st: SinkState, data: string | Buffer, e: unknown): void {
  st.errors++;
  // A sink may have written the start of the batch (see PartialWriteError): only the rest falls
  // back (characters of a text sink's batch, bytes of a byte sink's).
  const done = (e as Partial<PartialWriteError> | undefined)?.writtenChars;
  if (typeof done === 'number' && done > 0) data = typeof data === 'string' ? data.slice(done) : data.subarray(done);
  const lines = countLines(data);
  st.fallbackLines += lines;
  const err = e as NodeJS.ErrnoException;
  // Every failed batch counted; printed when the destination starts failing.
  problem('destination_failed', `log destination ${st.name} failed (${err?.code ?? ''} ${err?.message ?? String(e)}); its lines go to stderr until it recovers`, !st.failing);
  st.failing = true;
  try {
    writeAllSync(2, data);
  } catch {
    // stderr failing as well: the lines are counted as fallback but cannot be shown
  }
  parentPort!.postMessage({ op: 'stats', id: st.id, fallback: lines, errors: 1 });
}

function succeed(st: SinkState): void {
  if (st.failing) {
    st.failing = false;
    warn(`log destination ${st.name} recovered (${st.fallbackLines} lines went to stderr meanwhile)`);
  }
}

async function handle(m: Msg): Promise<void> {
  if (m.op === 'open') {
    const st: SinkState = { id: m.id, sink: undefined, ring: Buffer.from(m.ring ?? new SharedArrayBuffer(0)), name: m.name ?? `#${m.id}`, failing: false, fallbackLines: 0, errors: 0, openError: undefined };
    sinks.set(m.id, st);
    const env: SinkEnv = {
      warn,
      report: problem,
      count: (name, n = 1) => parentPort!.postMessage({ op: 'count', id: m.id, name, n }),
    };
    try {
      const factory = SINK_KINDS[m.kind ?? ''];
      if (factory === undefined) throw new Error(`unknown sink kind ${m.kind}`);
      st.sink = await factory(m.options, env);
    } catch (e) {
      st.openError = String(e);
      st.failing = true;
      problem('destination_open_failed', `log destination ${st.name} could not be opened (${String(e)}); its lines go to stderr`);
    }
    return;
  }
  const st = sinks.get(m.id);
  if (st === undefined) return;
  if (m.op === 'write') {
    const bytes = st.ring.subarray(m.start ?? 0, m.end ?? 0);
    const sink = st.sink;
    if (sink === undefined) {
      fail(st, bytes, new Error(st.openError ?? 'not open'));
      return;
    }
    // A text sink gets its own decoded copy; a byte sink writes from the shared ring.
    const data = sink.bytes === true ? bytes : bytes.toString('utf8');
    try {
      const r = sink.bytes === true ? sink.write(bytes) : sink.write(data as string);
      if (r !== undefined) await r;
      succeed(st);
    } catch (e) {
      fail(st, data, e);
    }
  } else if (m.op === 'reopen') {
    try {
      await st.sink?.reopen?.();
    } catch (e) {
      problem('destination_reopen_failed', `log destination ${st.name} could not be re-opened (${String(e)})`);
    }
  } else if (m.op === 'close') {
    try {
      await st.sink?.close();
    } catch {
      // closing is best effort
    }
    sinks.delete(m.id);
  }
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    while (queue.length > 0) {
      const m = queue.shift()!;
      try {
        await handle(m);
      } catch (e) {
        problem('writer_failed', `log writer: ${String(e)}`);
      }
      Atomics.store(ctl, ACK, m.seq);
      Atomics.notify(ctl, ACK);
      if (m.reply === true) parentPort!.postMessage({ op: 'acked', seq: m.seq });
    }
  } finally {
    draining = false;
  }
}

function setState(state: number): void {
  Atomics.store(ctl, STATE, state);
  Atomics.notify(ctl, STATE);
  Atomics.notify(ctl, ACK);
}

process.on('exit', () => setState(EXITED));
parentPort!.on('message', (m: Msg) => {
  queue.push(m);
  void drain();
});
setState(RUNNING);
