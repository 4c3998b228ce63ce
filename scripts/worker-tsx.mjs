// Test-runner preload (run-tests.mjs puts it in NODE_OPTIONS, so every node process a test starts
// has it too): lets worker threads whose entry is a TypeScript file run from the sources.
//
// Loader hooks are per thread, and the library starts its log writer thread with an empty
// execArgv and without NODE_OPTIONS (only its own code runs there), so the tsx hooks of the
// process do not reach it. A worker started from a `.ts` file therefore starts from a small
// bootstrap that registers tsx in that thread, then imports the entry. Every other worker, and
// every option (execArgv, env, workerData…), is left as given.
import workerThreads from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const tsxApi = import.meta.resolve('tsx/esm/api');
const Base = workerThreads.Worker;

function tsEntry(filename, options) {
  if (options?.eval === true) return undefined;
  if (filename instanceof URL) return filename.protocol === 'file:' && filename.pathname.endsWith('.ts') ? filename.href : undefined;
  if (typeof filename !== 'string') return undefined;
  if (filename.startsWith('file:')) return filename.endsWith('.ts') ? filename : undefined;
  return filename.endsWith('.ts') ? pathToFileURL(filename).href : undefined;
}

class Worker extends Base {
  constructor(filename, options) {
    const entry = tsEntry(filename, options);
    if (entry === undefined) {
      super(filename, options);
    } else {
      const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
      super(boot, { ...options, eval: true });
    }
  }
}

workerThreads.Worker = Worker;
syncBuiltinESMExports();
