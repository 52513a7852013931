"""rlms REPL runtime, wire protocol version 3 (see PROTOCOL.md next to this file).

One Python program for every Python sandbox. Two ways to drive it:

* embedded (Pyodide worker): ``Runtime(host_call=fn)`` and its ``configure`` /
  ``load_context`` / ``execute`` methods;
* stdio (subprocess, ``docker exec``, cloud sandbox commands): ``python3 -u rlms_runtime.py``
  speaks JSON-line frames on its original stdin/stdout.

Standard library only. The file must stay parseable by old Pythons so that they can print a clear
"too old" message instead of a SyntaxError.
"""
from __future__ import annotations

import sys

if sys.version_info < (3, 10):  # pragma: no cover - exercised with an old interpreter only
    sys.stderr.write(
        "rlms runtime requires Python >= 3.10, but %s is Python %s. Install Python 3.10 or newer "
        "and point the sandbox at it (e.g. the `pythonPath` setting or the RLMS_PYTHON environment "
        "variable).\n" % (sys.executable or "python", sys.version.split()[0])
    )
    sys.exit(3)

import ast
import builtins
import codecs
import io
import itertools
import json
import keyword
import linecache
import os
import platform
import queue
import signal
import tempfile
import threading
import time
import traceback
import types

PROTOCOL_VERSION = 3
DEFAULT_MAX_OUTPUT_CHARS = 20_000
# Largest message to the host (a frame's header line, or its attachment), unless `configure` says otherwise.
DEFAULT_MAX_FRAME_BYTES = 64 << 20
MIN_FRAME_BYTES = 65_536
# Room kept in a message for what surrounds a value (frame type, id, field names).
_FRAME_ENVELOPE_BYTES = 1024
API_NAMES = frozenset(
    {"context", "llm_query", "llm_query_batched", "rlm_query", "rlm_query_batched", "FINAL", "FINAL_VAR", "SHOW_VARS"}
)
_API_FUNCTIONS = API_NAMES - {"context"}
# Frames of this file are hidden from tracebacks shown to model code.
_RUNTIME_FILENAME = (lambda: None).__code__.co_filename
_CELL_PREFIX = "<cell-"
_JSON_ERRORS = (TypeError, ValueError, RecursionError)


def _dumps(value) -> str:
    """Compact JSON that JavaScript's JSON.parse accepts (no NaN/Infinity, ASCII-only escapes)."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "replace"))


def split_prompts(op: str, payload: dict):
    """``(payload without its prompts, prompts or None)``: prompts travel as UTF-8 bytes, not in JSON."""
    if op in ("llm_query", "rlm_query") and isinstance(payload.get("prompt"), str):
        prompts = [payload["prompt"]]
    elif op in ("llm_query_batched", "rlm_query_batched") and isinstance(payload.get("prompts"), list):
        prompts = payload["prompts"]
    else:
        return payload, None
    return {key: value for key, value in payload.items() if key not in ("prompt", "prompts")}, prompts


class _EncodedPrompts(list):
    """A batch's prompts (a plain list to everyone) that also carries their UTF-8 bytes in ``utf8``."""

    __slots__ = ("utf8",)

    def __init__(self, prompts, utf8):
        super().__init__(prompts)
        self.utf8 = utf8


def encode_prompts(prompts) -> list:
    """The prompts' UTF-8 bytes (invalid surrogates replaced), reusing those a batch already encoded."""
    utf8 = getattr(prompts, "utf8", None)
    if utf8 is not None and len(utf8) == len(prompts):
        return utf8
    return [prompt.encode("utf-8", "replace") for prompt in prompts]


def encode_host_call(op: str, payload: dict):
    """``(header, parts)`` of an embedded (Pyodide) host-call request.

    The request body is the ASCII JSON ``header`` (``{"op", "payload", "promptBytes"?}``), then, when
    there are prompts, ``\\n`` and the prompts' UTF-8 bytes (``parts``) one after the other.
    """
    rest, prompts = split_prompts(op, payload)
    header = {"op": op, "payload": rest}
    if prompts is None:
        return header, []
    parts = encode_prompts(prompts)
    header["promptBytes"] = [len(part) for part in parts]
    return header, parts


def _embedded_message_size(op, payload, prompt_sizes=None) -> int:
    """Bytes of one host-call request as the Pyodide glue sends it: an 8-byte length, then the body
    of ``encode_host_call`` (JSON header, newline, prompts)."""
    rest, prompts = split_prompts(op, payload)
    header = {"op": op, "payload": rest}
    if prompts is None:
        return 8 + len(_dumps(header))
    sizes = prompt_sizes if prompt_sizes is not None else [_utf8_length(prompt) for prompt in prompts]
    header["promptBytes"] = sizes
    return 8 + len(_dumps(header)) + 1 + sum(sizes)


