/**
 * Routes from model-written Python to the worker's JavaScript, probed as an attacker would (red-team
 * finding 1 of issue 19 and its relatives). Two layers are checked:
 *
 * 1. Python: no route hands out `_pyodide_core`, `_ctypes`, the `_test*` C modules, Pyodide's
 *    JavaScript factories or a JsProxy-holding module (closures, gc, frames, sys.modules, importlib
 *    internals, meta-path finders, `__import__`, `__code__` swaps, pickle reducers, `_imp`).
 * 2. The bridge gate: what Python can still reach of Pyodide's JavaScript machinery (the JsProxy
 *    classes are static C types, listed by `object.__subclasses__()`) is inert: using it stops the
 *    interpreter (`SandboxSessionDeadError`) before any JavaScript of the attacker's runs.
 */
import { SandboxSessionDeadError, type SandboxSessionV1 } from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPyodideSandbox, type PyodideSandboxProvider } from '../src/index.js';

const BLOCKED = ['_pyodide_core', '_ctypes', '_testcapi', '_testinternalcapi', '_testlimitedcapi', '_remote_debugging'];

let provider: PyodideSandboxProvider;
let session: SandboxSessionV1;

beforeAll(async () => {
  provider = createPyodideSandbox({ warmPoolSize: 1 });
  session = await provider.createSession({ host: createFakeHost() });
});

afterAll(async () => {
  await session?.destroy();
  await provider?.close();
});

