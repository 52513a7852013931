/**
 * The switch that turns Pyodide's Python → JavaScript bridge off once the sandbox is locked down.
 *
 * Everything Python can do with a JavaScript object (read or write an attribute, call it,
 * construct with it, iterate it, list its keys, compare it, build one with `to_js`, wrap a Python
 * object as a PyProxy…) goes through WebAssembly imports that Pyodide's C code calls (`JsProxy_*`,
 * `Jsv*`, `hiwire_*`…). They are wrapped here before instantiation; after `lock()` the wrappers
 * throw instead of touching JavaScript. So even when Python gets hold of `_pyodide_core` or a
 * JsProxy through some introspection path nobody thought of, it cannot take the step from
 * "I hold a JavaScript object" to "I run JavaScript" (e.g. `.constructor.constructor` →
 * `Function`).
 *
 * The worker keeps calling Python (`glue.execute(code)`): those calls go JavaScript → Python and
 * need a few conversion imports, which stay open for primitive values only (`ALLOWED_AFTER_LOCK`).
 *
 * A refused import throws into Pyodide's C code, which treats it as a fatal error: the
 * interpreter stops and the session ends (`SandboxSessionDeadError`). Only code that reached for
 * JavaScript gets there.
 *
 * Runs in the worker thread; imports nothing.
 */

/** Import families of the Python → JavaScript bridge. */
const BRIDGE_IMPORT = new RegExp(
  '^(?:_?_?Jsv|JsProxy|JsArray|JsMap|JsObjMap|JsBuffer|JsException|JsModule|JsDoubleProxy|_JsObject|_JsArray|' +
    '_?js2python|_?python2js|_?pyproxy|raw_call_js|_?_?hiwire|destroy_prox|create_once_callable|create_promise_handles|' +
    'can_run_sync_js|saveState|restoreState|syncifyHandler|get_suspender|set_suspender|wrap_generator|' +
    'wrap_async_generator|get_async_js_call_done_callback|handle_next_result_js|_agen_handle_result_js|array_to_js|' +
    'my_dict_converter|get_length_helper|get_length_string|proxy_cache_|gc_register_proxies|is_comlink_proxy|' +
    'jslib_|_pyproxyGen|JsvPromise|set_pyodide_module|pyodide_js_init|throw_no_gil)',
);

const isPrimitive = (value: unknown): boolean =>
  value === null || (typeof value !== 'object' && typeof value !== 'function');

/**
 * Imports the worker's own JavaScript → Python calls need after the lock (found by running every
 * request type with the gate recording), each with the condition under which it stays open. The
 * worker calls Python with strings and numbers and gets strings back, so these conditions only
 * let primitives cross: Python never receives, reads or calls a JavaScript object through them.
 */
const ALLOWED_AFTER_LOCK: Readonly<Record<string, (args: readonly unknown[]) => boolean>> = {
  // Reads a call's argument array (PyProxy calls): allowed for arrays of primitives only.
  JsvArray_Get: ([array]) => Array.isArray(array) && array.every(isPrimitive),
  // Converts a call's argument to Python: allowed for primitives (str, int, float, bool, None).
  js2python_js: ([value]) => isPrimitive(value),
  // Checks for Pyodide's "no value" marker: reads nothing.
  JsvNoValue_Check: () => true,
  // Build a JavaScript string from a Python str (results of the worker's calls).
  _python2js_ascii: () => true,
  _python2js_ucs1: () => true,
  _python2js_ucs2: () => true,
  _python2js_ucs4: () => true,
};

/** Thrown into Pyodide's C code by a locked import; Python sees an exception, never a JavaScript object of ours. */
export class JsBridgeLockedError extends Error {
  constructor(name: string) {
    super(`JavaScript is not reachable from Python in the rlms sandbox (${name})`);
    this.name = 'JsBridgeLockedError';
  }
}

export interface JsBridgeGate {
  /** From now on every bridge import throws (but the primitive-only ones above). Irreversible. */
  lock(): void;
}

/** Wraps the bridge imports in `env` (the module's `env` imports, before instantiation). */
export function installJsBridgeGate(env: Record<string, unknown>): JsBridgeGate {
  let locked = false;
  for (const name of Object.keys(env)) {
    const original = env[name];
    if (typeof original !== 'function' || !BRIDGE_IMPORT.test(name)) continue;
    const allowed = ALLOWED_AFTER_LOCK[name];
    const gated = function gatedBridgeImport(this: unknown, ...args: unknown[]): unknown {
      if (locked) {
        if (!allowed?.(args)) throw new JsBridgeLockedError(name);
      }
      return Reflect.apply(original as (...values: unknown[]) => unknown, this, args);
    };
    // Emscripten reads metadata off some imports (`sig`, `isAsync`…): keep it.
    for (const key of Object.getOwnPropertyNames(original)) {
      if (key === 'length' || key === 'name' || key === 'prototype' || key === 'arguments' || key === 'caller') continue;
      const descriptor = Object.getOwnPropertyDescriptor(original, key);
      if (descriptor) Object.defineProperty(gated, key, descriptor);
    }
    env[name] = gated;
  }
  return {
    lock() {
      locked = true;
    },
  };
}