def _cut_middle(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: head and tail with a note of what was cut."""
    if len(text) <= limit:
        return text
    half = max(limit // 2, 0)
    return "%s\n... [%d characters truncated] ...\n%s" % (text[:half], len(text) - 2 * half, text[len(text) - half:] if half else "")


class MessageTooLargeError(ValueError):
    """A message to the host would be over the frame size limit (``maxFrameBytes``)."""


def error_from_host(error) -> Exception:
    """Builds the exception model code sees for a failed host call.

    ``error`` is the ``{"type", "message"}`` object of a ``host_result``. A builtin exception
    name (``ValueError``, ``TimeoutError``...) gives that exception; anything else a
    ``RuntimeError`` whose message starts with the host's type name.
    """
    if not isinstance(error, dict):
        return RuntimeError("host call failed: %r" % (error,))
    name = error.get("type")
    message = str(error.get("message") or "host call failed")
    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:  # exception classes with mandatory extra arguments
            pass
    if isinstance(name, str) and name and name not in ("Error", "RuntimeError"):
        message = "%s: %s" % (name, message)
    return RuntimeError(message)


# --------------------------------------------------------------------------------------------
# Output capture
# --------------------------------------------------------------------------------------------


class _OutputBuffer:
    """Keeps the head and the tail of everything written, within ``limit`` characters in total.

    ``write`` is the hot path of every ``print`` and takes no lock: it appends to a list (atomic
    under the GIL). Pending chunks are folded into the exact head/tail by ``_compact`` (under a lock,
    taking a prefix with ``del chunks[:n]`` so appends from other threads are never lost) every
    ``_COMPACT_CHUNKS`` writes or on any large write, so memory stays bounded however much is printed.
    """

    _COMPACT_CHUNKS = 128
    _LARGE_WRITE = 4096

    def __init__(self, limit: int):
        self._lock = threading.Lock()
        self._chunks = []
        self.set_limit(limit)

    def set_limit(self, limit: int) -> None:
        with self._lock:
            self._limit = limit
            self._head_cap = limit // 2
            self._tail_cap = limit - self._head_cap
            self._reset()

    def clear(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        del self._chunks[:]
        self._head = ""
        self._tail = ""
        self._total = 0

    def write(self, text) -> int:
        if text.__class__ is not str and not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        chunks = self._chunks
        chunks.append(text)
        if len(chunks) >= self._COMPACT_CHUNKS or len(text) > self._LARGE_WRITE:
            self._compact()
        return len(text)

    def _compact(self) -> None:
        with self._lock:
            self._compact_locked()

    def _compact_locked(self) -> None:
        count = len(self._chunks)
        if not count:
            return
        text = "".join(self._chunks[:count])
        del self._chunks[:count]
        self._total += len(text)
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += text[:room]
            text = text[room:]
        if not text:
            return
        cap = self._tail_cap
        if len(text) >= cap:
            self._tail = text[len(text) - cap :] if cap else ""
        else:
            tail = self._tail + text
            self._tail = tail[len(tail) - cap :] if len(tail) > cap else tail

    def skip(self, count: int) -> None:
        """Counts ``count`` characters that were dropped before reaching the buffer (middle of a big output)."""
        if count <= 0:
            return
        with self._lock:
            self._compact_locked()
            self._total += count
            self._tail = ""  # text before the gap can no longer be part of a contiguous tail

    def render(self) -> tuple:
        """Returns ``(text, truncated_chars)``."""
        with self._lock:
            self._compact_locked()
            head, tail = self._head, self._tail
            dropped = self._total - len(head) - len(tail)
            if dropped <= 0:
                return head + tail, 0
            sep = "" if not head or head.endswith("\n") else "\n"
            return "%s%s... [%d characters truncated] ...\n%s" % (head, sep, dropped, tail), dropped


class _BinaryCapture(io.RawIOBase):
    """``sys.stdout.buffer``: bytes written are decoded as UTF-8 (split characters handled)."""

    def __init__(self, buffer: _OutputBuffer):
        super().__init__()
        self._buffer = buffer
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data)
        with self._lock:
            self._buffer.write(self._decoder.decode(bytes(view)))
        return view.nbytes

    def close(self) -> None:  # model code must not be able to break capture
        pass


class _CaptureStream(io.TextIOBase):
    """Replacement for ``sys.stdout`` / ``sys.stderr`` writing into an ``_OutputBuffer``."""

    def __init__(self, buffer: _OutputBuffer, name: str, fd):
        super().__init__()
        self._buffer = buffer
        self._name = name
        self._fd = fd
        self._binary = _BinaryCapture(buffer)
        self.write = buffer.write  # print() looks `write` up on the instance: one Python call per write

    @property
    def buffer(self):
        return self._binary

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "strict"

    @property
    def name(self) -> str:
        return self._name

    @property
    def line_buffering(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        if self._fd is None:
            raise io.UnsupportedOperation("fileno: output is captured in memory in this sandbox")
        return self._fd

    def write(self, text) -> int:  # replaced per instance by the buffer's write (see __init__)
        return self._buffer.write(text)

    def flush(self) -> None:
        pass

    def close(self) -> None:  # model code must not be able to break capture
        pass


def _pread_exact(fd: int, size: int, offset: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


class _FdCapture:
    """Points file descriptors 1 and 2 at unlinked temp files (O_APPEND), read after each execution.

    Catches output that bypasses ``sys.stdout``: ``os.system``, subprocesses, C extensions. When no
    temp file can be created the descriptors point at /dev/null instead (the protocol stays safe).

    Disk use stays bounded: while a cell runs, a watcher thread saves the head of a file that grew
    past ``_SPILL_BYTES`` once, counts and drops the rest, and lets the file start over, so a
    subprocess printing forever costs neither unbounded disk nor memory.
    """

    _POLL_SECONDS = 0.25
    _SPILL_BYTES = 8 << 20

    def __init__(self):
        self.files = {}
        self._lock = threading.Lock()
        self._active = threading.Event()
        self._window = 4096
        self._heads = {}
        self._skipped = {}
        for fd in (1, 2):
            capture = self._open_capture_file()
            if capture is None:
                capture = os.open(os.devnull, os.O_WRONLY)
                os.dup2(capture, fd)
                os.close(capture)
                continue
            os.dup2(capture, fd)
            self.files[fd] = capture
        if self.files:
            threading.Thread(target=self._watch, name="rlms-fd-watch", daemon=True).start()
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        # The watcher thread does not exist in a forked child and may have held the lock.
        self._lock = threading.Lock()
        self._active = threading.Event()

    @staticmethod
    def _open_capture_file():
        for directory in (None, os.getcwd()):
            try:
                handle, path = tempfile.mkstemp(prefix="rlms-fd-", dir=directory)
            except OSError:
                continue
            os.close(handle)
            try:
                capture = os.open(path, os.O_RDWR | os.O_APPEND)
            except OSError:
                capture = None
            try:
                os.unlink(path)
            except OSError:
                pass
            if capture is not None:
                return capture
        return None

    @property
    def available(self) -> bool:
        return bool(self.files)

    def begin(self, limit: int) -> None:
        """Empties the files and starts watching their size (a cell starts)."""
        with self._lock:
            self._window = max(4 * limit, 4096)  # UTF-8: at least `limit` characters in 4*limit bytes
            self._heads.clear()
            self._skipped.clear()
            for capture in self.files.values():
                try:
                    os.ftruncate(capture, 0)
                except OSError:
                    pass
            self._active.set()

    def end(self) -> None:
        """Stops watching (the cell ended); call ``drain`` next."""
        with self._lock:
            self._active.clear()

    def _watch(self) -> None:
        spilled = False
        while True:
            self._active.wait()
            time.sleep(self._POLL_SECONDS / 10 if spilled else self._POLL_SECONDS)  # faster while flooded
            spilled = False
            with self._lock:
                if not self._active.is_set():
                    continue
                for fd, capture in self.files.items():
                    try:
                        size = os.fstat(capture).st_size
                        if size <= max(self._SPILL_BYTES, 8 * self._window):
                            continue
                        if fd not in self._heads:
                            head = _pread_exact(capture, self._window, 0)
                            self._heads[fd] = head
                            size -= len(head)
                        self._skipped[fd] = self._skipped.get(fd, 0) + size
                        os.ftruncate(capture, 0)  # O_APPEND writers continue at the new end
                        spilled = True
                    except OSError:
                        pass

    def drain(self, fd: int, buffer: _OutputBuffer) -> None:
        """Appends the head and tail of what was written to ``fd`` to ``buffer``, then empties the file."""
        capture = self.files.get(fd)
        if capture is None:
            return
        with self._lock:
            window = self._window
            head = self._heads.pop(fd, None)
            skipped = self._skipped.pop(fd, 0)
            try:
                size = os.fstat(capture).st_size
                if head is None:
                    if size <= 2 * window:
                        if size:
                            buffer.write(_pread_exact(capture, size, 0).decode("utf-8", "replace"))
                            os.ftruncate(capture, 0)
                        return
                    head = _pread_exact(capture, window, 0)
                    tail_start = size - window
                    skipped += tail_start - len(head)
                else:
                    tail_start = max(0, size - window)
                    skipped += tail_start
                tail = _pread_exact(capture, size - tail_start, tail_start)
                os.ftruncate(capture, 0)
            except OSError:
                return
        cut = 0
        while cut < 3 and cut < len(tail) and (tail[cut] & 0xC0) == 0x80:
            cut += 1  # do not start inside a multi-byte character
        head_text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
        tail_text = tail[cut:].decode("utf-8", "replace")
        # The dropped middle was never decoded: estimate its characters from the sample's density.
        ratio = (len(head_text) + len(tail_text)) / max(1, len(head) + len(tail) - cut)
        buffer.write(head_text)
        buffer.skip(round((skipped + cut) * ratio))
        buffer.write(tail_text)


# --------------------------------------------------------------------------------------------
# Tracebacks
# --------------------------------------------------------------------------------------------


def _strip_runtime_frames(te, seen=None) -> None:
    """Limits a TracebackException (and everything chained to it) to the model's code.

    Frames before the first cell frame (the runtime, ``ast.parse``) and from the first runtime frame
    on (``llm_query`` internals) are dropped.
    """
    if seen is None:
        seen = set()
    if id(te) in seen:
        return
    seen.add(id(te))
    frames = list(te.stack)
    start = next((i for i, f in enumerate(frames) if f.filename.startswith(_CELL_PREFIX)), len(frames))
    kept = []
    for summary in frames[start:]:
        if summary.filename == _RUNTIME_FILENAME:
            break  # deeper frames are runtime internals (e.g. the wait inside llm_query)
        kept.append(summary)
    te.stack = traceback.StackSummary.from_list(kept)
    for linked in (te.__cause__, te.__context__):
        if linked is not None:
            _strip_runtime_frames(linked, seen)
    for nested in getattr(te, "exceptions", None) or ():
        _strip_runtime_frames(nested, seen)


def _describe_size(value) -> str:
    if isinstance(value, (str,)):
        return " (%d chars)" % len(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return " (%d bytes)" % len(value)
    if isinstance(value, dict):
        return " (%d keys)" % len(value)
    if isinstance(value, (bool, int, float, complex)) or value is None:
        text = repr(value)
        return " = %s" % text if len(text) <= 40 else ""
    try:
        return " (%d items)" % len(value)
    except Exception:
        return ""


# --------------------------------------------------------------------------------------------
# The runtime
# --------------------------------------------------------------------------------------------


_WIRE_TAG = "__rlms_wire__"
_WIRE_FLOATS = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def _from_wire(value):
    """Decodes the tagged values the host sends for what JSON cannot carry (NaN/Infinity, big ints)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (list, dict)):
                value[index] = _from_wire(item)
        return value
    if isinstance(value, dict):
        tag = value.get(_WIRE_TAG)
        if tag is not None and len(value) == 2 and isinstance(value.get("value"), str):
            if tag == "float" and value["value"] in _WIRE_FLOATS:
                return _WIRE_FLOATS[value["value"]]
            if tag == "int":
                try:
                    return int(value["value"])
                except ValueError:
                    pass
        for key, item in value.items():
            if isinstance(item, (list, dict)):
                value[key] = _from_wire(item)
        return value
    return value


