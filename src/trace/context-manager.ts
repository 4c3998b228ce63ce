import { EventEmitter } from 'node:events';
import type { Context as ApiContext, ContextManager } from '@opentelemetry/api';
import { Context, ROOT_CONTEXT } from '../context/index.js';
import { storage } from '#internal/context';

type Listener = (...args: unknown[]) => unknown;
/** What `attach` returns: the shape of @opentelemetry/api 1.10's `ContextManagementToken`, declared here so the package also type-checks against api 1.9. */
export interface ContextManagementToken {
  dispose(): void;
}
/** Marks an emitter whose listener-adding methods are patched. */
const BOUND = Symbol('sightline.boundEmitter');
type PatchedEmitter = EventEmitter & { [BOUND]?: boolean };

const ADD_METHODS = ['addListener', 'on', 'prependListener'] as const;

/**
 * The @opentelemetry/api `ContextManager` on Sightline's one request context store: what
 * OpenTelemetry code sees as the active context is `currentContext()`, and a span made active by
 * OpenTelemetry instrumentation is what the logger reads trace ids from.
 * Contexts built by @opentelemetry/api itself are accepted and wrapped (reads fall back to them).
 * @example
 * import { context } from '@opentelemetry/api';
 * context.setGlobalContextManager(new SightlineContextManager().enable());
 */
export class SightlineContextManager implements ContextManager {
  #enabled = false;

  active(): ApiContext {
    if (!this.#enabled) return ROOT_CONTEXT;
    return storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: ApiContext, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (!this.#enabled) return fn.apply(thisArg, args);
    const ctx = toOurs(context);
    return thisArg === undefined ? storage.run(ctx, fn, ...args) : storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(context: ApiContext, target: T): T {
    if (target instanceof EventEmitter) return bindEmitter(this, context, target) as T;
    if (typeof target === 'function') return bindFunction(this, context, target as unknown as Listener) as T;
    return target;
  }

  /**
   * Best-effort `attach` (optional in the API) for callback code that cannot use `with`:
   * enters the context for the rest of the current synchronous execution and its async children.
   */
  attach(context: ApiContext): ContextManagementToken {
    const previous = storage.getStore();
    if (this.#enabled) storage.enterWith(toOurs(context));
    return {
      dispose: () => {
        if (previous === undefined) storage.enterWith(ROOT_CONTEXT);
        else storage.enterWith(previous);
      },
    };
  }

  enable(): this {
    this.#enabled = true;
    return this;
  }

  /**
   * Detaches OpenTelemetry from the store: `active()` returns the root context and `with` runs
   * functions as they are. Sightline's own request contexts (used by the logger) are unaffected.
   */
  disable(): this {
    this.#enabled = false;
    return this;
  }
}

function toOurs(context: ApiContext): Context {
  if (context instanceof Context) return context;
  if (context === null || typeof context !== 'object' || typeof context.getValue !== 'function') return storage.getStore() ?? ROOT_CONTEXT;
  return (storage.getStore() ?? ROOT_CONTEXT).adopt(context);
}

function bindFunction(manager: SightlineContextManager, context: ApiContext, fn: Listener): Listener {
  const bound = function (this: unknown, ...args: unknown[]): unknown {
    return manager.with(context, () => fn.apply(this, args));
  };
  Object.defineProperty(bound, 'length', { enumerable: false, configurable: true, writable: false, value: fn.length });
  return bound;
}

/**
 * Every listener added from now on runs in `context`. once/prependOnceListener go through
 * on/prependListener inside Node, so patching the three adders covers all five. Each wrapper
 * carries `listener` (what Node's removeListener compares), so removing the original works.
 */
function bindEmitter(manager: SightlineContextManager, context: ApiContext, ee: PatchedEmitter): EventEmitter {
  if (ee[BOUND] === true) return ee;
  Object.defineProperty(ee, BOUND, { value: true, enumerable: false, configurable: true });
  for (const method of ADD_METHODS) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
    const original = ee[method] as (event: string | symbol, listener: Listener) => EventEmitter;
    if (typeof original !== 'function') continue;
    ee[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
      if (typeof listener !== 'function') return original.call(this, event, listener);
      const wrapped = bindFunction(manager, context, listener) as Listener & { listener?: unknown };
      wrapped.listener = (listener as { listener?: unknown }).listener ?? listener;
      return original.call(this, event, wrapped);
    } as never;
  }
  return ee;
}
