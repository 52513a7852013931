/**
 * Python side of the worker: loads the shared runtime, connects it to the host device, and locks
 * the interpreter down before model code runs. Kept as a string so it ships inside the JS build.
 *
 * Entry points called from the worker (all take and return plain strings):
 * - `prepare(runtime_source, runtime_path)`: before a snapshot, imports the runtime and warms up
 *   what it needs;
 * - `start(device_path, sleep_device_path, interrupt_device_path, runtime_source, runtime_path, max_frame_bytes)`:
 *   after boot or restore, opens the devices, installs an interruptible `time.sleep` and creates the
 *   `Runtime` (which asks the interrupt device whether its request was interrupted before it began);
 * - `lock_down()`: removes the JavaScript bridges and raw-memory modules from Python's reach;
 * - `configure(json, max_frame_bytes)`, `load_context(path, format, variable)`, `execute(code)`: runtime requests,
 *   replying JSON text `{"ok": true, "value": ...}` or `{"ok": false, "error": {"type", "message"}}`
 *   (a request that failed; Python exceptions of model code are inside an execute result).
 */
export const GLUE_MODULE_NAME = '_rlms_pyodide_glue';

export const GLUE_SOURCE = String.raw`
import builtins
import json
import os
import sys

_runtime = None
_fd = -1
_sleep_fd = -1
_interrupt_fd = -1
# Largest host-call request (bytes); a larger one is refused here with a Python exception. The
# device and the host enforce the same cap on their side and end the session when it is broken.
_max_request = 64 << 20

# Modules that give Python a way to JavaScript (the worker's realm), to raw memory or to the
# interpreter's internals (the _test* modules can read and write any address).
_BLOCKED_ROOTS = frozenset({
    "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "pyodide_http",
    "ctypes", "_ctypes", "_rlms_pyodide_glue", "_testcapi", "_testinternalcapi", "_testlimitedcapi",
    "_testbuffer", "_testclinic", "_testclinic_limited", "_testmultiphase", "_testsinglephase",
    "_xxtestfuzz", "_remote_debugging", "_ctypes_test",
})


def _dumps(value):
    """JSON that JavaScript's JSON.parse reads: ASCII (lone surrogates survive), no NaN."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


_HOST_ERROR_TYPES = {
    name: getattr(builtins, name)
    for name in (
        "RuntimeError", "ValueError", "TypeError", "KeyError", "IndexError", "TimeoutError",
        "PermissionError", "NotImplementedError", "ConnectionError", "LookupError", "OSError",
    )
}


def _load_runtime_module(source, path):
    import importlib.util
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    module = sys.modules.get("rlms_runtime")
    if module is None:
        spec = importlib.util.spec_from_file_location("rlms_runtime", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["rlms_runtime"] = module
        spec.loader.exec_module(module)
    return module


def _allowed_builtin_modules():
    """Imports every built-in module model code may use (cheap: they are compiled in)."""
    import importlib
    loaded = {}
    for name in sys.builtin_module_names:
        if name.partition(".")[0] in _BLOCKED_ROOTS:
            continue
        try:
            loaded[name] = importlib.import_module(name)
        except Exception:
            pass
    return loaded


def prepare(runtime_source, runtime_path):
    """Imports the runtime (and so the stdlib modules it uses) so a snapshot contains them."""
    _load_runtime_module(runtime_source, runtime_path)
    _allowed_builtin_modules()


def _write_all(data):
    view = memoryview(data)
    while view:
        written = os.write(_fd, view)
        view = view[written:]


def _read_exact(size):
    chunks = []
    while size > 0:
        chunk = os.read(_fd, min(size, 1 << 24))
        if not chunk:
            raise RuntimeError("rlms: the host channel closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _host_error(error):
    """The exception model code sees for a failed host call (the runtime's mapping when it has one)."""
    make = getattr(sys.modules.get("rlms_runtime"), "error_from_host", None)
    if callable(make):
        return make(error)
    kind = error.get("type") if isinstance(error, dict) else None
    message = error.get("message", "host call failed") if isinstance(error, dict) else str(error)
    return _HOST_ERROR_TYPES.get(kind, RuntimeError)(message)


def _host_call(op, payload):
    # The body: JSON {"op", "payload", "promptBytes"?}, then (with prompts) a newline and their UTF-8
    # bytes; a replacement runtime without encode_host_call sends the whole request as JSON.
    encode = getattr(sys.modules.get("rlms_runtime"), "encode_host_call", None)
    header, parts = encode(op, payload) if callable(encode) else ({"op": op, "payload": payload}, [])
    head = _dumps(header).encode("ascii")
    size = len(head) + (1 + sum(len(part) for part in parts) if parts else 0)
    if size > _max_request:
        raise ValueError(
            f"this {op} request is {size} bytes, over the sandbox's limit of {_max_request} bytes "
            "per host call (maxFrameBytes): send less data per call"
        )
    _write_all(size.to_bytes(8, "little") + head)
    if parts:
        _write_all(b"\n")
        for part in parts:
            _write_all(part)
    header = parts = None
    size = int.from_bytes(_read_exact(8), "little")
    reply = json.loads(_read_exact(size))
    if reply.get("ok"):
        return reply.get("value")
    raise _host_error(reply.get("error") or {})


def _sleep(seconds):
    """time.sleep that an interrupt (timeout) can stop."""
    import struct
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer or float")
    if seconds != seconds:
        raise ValueError("Invalid value NaN (not a number)")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    os.write(_sleep_fd, struct.pack("<d", float(seconds)))
    os.read(_sleep_fd, 1)


def _interrupt_requested():
    """True when the host interrupted the current request (maybe before its cell began)."""
    try:
        return os.read(_interrupt_fd, 1) == b"\x01"
    except OSError:  # model code closed the descriptor: only its own interrupts are lost
        return False


def start(device_path, sleep_device_path, interrupt_device_path, runtime_source, runtime_path, max_frame_bytes):
    """Opens the devices and creates the session's Runtime. Returns the Python version."""
    global _runtime, _fd, _sleep_fd, _interrupt_fd, _max_request
    import time
    _max_request = int(max_frame_bytes)
    module = _load_runtime_module(runtime_source, runtime_path)
    _fd = os.open(device_path, os.O_RDWR)
    _sleep_fd = os.open(sleep_device_path, os.O_RDWR)
    _interrupt_fd = os.open(interrupt_device_path, os.O_RDONLY)
    time.sleep = _sleep
    # Emscripten loads its entropy source (node:crypto) at the first use after boot or restore:
    # now, while module loading is still allowed.
    os.urandom(8)
    _runtime = module.Runtime(host_call=_host_call, capture_fds=False)
    _runtime.interrupt_requested = _interrupt_requested
    return sys.version.split()[0]


class _SandboxImportBlocker:
    """Meta-path finder refusing the modules that would reach JavaScript or raw memory."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname.partition(".")[0] in _BLOCKED_ROOTS:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the rlms Pyodide sandbox has no JavaScript bridge "
                "(js, pyodide_js, pyodide.ffi) and no ctypes",
                name=fullname,
            )
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


def lock_down():
    """Removes every route from Python to JavaScript we know of, and blocks re-imports."""
    _restore_asyncio()
    hook = sys.modules.get("_pyodide._importhook")
    finder = getattr(hook, "jsfinder", None)
    if finder is not None:
        getattr(finder, "jsproxies", {}).clear()
    # Pyodide's finders (JsFinder, WindowsToLinuxPathFinder…) live in modules emptied below.
    sys.meta_path[:] = [
        finder for finder in sys.meta_path
        if str(getattr(finder if isinstance(finder, type) else type(finder), "__module__", "")).partition(".")[0]
        not in _BLOCKED_ROOTS
    ]
    sys.meta_path.insert(0, _SandboxImportBlocker)
    for name in list(sys.modules):
        if name.partition(".")[0] in _BLOCKED_ROOTS:
            sys.modules.pop(name, None)
    sys.path_importer_cache.clear()
    import gc
    import types
    # Module objects outlive sys.modules (functions keep their globals): every dict entry holding a
    # function of a blocked C module (from-imports of the core's JavaScript factories) or a
    # JavaScript object goes, then the blocked modules' namespaces are emptied, so what gc finds of
    # them is an empty shell. Module specs of "js" / "pyodide_js" keep their JavaScript objects in
    # JsLoader instances.
    def blocked(name):
        return type(name) is str and name.partition(".")[0] in _BLOCKED_ROOTS and name != "_rlms_pyodide_glue"

    objects = gc.get_objects()
    modules = [obj for obj in objects if isinstance(obj, types.ModuleType) and blocked(obj.__dict__.get("__name__"))]
    module_ids = {id(module) for module in modules}
    for obj in objects:
        if type(obj).__name__ in ("JsLoader", "JsFinder"):
            vars(obj).clear()
        elif isinstance(obj, dict):
            for key, value in list(obj.items()):
                if id(getattr(value, "__self__", None)) in module_ids or (
                    type(value).__name__.startswith("Js") and not isinstance(value, type)
                ):
                    obj.pop(key, None)
    for module in modules:
        vars(module).clear()
    del objects, modules
    _guard_builtin_loader()
    gc.collect()


def _restore_asyncio():
    """Pyodide's asyncio loop runs on JavaScript timers, which model code cannot reach here.

    Model code gets CPython's selector loop instead, minus what needs sockets: no self-pipe
    (there are no threads to wake it) and a selector that only sleeps (interruptibly) until the
    next timer, since no file descriptor can be watched in the sandbox.
    """
    import asyncio
    import asyncio.events
    import selectors

    class SleepSelector(selectors.BaseSelector):
        def register(self, fileobj, events, data=None):
            raise OSError("file descriptors cannot be watched by asyncio in the rlms Pyodide sandbox")

        def unregister(self, fileobj):
            raise KeyError(fileobj)

        def select(self, timeout=None):
            if timeout is None:
                raise RuntimeError("the event loop has nothing scheduled and would wait forever")
            if timeout > 0:
                _sleep(timeout)
            return []

        def get_map(self):
            return {}

    class SandboxEventLoop(asyncio.SelectorEventLoop):
        def __init__(self):
            super().__init__(SleepSelector())

        def _make_self_pipe(self):
            pass

        def _close_self_pipe(self):
            pass

        def _write_to_self(self):
            pass

    webloop = sys.modules.get("pyodide.webloop")
    original_run = getattr(webloop, "_orig_run", None)
    if original_run is not None:
        asyncio.run = original_run
    asyncio.events._set_running_loop(None)
    if hasattr(asyncio.events, "_set_event_loop_policy"):
        asyncio.events._set_event_loop_policy(None)
        policy = asyncio.events._get_event_loop_policy()
    else:
        asyncio.set_event_loop_policy(None)
        policy = asyncio.get_event_loop_policy()
    policy._loop_factory = SandboxEventLoop


def _guard_builtin_loader():
    """_imp.create_builtin() would hand out a fresh _pyodide_core (or _ctypes) past the meta-path blocker.

    The replacement must not keep the original anywhere Python can reach it (a closure cell, a
    default argument, a global: introspection finds them all). So every allowed built-in module is
    imported now, and the replacement only hands those module objects back (importlib asks for
    one again when model code deletes it from sys.modules). The original function is dropped.
    Extension modules (create_dynamic) are refused altogether: there are none in the sandbox,
    and one written by model code would be foreign WebAssembly.
    """
    import _imp
    modules = _allowed_builtin_modules()

    def create_builtin(spec):
        name = getattr(spec, "name", None)
        module = modules.get(name) if type(name) is str else None
        if module is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name if type(name) is str else None)
        return module

    def create_dynamic(spec, file=None):
        name = getattr(spec, "name", None)
        raise ModuleNotFoundError(
            f"No module named {name!r}: extension modules cannot be loaded in the rlms Pyodide sandbox",
            name=name if type(name) is str else None,
        )

    _imp.create_builtin = create_builtin
    _imp.create_dynamic = create_dynamic


def _reply(value):
    return _dumps({"ok": True, "value": value})


def _failure(error):
    return _dumps({"ok": False, "error": {"type": type(error).__name__, "message": str(error)}})


def configure(config_json, max_frame_bytes):
    global _max_request
    try:
        _max_request = int(max_frame_bytes)
        config = json.loads(config_json)
        # The runtime learns the cap too: it splits large batches and explains an oversized prompt.
        config["maxFrameBytes"] = _max_request
        _runtime.configure(config)
        return _reply(None)
    except BaseException as error:
        return _failure(error)


def load_context(path, fmt, variable):
    """Loads the context from a file the worker wrote; the file is deleted either way."""
    try:
        load_file = getattr(_runtime, "load_context_file", None)
        if callable(load_file):
            return _reply(load_file(path, fmt, variable))
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        finally:
            os.unlink(path)
        return _reply(_runtime.load_context(data, fmt, variable))
    except BaseException as error:  # KeyboardInterrupt too: an abort during loading
        return _failure(error)
    finally:
        if os.path.exists(path):
            os.unlink(path)


def _interrupted_result(error):
    return {
        "stdout": "", "stderr": "", "final": None, "truncatedChars": 0, "durationMs": 0,
        "error": {"type": type(error).__name__, "message": str(error), "traceback": ""},
    }


def execute(code):
    try:
        result = _runtime.execute(code)
    except BaseException as error:  # an interrupt that landed outside the model's code
        result = _interrupted_result(error)
    for _ in range(3):
        try:
            return _reply(result)
        except KeyboardInterrupt:
            continue
        except Exception as error:
            result = _interrupted_result(error)
    return _reply(_interrupted_result(KeyboardInterrupt()))
`;