def _decode_documents(data) -> dict:
    """The ``dict[str, str]`` of a ``'documents'`` context (see ``Runtime.load_context``)."""
    if not isinstance(data, (bytes, bytearray)):
        data = bytes(data)
    end = data.find(b"\n")
    view = memoryview(data)
    if end < 0:
        raise ValueError("documents context: the index line (JSON, then a newline) is missing")
    index = json.loads(bytes(view[:end]))
    if not isinstance(index, list):
        raise ValueError("documents context: the index must be a list of [name, byte length] pairs")
    at = end + 1
    value = {}
    for entry in index:
        if (not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str)
                or isinstance(entry[1], bool) or not isinstance(entry[1], int) or entry[1] < 0):
            raise ValueError("documents context: each index entry must be [name, byte length], got %r" % (entry,))
        if at + entry[1] > len(view):
            raise ValueError("documents context: the index announces more bytes than the payload holds")
        value[entry[0]] = str(view[at:at + entry[1]], "utf-8", "replace")
        at += entry[1]
    if at != len(view):
        raise ValueError("documents context: %d bytes follow the last document" % (len(view) - at))
    return value


def _reply_from_bytes(frame: dict, data: bytes):
    """The value of a ``host_result`` whose answer came as UTF-8 (``valueKind``, ``valueBytes``)."""
    sizes = frame.get("valueBytes")
    kind = frame.get("valueKind")
    if (not isinstance(sizes, list) or kind not in ("str", "list") or (kind == "str" and len(sizes) != 1)
            or any(isinstance(size, bool) or not isinstance(size, int) or size < 0 for size in sizes)
            or sum(sizes) != len(data)):
        raise ValueError("malformed host_result attachment")
    view = memoryview(data)
    values = []
    at = 0
    for size in sizes:
        values.append(str(view[at:at + size], "utf-8", "replace"))
        at += size
    return values[0] if kind == "str" else values


def _variable_holding(value, *scopes):
    """The name of a user variable (not ``_``-prefixed) bound to this very object, or None."""
    for scope in scopes:
        for key, held in list(scope.items()):
            if held is value and not key.startswith("_") and key not in API_NAMES:
                return key
    return None