/** Runs `code` (which must set `report`) and returns the report as parsed JSON. */
async function probe(code: string): Promise<Record<string, unknown>> {
  const result = await session.execute(`${code}\nimport json as _json\nprint(_json.dumps(report, sort_keys=True, default=str))`, {
    timeoutMs: 60_000,
  });
  expect(result.error, result.error?.traceback).toBeUndefined();
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

const HELPERS = `
import gc, sys, types
BLOCKED = ${JSON.stringify(BLOCKED)}
def is_blocked_function(value):
    return isinstance(value, types.BuiltinFunctionType) and getattr(value, "__module__", None) in BLOCKED
def is_js_value(value):
    return not isinstance(value, type) and any(c.__name__ == "JsProxy" for c in type(value).__mro__)
def dangerous(value):
    if isinstance(value, types.ModuleType):
        return vars(value).get("__name__") in BLOCKED or any(is_blocked_function(v) for v in vars(value).values())
    return is_blocked_function(value) or is_js_value(value)
`;

describe('pyodide escape routes: Python never gets a live route to JavaScript', () => {
  it('finding 1: the closure of _imp.create_builtin holds no original loader and no blocked module', async () => {
    const report = await probe(`${HELPERS}
import _imp, importlib.machinery
cells = []
for fn in (_imp.create_builtin, _imp.create_dynamic):
    for cell in fn.__closure__ or ():
        value = cell.cell_contents
        cells.append(type(value).__name__)
        if isinstance(value, dict):
            cells += ["dangerous:" + k for k, v in value.items() if dangerous(v) or k in BLOCKED]
        elif callable(value) or dangerous(value):
            cells.append("callable:" + repr(value))
    cells += ["default:" + repr(d) for d in (fn.__defaults__ or ()) if callable(d)]
refused = {}
for name in BLOCKED:
    try:
        _imp.create_builtin(importlib.machinery.ModuleSpec(name, None, origin="built-in"))
        refused[name] = False
    except ImportError:
        refused[name] = True
report = {"cells": cells, "refused": refused}`);
    expect(report['cells']).toEqual(['dict']);
    expect(report['refused']).toEqual(Object.fromEntries(BLOCKED.map((name) => [name, true])));
  });

  it('imports of every blocked module fail, whatever importer is used', async () => {
    const report = await probe(`${HELPERS}
import importlib, importlib.util, builtins
names = BLOCKED + ["js", "pyodide", "pyodide.ffi", "pyodide.code", "pyodide_js", "_pyodide", "_pyodide._base", "ctypes", "micropip"]
leaked = []
for name in names:
    for how, load in (("import_module", importlib.import_module), ("__import__", builtins.__import__),
                      ("find_spec", importlib.util.find_spec)):
        try:
            if load(name) is not None:
                leaked.append(how + ":" + name)
        except ImportError:
            pass
report = {"leaked": leaked, "in_sys_modules": sorted(n for n in sys.modules if n.partition(".")[0] in names),
          "import_is_builtin": type(builtins.__import__) is types.BuiltinFunctionType}`);
    expect(report).toEqual({ leaked: [], in_sys_modules: [], import_is_builtin: true });
  });

  it('an extension module written by model code cannot be loaded (_imp.create_dynamic)', async () => {
    const report = await probe(`
import _imp, importlib.machinery, importlib.util, os, sys
path = "/tmp/evil.cpython-314-wasm32-emscripten.so"
open(path, "wb").write(b"\\0asm\\1\\0\\0\\0")
results = []
try:
    _imp.create_dynamic(importlib.machinery.ModuleSpec("evil", None, origin=path))
    results.append("create_dynamic loaded")
except ImportError as e:
    results.append("refused")
sys.path.insert(0, "/tmp")
try:
    import evil
    results.append("import loaded")
except ImportError:
    results.append("refused")
report = {"results": results}`);
    expect(report['results']).toEqual(['refused', 'refused']);
  });

  it('the garbage collector, frames, tracebacks and hooks lead to no blocked function, module or JavaScript value', async () => {
    const report = await probe(`${HELPERS}
found = set()
for obj in gc.get_objects():
    if isinstance(obj, dict):
        for key, value in list(obj.items()):
            if dangerous(value):
                found.add("dict:" + str(key))
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for value in list(obj):
            if dangerous(value):
                found.add("container:" + type(obj).__name__)
    elif isinstance(obj, types.FunctionType):
        for cell in obj.__closure__ or ():
            try:
                if dangerous(cell.cell_contents):
                    found.add("closure:" + obj.__qualname__)
            except ValueError:
                pass
        for value in (obj.__defaults__ or ()) + tuple((obj.__kwdefaults__ or {}).values()):
            if dangerous(value):
                found.add("default:" + obj.__qualname__)
    elif is_blocked_function(obj):
        for referrer in gc.get_referrers(obj):
            if referrer is not gc.get_objects:
                found.add("referrer of " + obj.__name__ + ":" + type(referrer).__name__)
frames = []
try:
    raise RuntimeError("walk")
except RuntimeError as error:
    frame = error.__traceback__.tb_frame
    while frame is not None:
        frames.append(frame.f_code.co_name)
        for scope in (frame.f_globals, frame.f_locals, frame.f_builtins):
            for key, value in list(scope.items()):
                if dangerous(value):
                    found.add("frame " + frame.f_code.co_name + ":" + str(key))
        frame = frame.f_back
import copyreg, pickle
for reducer in list(copyreg.dispatch_table.values()) + [getattr(pickle, "_dispatch_table", None)]:
    if dangerous(reducer):
        found.add("copyreg")
hooks = [sys.excepthook, sys.displayhook, sys.breakpointhook, sys.unraisablehook, *sys.path_hooks]
hooks += [f for f in sys.meta_path]
for hook in hooks:
    if dangerous(hook) or str(getattr(hook if isinstance(hook, type) else type(hook), "__module__", "")).startswith(("_pyodide", "pyodide")):
        found.add("hook:" + repr(hook))
report = {"found": sorted(found), "walked": len(frames) > 1}`);
    expect(report).toEqual({ found: [], walked: true });
  });

  it('replacing the guards (and swapping their __code__) does not reopen a blocked module', async () => {
    const report = await probe(`${HELPERS}
import _imp, importlib.machinery
def give_anything(spec):
    for obj in gc.get_objects():
        if isinstance(obj, types.ModuleType) and vars(obj).get("__name__") == spec.name:
            return obj
    raise ImportError(spec.name)
_imp.create_builtin = give_anything
def find_nothing(cls, fullname, path=None, target=None):
    return None
for finder in sys.meta_path:
    if getattr(finder, "__name__", "") == "_SandboxImportBlocker":
        finder.find_spec.__func__.__code__ = find_nothing.__code__
got = {}
for name in BLOCKED:
    sys.modules.pop(name, None)
    try:
        module = __import__(name)
        got[name] = sorted(k for k in vars(module) if not k.startswith("__"))
    except ImportError:
        got[name] = None
report = {"got": got}`);
    // A module object may still be found by gc, but only as an empty shell: nothing callable in it.
    for (const members of Object.values(report['got'] as Record<string, unknown>)) {
      expect(members === null || (Array.isArray(members) && members.length === 0)).toBe(true);
    }
  });
});

describe('pyodide escape routes: what Python can still reach of the bridge is inert', () => {
  const killedByGate = (error: unknown): boolean =>
    SandboxSessionDeadError.isInstance(error) && /JavaScript is not reachable from Python/.test(error.message);

  it('constructing a JsException found through object.__subclasses__() stops the interpreter before any JavaScript runs', async () => {
    const victim = await provider.createSession({ host: createFakeHost() });
    try {
      const attack =
        'def walk(t, seen):\n    for c in type.__subclasses__(t):\n        if c not in seen:\n            seen.add(c)\n            walk(c, seen)\n' +
        'seen = set()\nwalk(object, seen)\n' +
        "JsException = next(c for c in seen if c.__name__ == 'JsException')\n" +
        "print('found', JsException.__module__)\n" +
        "F = JsException('Error', 'x').constructor.constructor\n" +
        "print('reached Function', F)";
      await expect(victim.execute(attack, { timeoutMs: 60_000 })).rejects.toSatisfy(killedByGate);
    } finally {
      await victim.destroy();
    }
  });

  it('touching a JsProxy instance the garbage collector still knows stops the interpreter', async () => {
    const victim = await provider.createSession({ host: createFakeHost() });
    try {
      const attack =
        'import gc\n' +
        "proxies = [o for o in gc.get_objects() if not isinstance(o, type) and any(c.__name__ == 'JsProxy' for c in type(o).__mro__)]\n" +
        'if not proxies:\n    raise LookupError("no JsProxy reachable")\n' +
        'print(proxies[0].constructor)';
      const outcome = await victim.execute(attack, { timeoutMs: 60_000 }).then(
        (result) => result.error?.type ?? 'ran',
        (error: unknown) => (killedByGate(error) ? 'killed by the gate' : String(error)),
      );
      // Either no JsProxy is reachable at all, or using the one found ends the interpreter.
      expect(['LookupError', 'killed by the gate']).toContain(outcome);
    } finally {
      await victim.destroy();
    }
  });
});
