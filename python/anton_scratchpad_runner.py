"""Anton scratchpad kernel.

Runs code cells in one persistent namespace. The host talks to it over a private control channel
(file descriptor 3, ANTON_CTRL_FD): every message is a 4-byte big-endian length followed by UTF-8 JSON.
User code never sees that channel, so nothing it prints can forge or desynchronise a frame.
Standard library only.
"""
import ast
import base64
import io
import json
import logging
import os
import signal
import struct
import sys
import threading
import time
import traceback

CTRL_FD = int(os.environ.get("ANTON_CTRL_FD", "3"))
KEEP_CHARS = int(os.environ.get("ANTON_SCRATCHPAD_KEEP_CHARS", "1000000"))
STREAM_INTERVAL = 0.1
_write_lock = threading.Lock()
_current_cell = {"id": None}


def send(msg):
    data = json.dumps(msg, default=str).encode("utf-8")
    frame = struct.pack(">I", len(data)) + data
    with _write_lock:
        view = memoryview(frame)
        while view:
            n = os.write(CTRL_FD, view)
            view = view[n:]


def _read_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(CTRL_FD, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv():
    header = _read_exact(4)
    if header is None:
        return None
    body = _read_exact(struct.unpack(">I", header)[0])
    return None if body is None else json.loads(body.decode("utf-8"))


class Capture(io.TextIOBase):
    """Keeps a capped copy of a stream for the cell result and streams new text to the host as it comes."""

    def __init__(self, kind, cell_id):
        self.kind, self.cell_id = kind, cell_id
        self.parts, self.size, self.dropped = [], 0, 0
        self.pending, self.last_send, self.last_activity = [], 0.0, 0.0
        self.lock = threading.Lock()

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            s = str(s)
        with self.lock:
            room = KEEP_CHARS - self.size
            keep = s[:room] if room > 0 else ""
            if keep:
                self.parts.append(keep)
                self.pending.append(keep)
                self.size += len(keep)
            self.dropped += len(s) - len(keep)
            now = time.monotonic()
            if self.pending and (now - self.last_send > STREAM_INTERVAL or sum(map(len, self.pending)) > 8192):
                self._send_pending(now)
            elif not keep and now - self.last_activity > 1.0:
                self.last_activity = now  # past the cap: still tell the host the cell is alive
                send({"type": "activity", "id": self.cell_id})
        return len(s)

    def _send_pending(self, now):
        data, self.pending = "".join(self.pending), []
        self.last_send = now
        send({"type": self.kind, "id": self.cell_id, "data": data})

    def finish(self):
        with self.lock:
            if self.pending:
                self._send_pending(time.monotonic())

    def flush(self):
        with self.lock:
            if self.pending:
                self._send_pending(time.monotonic())

    def isatty(self):
        return False

    def value(self):
        text = "".join(self.parts)
        if self.dropped:
            text += "\n... (output truncated, %d more characters)" % self.dropped
        return text


def progress(message):
    """Report progress from a long cell; also keeps the cell alive for the inactivity timeout."""
    send({"type": "progress", "id": _current_cell["id"], "message": str(message)})


def _figures(extra=None):
    images = []
    if extra is not None:
        images.append(extra)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            for num in plt.get_fignums():
                buf = io.BytesIO()
                plt.figure(num).savefig(buf, format="png", bbox_inches="tight")
                images.append({"mime": "image/png", "data": base64.b64encode(buf.getvalue()).decode("ascii")})
            plt.close("all")
        except Exception:  # a broken figure must not lose the cell result
            pass
    return images[:8]


def _image_of(value):
    if type(value).__module__.startswith("PIL.") and hasattr(value, "save"):
        try:
            buf = io.BytesIO()
            value.save(buf, format="PNG")
            return {"mime": "image/png", "data": base64.b64encode(buf.getvalue()).decode("ascii")}
        except Exception:
            return None
    return None


NAMESPACE = {"__name__": "__main__", "progress": progress}


def _end_marker(nonce):
    # Ends this cell's raw fd 1/2 output, so the host knows it has read all of it before using the result.
    mark = ("\x1eANTON-END-%s\x1e" % nonce).encode("ascii")
    for fd in (1, 2):
        try:
            os.write(fd, mark)
        except OSError:
            pass


def run_cell(cell_id, code, nonce=None):
    _current_cell["id"] = cell_id
    out, err = Capture("stdout", cell_id), Capture("stderr", cell_id)
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    error, image = None, None
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            tree = ast.parse(code, "<scratchpad>", "exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, "<scratchpad>", "exec"), NAMESPACE)
            if last is not None:
                value = eval(compile(last, "<scratchpad>", "eval"), NAMESPACE)
                image = _image_of(value)
                if value is not None and image is None:
                    print(repr(value))
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        error = "KeyboardInterrupt: the cell was interrupted."
    except BaseException:  # SystemExit included: the kernel keeps running
        error = traceback.format_exc()
    finally:
        sys.stdout, sys.stderr = saved
        root.removeHandler(handler)
        out.finish()
        err.finish()
        _current_cell["id"] = None
    if nonce:
        sys.stdout.flush()
        sys.stderr.flush()
        _end_marker(nonce)
    send({
        "type": "result",
        "id": cell_id,
        "stdout": out.value(),
        "stderr": err.value(),
        "logs": logs.getvalue()[:KEEP_CHARS],
        "error": error,
        "images": _figures(image),
    })


def _descendants():
    """Every process below this kernel (Linux /proc), whatever session or group it moved to."""
    children = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for e in entries:
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            ppid = int(stat[stat.rindex(")") + 2:].split(" ")[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(e))
    out, queue = [], [os.getpid()]
    while queue:
        for c in children.get(queue.pop(), []):
            out.append(c)
            queue.append(c)
    return out


def _kill_group(*_):
    """This kernel, its process group and every descendant (frozen first so none can fork away)."""
    seen = set()
    for _round in range(20):
        fresh = [p for p in _descendants() if p not in seen]
        if not fresh:
            break
        for p in fresh:
            seen.add(p)
            try:
                os.kill(p, signal.SIGSTOP)
            except OSError:
                pass
    for p in seen:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    os.killpg(0, signal.SIGKILL)


def _become_subreaper():
    """Orphans of cells (double-forked daemons) are re-parented to this kernel instead of init, so a close finds
    them among its descendants. They stay zombies until the kernel exits: reaping them here could steal the exit
    status that user code (subprocess, multiprocessing) waits for."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def _die_with_parent():
    """Never outlive the server: the kernel and its subprocesses go when the server process goes."""
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _kill_group)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                _kill_group()

    threading.Thread(target=watch, daemon=True, name="anton-parent-watch").start()


def _limit_memory():
    mb = int(os.environ.get("ANTON_SCRATCHPAD_MAX_MEMORY_MB", "0") or 0)
    if mb > 0:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
        except Exception:
            pass


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _become_subreaper()
    _die_with_parent()
    _limit_memory()
    send({"type": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    while True:
        msg = recv()
        if msg is None:
            _kill_group()  # the server is gone: take every subprocess a cell started with us
        kind = msg.get("type")
        if kind == "exec":
            run_cell(msg.get("id"), msg.get("code", ""), msg.get("nonce"))
        elif kind == "add_path":
            import importlib

            if msg["path"] not in sys.path:
                sys.path.insert(0, msg["path"])
            importlib.invalidate_caches()
            send({"type": "ok", "id": msg.get("id")})
        elif kind == "close":
            break


if __name__ == "__main__":
    main()