class Runtime:
    """A persistent Python REPL namespace with the rlms API (``llm_query``, ``FINAL``...) defined.

    ``host_call(op, payload)`` is a blocking function that performs a host call and returns its
    value, or raises the exception model code should see (see ``error_from_host``). It may be
    called from several Python threads at once.

    ``capture_fds=True`` (stdio mode) also captures OS-level file descriptors 1 and 2.

    ``message_size(op, payload, prompt_sizes) -> int`` gives the size in bytes of the largest message
    the transport sends to the host for one host call (stdio: the frame's header line or its
    attachment); ``prompt_sizes`` is None or the UTF-8 lengths of the payload's prompts, already
    measured. Calls over ``maxFrameBytes`` (see ``configure``) raise ``ValueError`` in model code
    instead of reaching the host; batches are split over several host calls so each fits. Default:
    the embedded (Pyodide) request, an 8-byte length plus the body of ``encode_host_call``.

    ``interrupt_requested`` (attribute; None or a callable ``() -> bool``) is asked right before each
    cell's code starts: True means the host already interrupted this request (its SIGINT arrived
    before the cell began and was ignored as idle), so the cell ends at once with
    ``KeyboardInterrupt`` instead of running unstoppably.
    """

    def __init__(self, host_call, capture_fds: bool = False, *, handle_sigint: bool = True, register_main: bool = True,
                 message_size=None):
        if not callable(host_call):
            raise TypeError("Runtime(host_call=...) must be a callable (op, payload) -> value")
        if message_size is not None and not callable(message_size):
            raise TypeError("Runtime(message_size=...) must be a callable (op, payload, prompt_sizes) -> int")
        self._host_call = host_call
        self._message_size = message_size or _embedded_message_size
        self._max_frame_bytes = DEFAULT_MAX_FRAME_BYTES
        self._max_output_chars = DEFAULT_MAX_OUTPUT_CHARS
        self._stdout = _OutputBuffer(self._max_output_chars)
        self._stderr = _OutputBuffer(self._max_output_chars)
        self._fd_capture = _FdCapture() if capture_fds and hasattr(os, "pread") else None
        fd_ok = self._fd_capture is not None and self._fd_capture.available
        self._stdout_stream = _CaptureStream(self._stdout, "<stdout>", 1 if fd_ok else None)
        self._stderr_stream = _CaptureStream(self._stderr, "<stderr>", 2 if fd_ok else None)
        self._executing = False
        self.interrupt_requested = None
        self._critical = 0
        self._interrupt_pending = False
        self._final = None
        self._cells = 0
        self._tool_names = []
        self._api = {}
        self._tools = {}
        self._module = types.ModuleType("__main__")
        self._module.__dict__["__builtins__"] = builtins
        self.namespace = self._module.__dict__
        self._define_api()
        sys.stdout = self._stdout_stream
        sys.stderr = self._stderr_stream
        if not capture_fds:
            sys.stdin = io.StringIO("")
        if register_main:
            sys.modules["__main__"] = self._module
        if handle_sigint:
            try:
                signal.signal(signal.SIGINT, self._on_sigint)
            except (ValueError, OSError, AttributeError):  # not the main thread / no signals here
                pass

    @property
    def fd_capture(self) -> bool:
        """True when OS-level fds 1/2 are captured."""
        return self._fd_capture is not None and self._fd_capture.available

    @property
    def max_frame_bytes(self) -> int:
        """Largest message to the host, in bytes (``maxFrameBytes`` of ``configure``)."""
        return self._max_frame_bytes

    @property
    def executing(self) -> bool:
        """True while model code runs (a SIGINT then raises KeyboardInterrupt)."""
        return self._executing

    def _on_sigint(self, signum, frame):
        if not self._executing:
            return  # idle: ignore (an interrupt that raced with the end of an execution)
        if self._critical:
            self._interrupt_pending = True  # raised by leave_critical()
            return
        raise KeyboardInterrupt

    def enter_critical(self) -> None:
        """Defers KeyboardInterrupt on the main thread (e.g. while a protocol frame is half written)."""
        self._critical += 1

    def discard_pending_interrupt(self) -> None:
        """Forgets a KeyboardInterrupt deferred by a critical section."""
        self._interrupt_pending = False

    def leave_critical(self) -> None:
        """Ends a critical section; raises the KeyboardInterrupt that arrived during it, if any."""
        self._critical -= 1
        if not self._critical and self._interrupt_pending:
            self._interrupt_pending = False
            if self._executing:
                raise KeyboardInterrupt

    # ---------------------------------------------------------------- configure

    def configure(self, options=None):
        """Applies ``{"tools": [HostToolInfo], "maxOutputChars": int, "maxFrameBytes": int}``. Returns None."""
        options = options or {}
        if not isinstance(options, dict):
            raise TypeError("configure() expects a dict")
        frame_limit = options.get("maxFrameBytes")
        if frame_limit is not None:
            if isinstance(frame_limit, bool) or not isinstance(frame_limit, int) or frame_limit < MIN_FRAME_BYTES:
                raise ValueError("maxFrameBytes must be an integer >= %d, got %r" % (MIN_FRAME_BYTES, frame_limit))
            self._max_frame_bytes = frame_limit
        limit = options.get("maxOutputChars")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise ValueError("maxOutputChars must be a non-negative integer, got %r" % (limit,))
            self._max_output_chars = limit
            self._stdout.set_limit(limit)
            self._stderr.set_limit(limit)
        tools = options.get("tools")
        if tools is None:
            return None
        if not isinstance(tools, (list, tuple)):
            raise TypeError("tools must be a list of {name, description?, parameters?} objects")
        functions = {}
        for info in tools:
            if not isinstance(info, dict):
                raise TypeError("each tool must be an object with a 'name', got %r" % (info,))
            name = info.get("name")
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError("tool name %r is not a valid Python identifier; use letters, digits and _" % (name,))
            if name in API_NAMES or name.startswith("__"):
                raise ValueError("tool name %r is reserved by the runtime; choose another name" % (name,))
            if name in functions:
                raise ValueError("tool name %r is defined twice" % (name,))
            functions[name] = self._make_tool(name, info.get("description"), info.get("parameters"))
        for old in self._tool_names:
            self.namespace.pop(old, None)
        self.namespace.update(functions)
        self._tool_names = list(functions)
        self._tools = dict(functions)
        return None

    def _make_tool(self, name, description, parameters):
        properties = []
        required = []
        if isinstance(parameters, dict):
            props = parameters.get("properties")
            if isinstance(props, dict):
                properties = [p for p in props if isinstance(p, str)]
            req = parameters.get("required")
            if isinstance(req, (list, tuple)):
                required = [r for r in req if isinstance(r, str)]
        call = self._call

        def tool(*args, **kwargs):
            if len(args) > len(properties):
                if properties:
                    hint = "pass arguments by keyword: %s" % ", ".join(properties)
                else:
                    hint = "pass arguments by keyword"
                raise TypeError("%s() takes at most %d positional argument(s) but %d were given; %s"
                                % (name, len(properties), len(args), hint))
            call_args = dict(zip(properties, args))
            for key, value in kwargs.items():
                if key in call_args:
                    raise TypeError("%s() got multiple values for argument %r" % (name, key))
                call_args[key] = value
            missing = [r for r in required if r not in call_args]
            if missing:
                raise TypeError("%s() missing required argument(s): %s" % (name, ", ".join(missing)))
            return _from_wire(call("tool", {"name": name, "args": call_args}, name, "arguments"))

        tool.__name__ = name
        tool.__qualname__ = name
        tool.__module__ = "__main__"
        lines = [description.strip()] if isinstance(description, str) and description.strip() else ["Host tool %s." % name]
        if isinstance(parameters, dict) and isinstance(parameters.get("properties"), dict):
            lines.append("")
            lines.append("Arguments:")
            for prop, schema in parameters["properties"].items():
                kind = schema.get("type") if isinstance(schema, dict) else None
                desc = schema.get("description") if isinstance(schema, dict) else None
                text = "  %s%s%s" % (prop, " (%s)" % kind if isinstance(kind, str) else "",
                                       " required" if prop in required else "")
                if isinstance(desc, str) and desc:
                    text += ": " + desc
                lines.append(text)
        tool.__doc__ = "\n".join(lines)
        return tool

    # ---------------------------------------------------------------- context

    def load_context(self, data, format: str = "text", variable: str = "context") -> dict:
        """Decodes ``data`` (bytes-like) as ``'text'`` (UTF-8), ``'json'`` or ``'documents'`` into ``variable``.

        ``'documents'``: a JSON index line ``[[name, utf8_bytes], ...]``, ``\\n``, then the documents'
        UTF-8 bytes in index order; the value is a ``dict`` of ``str``. Returns ContextInfo.
        """
        self._check_variable(variable)
        if format not in ("text", "json", "documents"):
            raise ValueError("context format must be 'text', 'json' or 'documents', got %r" % (format,))
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("context data must be bytes, got %s" % type(data).__name__)
        size = memoryview(data).nbytes
        self.namespace.pop(variable, None)  # free the previous value before decoding the new one
        if format == "text":
            value = str(data, "utf-8", "replace")
            if value.startswith("\ufeff"):
                value = value[1:]
        elif format == "documents":
            value = _decode_documents(data)
        else:
            if isinstance(data, memoryview):
                data = bytes(data)
            value = json.loads(data)
        data = None
        self.namespace[variable] = value
        if variable == "context":
            # The reference RLM loads the context as ``context_0`` with ``context`` as an alias; real
            # models write either name.
            self.namespace["context_0"] = value
        try:
            length = len(value)
        except TypeError:
            length = 0
        return {"type": type(value).__name__, "length": length, "bytes": size}

    def load_context_file(self, path: str, format: str = "text", variable: str = "context") -> dict:
        """Like ``load_context`` but reads the bytes from ``path``, then deletes the file."""
        if not isinstance(path, str) or not path:
            raise ValueError("context path must be a non-empty string")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        return self.load_context(data, format, variable)

    def _check_variable(self, variable) -> None:
        if not isinstance(variable, str) or not variable.isidentifier() or keyword.iskeyword(variable):
            raise ValueError("context variable name %r is not a valid Python identifier" % (variable,))
        if (variable in API_NAMES and variable != "context") or variable in self._tool_names or variable.startswith("__"):
            raise ValueError("context variable name %r is reserved; choose another name" % (variable,))

    # ---------------------------------------------------------------- execute

    def execute(self, code: str) -> dict:
        """Runs one cell in the persistent namespace and returns an ExecutionResult dict."""
        if not isinstance(code, str):
            raise TypeError("code must be a str, got %s" % type(code).__name__)
        sys.stdout = self._stdout_stream  # in case model code replaced them
        sys.stderr = self._stderr_stream
        self._stdout.clear()
        self._stderr.clear()
        if self._fd_capture is not None:
            self._fd_capture.begin(self._max_output_chars)
        self._final = None
        self._interrupt_pending = False
        self._cells += 1
        filename = "%s%d>" % (_CELL_PREFIX, self._cells)
        error = None
        started = time.perf_counter()
        try:
            try:
                self._executing = True
                # After `_executing` is set: a SIGINT from now on raises; one that came earlier was
                # ignored as idle, and the transport remembers it for this request.
                requested = self.interrupt_requested
                if requested is not None and requested():
                    raise KeyboardInterrupt
                self._run_cell(code, filename)
            finally:
                self._executing = False
        except BaseException as exc:  # noqa: B902 - KeyboardInterrupt / SystemExit are results too
            self._executing = False
            error = self._format_error(exc)
            exc = None
        duration_ms = (time.perf_counter() - started) * 1000.0
        self._restore_api()
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except Exception:
                pass
        if self._fd_capture is not None:
            self._fd_capture.end()
            self._fd_capture.drain(1, self._stdout)
            self._fd_capture.drain(2, self._stderr)
        stdout, cut_out = self._stdout.render()
        stderr, cut_err = self._stderr.render()
        self._stdout.clear()
        self._stderr.clear()
        final = self._final
        self._final = None
        return self._fit_result({
            "stdout": stdout,
            "stderr": stderr,
            "error": error,
            "final": final,
            "truncatedChars": cut_out + cut_err,
            "durationMs": round(duration_ms, 3),
        })

    def _restore_api(self) -> None:
        """Puts back the API functions and host tools a cell reassigned or deleted, and tells the model.

        Within the cell the new value stays; later cells get the rlms function again, so the run can
        still end through ``FINAL`` after ``FINAL = ...``.
        """
        restored = []
        for name, function in list(self._api.items()) + list(self._tools.items()):
            if self.namespace.get(name) is not function:
                self.namespace[name] = function
                restored.append(name)
        if restored:
            self._stderr.write(
                "Note: this cell assigned or deleted %s, which %s part of the rlms REPL API; %s restored "
                "for the next cells. Use other variable names.\n"
                % (", ".join("`%s`" % name for name in restored), "is" if len(restored) == 1 else "are",
                   "it was" if len(restored) == 1 else "they were")
            )

    def _fit_result(self, result: dict) -> dict:
        """Makes the result fit in one message to the host (``maxFrameBytes``).

        A FINAL value that does not fit beside the cell's output is dropped and replaced by an
        error telling the model to return something smaller; output that alone does not fit (a very
        small limit) is cut further.
        """
        limit = self._max_frame_bytes - _FRAME_ENVELOPE_BYTES
        size = len(_dumps(result))
        if size <= limit:
            return result
        if result.get("final") is not None:
            result["final"] = None
            previous = result.get("error")
            message = (
                "FINAL: the answer and this cell's output need %d bytes, over the limit of %d bytes for one "
                "message to the host, so no answer was recorded. Return something smaller (a summary, the most "
                "relevant part, fewer fields), or print less in the cell that calls FINAL." % (size, limit)
            )
            if previous:
                message += " The cell also raised %s: %s" % (previous.get("type"), _cut_middle(str(previous.get("message")), 2000))
            result["error"] = {"type": "ValueError", "message": message, "traceback": "ValueError: " + message + "\n"}
            size = len(_dumps(result))
        while size > limit:
            error = result.get("error") or {}
            fields = [(result, "stdout"), (result, "stderr"), (error, "traceback"), (error, "message")]
            longest = max((len(owner.get(key) or "") for owner, key in fields), default=0)
            if longest <= 200:
                break
            for owner, key in fields:
                text = owner.get(key) or ""
                if len(text) > longest // 2:
                    owner[key] = _cut_middle(text, longest // 2)
            size = len(_dumps(result))
        return result

    def _run_cell(self, code: str, filename: str) -> None:
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        if tree.body:
            exec(compile(tree, filename, "exec", dont_inherit=True), self.namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval", dont_inherit=True), self.namespace)
            if value is not None:
                self._stdout.write(repr(value) + "\n")

    def _format_error(self, exc: BaseException) -> dict:
        message = str(exc)
        if isinstance(exc, KeyboardInterrupt) and not message:
            message = "Execution was interrupted (timeout or abort)."
        try:
            te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
            _strip_runtime_frames(te)
            text = "".join(te.format())
        except Exception:  # pragma: no cover - formatting must never break the runtime
            text = "".join(traceback.format_exception_only(type(exc), exc))
        limit = max(self._max_output_chars, 2000)
        return {"type": type(exc).__name__, "message": _cut_middle(message, limit), "traceback": _cut_middle(text, limit)}

    # ---------------------------------------------------------------- API for model code

    def _call(self, op, payload, function, what):
        self._check_json(op, payload, function, what)
        size = self._message_size(op, payload, None)
        if size > self._max_frame_bytes:
            raise ValueError(self._too_large(op, payload, function, size))
        return self._host_call(op, payload)

    def _check_json(self, op, payload, function, what) -> None:
        if op in ("rlm_query", "rlm_query_batched", "tool"):
            try:
                _dumps(payload)
            except _JSON_ERRORS as exc:
                raise TypeError(
                    "%s(): %s must be JSON-serialisable (str, int, float, bool, None, list, dict with str keys; "
                    "no NaN/Infinity): %s" % (function, what, exc)
                ) from None

    def _too_large(self, op, payload, function, size, index=None) -> str:
        limit = self._max_frame_bytes
        if op == "tool":
            return ("%s(): the arguments need %d bytes, over the limit of %d bytes for one message to the host; "
                    "pass less data (e.g. a part of it, or a reference the tool can look up)" % (function, size, limit))
        prompt = payload.get("prompt") if index is None else payload["prompts"][0]
        where = "the prompt" if index is None else "prompts[%d]" % index
        has_context = payload.get("context") is not None or payload.get("contexts") is not None
        if has_context:
            return ("%s(): %s (%d characters) and its context need %d bytes, over the limit of %d bytes for one "
                    "message to the host; pass a smaller context, or split the work into smaller parts"
                    % (function, where, len(prompt), size, limit))
        return ("%s(): %s of %d characters is over the limit of one message to the host (%d bytes; it needs %d). "
                "Split it into smaller parts and query each (llm_query_batched(parts) runs them in parallel), "
                "then combine the answers" % (function, where, len(prompt), limit, size))

    def _call_batched(self, op, prompts, contexts, extra, function, what):
        """Sends a batch in as few host calls as fit in one message each; answers stay in prompt order."""
        # Encoded once: the sizes decide the split, and the transport sends these very bytes.
        encoded = [prompt.encode("utf-8", "replace") for prompt in prompts]
        sizes = [len(part) for part in encoded]

        def payload_for(start, end):
            payload = dict(extra)
            payload["prompts"] = _EncodedPrompts(prompts[start:end], encoded[start:end])
            if contexts is not None:
                payload["contexts"] = contexts[start:end]
            return payload

        whole = payload_for(0, len(prompts))
        self._check_json(op, whole, function, what)
        limit = self._max_frame_bytes
        ranges = []
        todo = [(0, len(prompts))]
        while todo:
            start, end = todo.pop()
            payload = whole if (start, end) == (0, len(prompts)) else payload_for(start, end)
            size = self._message_size(op, payload, sizes[start:end])
            if size <= limit:
                ranges.append((start, end))
            elif end - start == 1:
                raise ValueError(self._too_large(op, payload, function, size, index=start))
            else:
                middle = (start + end) // 2
                todo.append((middle, end))
                todo.append((start, middle))  # popped first: ranges come out in order
        if len(ranges) == 1:
            return self._host_call(op, whole)
        answers = []
        for start, end in ranges:
            part = self._host_call(op, payload_for(start, end))
            if not isinstance(part, list) or len(part) != end - start:
                raise RuntimeError("%s(): the host answered %d prompts with %r" % (function, end - start, type(part).__name__))
            answers.extend(part)
        return answers

    def _make_final(self, value, variable, function="FINAL"):
        try:
            text = value if isinstance(value, str) else str(value)
        except Exception as exc:
            text = "<unprintable %s: %s>" % (type(value).__name__, exc)
        try:
            encoded = _dumps(value)
            json_value = json.loads(encoded)
        except _JSON_ERRORS:
            encoded = None
            json_value = text
        text_size = len(_dumps(text))
        size = text_size + (text_size if encoded is None else len(encoded))
        limit = self._max_frame_bytes - 4 * _FRAME_ENVELOPE_BYTES
        if size > limit:
            raise ValueError(
                "%s(): the answer needs %d bytes as JSON, over the limit of %d bytes for one message to the host. "
                "Return something smaller: a summary, the most relevant part, or fewer fields" % (function, size, limit)
            )
        return {"value": json_value, "text": text, "variableName": variable}

    def _define_api(self) -> None:
        runtime = self
        namespace = self.namespace
        call = self._call
        call_batched = self._call_batched

        def _check_str(function, name, value, optional=False):
            if optional and value is None:
                return
            if not isinstance(value, str):
                raise TypeError("%s(): %s must be a str%s, got %s" % (
                    function, name, " or None" if optional else "", type(value).__name__))

        def _check_model(function, model):
            if model is None or isinstance(model, str):
                return
            raise TypeError(
                "%s(): the second argument is model=, the name of a sub-model (a str), got %s. %s() takes no "
                "context argument: put the text the sub-model needs into the prompt itself (e.g. "
                "%s(question + \"\\n\\n\" + context[:20000])), or use rlm_query(prompt, context=...) to give "
                "a child RLM its own context" % (function, type(model).__name__, function, function)
            )

        def _check_prompts(function, prompts):
            if isinstance(prompts, str) or not isinstance(prompts, (list, tuple)):
                raise TypeError("%s(): prompts must be a list of str, got %s%s" % (
                    function, type(prompts).__name__,
                    " (for a single prompt use %s)" % function.replace("_batched", "") if isinstance(prompts, str) else ""))
            for index, prompt in enumerate(prompts):
                if not isinstance(prompt, str):
                    raise TypeError("%s(): prompts[%d] must be a str, got %s" % (function, index, type(prompt).__name__))
            return list(prompts)

        def llm_query(prompt, model=None):
            """Asks a sub-model one question and returns its answer as a str.

            prompt: the full text to send (include the excerpt of the context it needs).
            model: optional model name; the host decides which models are allowed.
            """
            if isinstance(prompt, (list, tuple)):
                raise TypeError("llm_query(): prompt must be a str, got %s; for many prompts use "
                                "llm_query_batched(prompts)" % type(prompt).__name__)
            _check_str("llm_query", "prompt", prompt)
            _check_model("llm_query", model)
            payload = {"prompt": prompt}
            if model is not None:
                payload["model"] = model
            return call("llm_query", payload, "llm_query", "prompt")

        def llm_query_batched(prompts, model=None):
            """Asks a sub-model many questions at once (run in parallel by the host).

            Returns a list of str answers in the same order as prompts.
            """
            prompts = _check_prompts("llm_query_batched", prompts)
            _check_model("llm_query_batched", model)
            if not prompts:
                return []
            extra = {} if model is None else {"model": model}
            return call_batched("llm_query_batched", prompts, None, extra, "llm_query_batched", "prompts")

        def rlm_query(prompt, context=None, model=None):
            """Runs a child RLM (with its own REPL) on prompt and returns its answer as a str.

            context: optional JSON-serialisable value loaded as the child's `context`.
            model: optional sub-model name the child uses as its root model (the host decides which are allowed).
            """
            _check_str("rlm_query", "prompt", prompt)
            _check_model("rlm_query", model)
            payload = {"prompt": prompt}
            if context is not None:
                payload["context"] = context
            if model is not None:
                payload["model"] = model
            return call("rlm_query", payload, "rlm_query", "context")

        def rlm_query_batched(prompts, contexts=None, model=None):
            """Runs one child RLM per prompt (in parallel on the host); returns a list of str answers.

            contexts: optional list of JSON-serialisable values, one per prompt.
            model: optional sub-model name the children use as their root model.
            """
            prompts = _check_prompts("rlm_query_batched", prompts)
            _check_model("rlm_query_batched", model)
            if contexts is not None:
                if isinstance(contexts, (str, bytes, dict)) or not isinstance(contexts, (list, tuple)):
                    raise TypeError("rlm_query_batched(): contexts must be a list (one context per prompt) or None, "
                                    "got %s" % type(contexts).__name__)
                if len(contexts) != len(prompts):
                    raise ValueError("rlm_query_batched(): got %d prompts but %d contexts; pass one context per "
                                     "prompt" % (len(prompts), len(contexts)))
                contexts = list(contexts)
            if not prompts:
                return []
            extra = {} if model is None else {"model": model}
            return call_batched("rlm_query_batched", prompts, contexts, extra, "rlm_query_batched", "contexts")

        def FINAL(value):
            """Finishes the run with `value` as the answer (the cell still runs to its end)."""
            runtime._final = runtime._make_final(value, None, "FINAL")

        def FINAL_VAR(name):
            """Finishes the run with the value of the variable called `name` (a str) as the answer."""
            if not isinstance(name, str):
                runtime._final = runtime._make_final(name, None, "FINAL_VAR")
                return
            key = name.strip().strip("'\"`").strip()
            caller = sys._getframe(1)
            if caller.f_locals is not namespace and key in caller.f_locals:
                value = caller.f_locals[key]
            elif key in namespace:
                value = namespace[key]
            else:
                holder = _variable_holding(name, caller.f_locals, namespace)
                if holder is not None:
                    # FINAL_VAR(answer) with the variable itself (a str) rather than its name.
                    runtime._final = runtime._make_final(name, holder, "FINAL_VAR")
                    return
                raise NameError(
                    "FINAL_VAR(%r): no variable named %r is defined. Define it first in a code block "
                    "(e.g. %s = ...), then call FINAL_VAR(%r); to return a value directly use FINAL(value)."
                    % (name, key, key if key.isidentifier() else "answer", key if key.isidentifier() else "answer")
                )
            runtime._final = runtime._make_final(value, key, "FINAL_VAR")

        def SHOW_VARS():
            """Prints the variables you defined, with their type and size."""
            hidden = set(_API_FUNCTIONS) | set(runtime._tool_names)
            rows = []
            for key, value in list(namespace.items()):
                if key.startswith("_") or key in hidden or isinstance(value, types.ModuleType):
                    continue
                if key == "context_0" and value is namespace.get("context"):
                    continue  # the alias of `context`
                rows.append("  %s: %s%s" % (key, type(value).__name__, _describe_size(value)))
            if rows:
                print("Variables:\n" + "\n".join(rows))
            else:
                print("No variables defined yet.")

        for function in (llm_query, llm_query_batched, rlm_query, rlm_query_batched, FINAL, FINAL_VAR, SHOW_VARS):
            function.__module__ = "__main__"
            namespace[function.__name__] = function
            runtime._api[function.__name__] = function


# --------------------------------------------------------------------------------------------
# Stdio transport
# --------------------------------------------------------------------------------------------


class _Waiter:
    __slots__ = ("event", "ok", "value", "error")

    def __init__(self):
        self.event = threading.Event()
        self.ok = False
        self.value = None
        self.error = None


class StdioServer:
    """Serves the protocol on the process's original stdin/stdout (see PROTOCOL.md)."""

    def __init__(self):
        # Move the protocol onto private (non-inheritable) descriptors before anything can print.
        self._in_fd = os.dup(0)
        self._out_fd = os.dup(1)
        self._diag_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.close(devnull)
        self._write_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending = {}
        self._ids = itertools.count(1)
        self._requests = queue.SimpleQueue()
        self._current = None
        # Id of the last request the host interrupted: an interrupt can overtake its request (it
        # arrives while the request still waits in the queue); the request then ends at once.
        self._interrupted_id = None
        self._closed = False
        self._main_ident = threading.get_ident()
        self._pid = os.getpid()
        self.runtime = None
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        """A forked child (os.fork, multiprocessing) must never speak on the protocol: close it there."""
        self._closed = True
        for fd in (self._in_fd, self._out_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._in_fd = self._out_fd = -1  # the numbers may be reused by files the child opens
        self._write_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending = {}

    # ---------------------------------------------------------------- output

    def diag(self, message: str) -> None:
        try:
            os.write(self._diag_fd, ("rlms-runtime: %s\n" % message).encode("utf-8", "replace"))
        except OSError:
            pass

    def _max_frame_bytes(self) -> int:
        runtime = self.runtime
        return runtime.max_frame_bytes if runtime is not None else DEFAULT_MAX_FRAME_BYTES

    def send(self, frame: dict, parts=()) -> None:
        """Writes one frame; ``parts`` (bytes) are its attachment, announced in the header.

        Raises ``MessageTooLargeError`` (nothing written) when the header line or the attachment is
        over ``maxFrameBytes``: the host would kill the session for it.
        """
        if os.getpid() != self._pid:
            os._exit(0)  # a forked child reached the protocol loop (raw os.fork in a cell): end it quietly
        attachment = sum(len(part) for part in parts)
        if parts:
            frame["attachment"] = attachment
        data = (_dumps(frame) + "\n").encode("ascii")
        limit = self._max_frame_bytes()
        if len(data) - 1 > limit or attachment > limit:
            raise MessageTooLargeError(
                "a %s frame of %d bytes (attachment %d bytes) is over the limit of %d bytes for one message to the host"
                % (frame.get("type"), len(data) - 1, attachment, limit)
            )
        runtime = self.runtime if threading.get_ident() == self._main_ident else None
        if runtime is not None:
            runtime.enter_critical()  # a KeyboardInterrupt must not cut a frame in half
        try:
            with self._write_lock:
                for chunk in (data, *parts, b"\n") if parts else (data,):
                    # The newline after an attachment is a blank line the host skips: it lets channels
                    # that relay output line by line (Daytona) pass the attachment on at once.
                    view = memoryview(chunk)
                    while view:
                        written = os.write(self._out_fd, view)
                        view = view[written:]
        except OSError:  # host gone
            os._exit(0)
        finally:
            if runtime is not None:
                runtime.leave_critical()

    # ---------------------------------------------------------------- host-call frames

    def message_size(self, op: str, payload: dict, prompt_sizes=None) -> int:
        """Size of the larger part (header line or attachment) of the ``host_call`` frame for this call."""
        rest, prompts = split_prompts(op, payload)
        frame = {"type": "host_call", "id": "p%d" % (10 ** 15), "op": op, "payload": rest}
        if prompts is None:
            return len(_dumps(frame))
        sizes = prompt_sizes if prompt_sizes is not None else [_utf8_length(prompt) for prompt in prompts]
        frame["promptBytes"] = sizes
        frame["attachment"] = sum(sizes)
        return max(len(_dumps(frame)), frame["attachment"])

    # ---------------------------------------------------------------- host calls (any thread)

    def call(self, op: str, payload: dict):
        if os.getpid() != self._pid:
            raise RuntimeError(
                "%s() cannot be called from a forked child process (multiprocessing); use threads "
                "(concurrent.futures.ThreadPoolExecutor) or the *_batched functions instead" % op
            )
        if self._closed:
            raise RuntimeError("the host connection is closed")
        call_id = "p%d" % next(self._ids)
        rest, prompts = split_prompts(op, payload)
        frame = {"type": "host_call", "id": call_id, "op": op, "payload": rest}
        parts = ()
        if prompts is not None:
            parts = encode_prompts(prompts)
            frame["promptBytes"] = [len(part) for part in parts]
        waiter = _Waiter()
        with self._pending_lock:
            self._pending[call_id] = waiter
        try:
            self.send(frame, parts)
            parts = frame = None
            waiter.event.wait()
        except MessageTooLargeError as exc:  # raised before anything was written
            with self._pending_lock:
                self._pending.pop(call_id, None)
            raise ValueError("%s(): %s; send less in one call" % (op, exc)) from None
        except BaseException as exc:
            with self._pending_lock:
                self._pending.pop(call_id, None)
            if not waiter.event.is_set() and not self._closed:
                self._send_cancel(call_id, isinstance(exc, KeyboardInterrupt))
            raise
        with self._pending_lock:
            self._pending.pop(call_id, None)
        if waiter.ok:
            return waiter.value
        raise error_from_host(waiter.error)

    def _send_cancel(self, call_id: str, interrupted: bool) -> None:
        """Tells the host nobody waits for ``call_id`` any more (the waiting thread was interrupted)."""
        runtime = self.runtime if threading.get_ident() == self._main_ident else None
        if runtime is not None:
            runtime.enter_critical()
        try:
            self.send({"type": "host_cancel", "id": call_id})
        finally:
            if runtime is not None:
                if interrupted:
                    # Already propagating a KeyboardInterrupt: some CPython versions run the SIGINT
                    # handler a second time for the same signal; do not raise it twice.
                    runtime.discard_pending_interrupt()
                runtime.leave_critical()

    # ---------------------------------------------------------------- reader thread

    def _read_loop(self) -> None:
        reader = io.BufferedReader(io.FileIO(self._in_fd, "rb", closefd=False), buffer_size=1 << 20)
        try:
            while True:
                line = reader.readline()
                if not line.endswith(b"\n"):
                    break  # EOF (possibly mid-frame)
                try:
                    frame = json.loads(line)
                except ValueError as exc:
                    self.diag("ignoring malformed frame (%s): %r" % (exc, line[:200]))
                    continue
                line = None
                if not isinstance(frame, dict):
                    self.diag("ignoring frame that is not an object")
                    continue
                data = None
                size = frame.pop("attachment", None)
                if size is not None:
                    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                        self.diag("invalid attachment size %r; closing" % (size,))
                        break
                    data = reader.read(size)
                    if len(data) < size:
                        break
                kind = frame.get("type")
                if kind == "host_result":
                    if data is not None:
                        try:
                            frame["value"] = _reply_from_bytes(frame, data)
                        except ValueError as exc:
                            frame["ok"], frame["error"] = False, {"type": "RuntimeError", "message": str(exc)}
                    data = None
                    self._resolve(frame)
                elif kind == "interrupt":
                    self._interrupt(frame.get("id"))
                elif kind == "shutdown":
                    os._exit(0)
                else:
                    self._requests.put((frame, data))
                frame = data = None
        except Exception as exc:  # pragma: no cover - defensive
            self.diag("reader failed: %r" % (exc,))
        # The host is gone: nobody can read results any more, and model code may never finish.
        os._exit(0)

    def _resolve(self, frame: dict) -> None:
        with self._pending_lock:
            waiter = self._pending.pop(frame.get("id"), None)
        if waiter is None:
            return  # cancelled (interrupted) call: ignore the late result
        waiter.ok = frame.get("ok") is True
        waiter.value = frame.get("value")
        waiter.error = frame.get("error")
        waiter.event.set()

    def _interrupt(self, request_id) -> None:
        if request_id is not None:
            self._interrupted_id = request_id
        runtime = self.runtime
        if runtime is None or not runtime.executing or (request_id is not None and request_id != self._current):
            return
        try:
            signal.pthread_kill(self._main_ident, signal.SIGINT)
        except (AttributeError, OSError):
            import _thread

            _thread.interrupt_main()

    # ---------------------------------------------------------------- main loop

    def serve(self) -> None:
        try:
            import faulthandler

            faulthandler.enable(file=self._diag_fd, all_threads=True)
        except Exception:
            pass
        self.runtime = runtime = Runtime(host_call=self.call, capture_fds=True, message_size=self.message_size)
        runtime.interrupt_requested = self._interrupt_came_first
        threading.Thread(target=self._read_loop, name="rlms-reader", daemon=True).start()
        self.send({
            "type": "ready",
            "protocol": PROTOCOL_VERSION,
            "python": platform.python_version(),
            "pid": os.getpid(),
            "fdCapture": runtime.fd_capture,
        })
        while True:
            try:
                item = self._requests.get()
            except KeyboardInterrupt:  # pragma: no cover - SIGINT raced with the end of a cell
                continue
            frame, data = item
            item = None
            request_id = frame.get("id")
            try:
                value = self._handle(frame, data)
                data = None
                response = {"type": "response", "id": request_id, "ok": True, "value": value}
            except BaseException as exc:  # noqa: B902
                data = None
                response = {"type": "response", "id": request_id, "ok": False,
                            "error": {"type": type(exc).__name__, "message": _cut_middle(str(exc), 4000)}}
            try:
                self.send(response)
            except MessageTooLargeError as exc:
                self.send({"type": "response", "id": request_id, "ok": False,
                           "error": {"type": "ValueError", "message": "reply too large: %s" % exc}})
            except _JSON_ERRORS as exc:
                self.send({"type": "response", "id": request_id, "ok": False,
                           "error": {"type": type(exc).__name__, "message": "reply not serialisable: %s" % _cut_middle(str(exc), 2000)}})

    def _interrupt_came_first(self) -> bool:
        """True when the host interrupted the current request before its cell started."""
        current = self._current
        return current is not None and current == self._interrupted_id

    def _handle(self, frame: dict, data):
        kind = frame.get("type")
        runtime = self.runtime
        if kind == "execute":
            self._current = frame.get("id")
            try:
                return runtime.execute(frame.get("code"))
            finally:
                self._current = None
        if kind == "load_context":
            fmt = frame.get("format", "text")
            variable = frame.get("variable", "context")
            if data is not None:
                return runtime.load_context(data, fmt, variable)
            return runtime.load_context_file(frame.get("path"), fmt, variable)
        if kind == "configure":
            return runtime.configure(frame)
        raise ValueError("unknown request type %r" % (kind,))


def main() -> None:
    """Entry point of the stdio mode: serves frames until shutdown or end of input, then exits 0."""
    sys.argv = [""]
    if "" not in sys.path:
        sys.path.insert(0, "")
    server = StdioServer()
    try:
        server.serve()
    except BaseException as exc:  # pragma: no cover - fatal runtime error
        server.diag("fatal: %r" % (exc,))
        os._exit(1)


if __name__ == "__main__":
    main()
