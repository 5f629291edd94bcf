"""Stopping compiled loops: SIGINT (the Jupyter stop button) reaches machine code.

    SIGINT ─► CPython's C handler ─► wakeup fd ─► watcher thread ─► word 0 of every
    running loop's frame := 1 ─► the loop's back-edge poll returns -2 (interrupted)
    ─► the driver writes the loop's values back ─► KeyboardInterrupt is raised

jitnb's Python-level SIGINT handler (installed on first use, chaining to the one it
replaces) only notes the signal while machine code runs, so KeyboardInterrupt surfaces
after the interpreter state has been rebuilt from the frame, never halfway through.  A wakeup fd set by someone else (an
event loop) keeps receiving its bytes: the watcher forwards them.
"""
from __future__ import annotations

import _signal
import os
import signal
import threading


class _Watcher:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.words: list = []          # ctypes arrays whose [0] is an interrupt word
        self.flags: list = []          # objects with an `interrupted` attribute
        self.forward = -1
        self.rfd = self.wfd = -1
        self.thread: threading.Thread | None = None

    def install(self) -> None:
        """Route the C-level signal wakeup through our pipe (main thread only)."""
        if self.thread is None:
            self.rfd, self.wfd = os.pipe()
            os.set_blocking(self.wfd, False)
            self.thread = threading.Thread(target=self._watch, name="jitnb-interrupts", daemon=True)
            self.thread.start()
        old = signal.set_wakeup_fd(self.wfd, warn_on_full_buffer=False)
        if old not in (-1, self.wfd):
            self.forward = old

    def _watch(self) -> None:
        while True:
            data = os.read(self.rfd, 64)
            if not data:
                return
            if signal.SIGINT in data:
                self.request()
            if self.forward != -1:
                try:
                    os.write(self.forward, data)
                except OSError:
                    self.forward = -1

    def request(self) -> None:
        """Ask every running compiled loop to stop at its next back-edge."""
        with self.lock:
            for w in self.words:
                w[0] = 1
            for f in self.flags:
                f.interrupted = True


watcher = _Watcher()


class _Handler:
    """jitnb's Python-level SIGINT handler: while machine code runs it only notes the signal;
    otherwise it passes the signal to the handler it replaced."""

    def __init__(self) -> None:
        self.previous = None
        self.depth = 0
        self.pending: list = []

    def __call__(self, signum, frame) -> None:
        if self.depth:
            self.pending.append((signum, frame))
            watcher.request()
        else:
            self.deliver(signum, frame)

    def deliver(self, signum, frame) -> None:
        """What the replaced handler would have done."""
        if callable(self.previous):
            self.previous(signum, frame)
        elif self.previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    def ensure(self) -> None:
        current = _signal.getsignal(signal.SIGINT)   # (signal's own wraps it in an enum)
        if current is not self:
            self.previous = current
            signal.signal(signal.SIGINT, self)
        # every time: an event loop that closes resets the wakeup fd, and machine code
        # running without the GIL would then never hear of the signal
        watcher.install()


handler = _Handler()


_MAIN = threading.main_thread().ident


class stoppable:
    """``with stoppable(flag=...)``: run compiled code so that SIGINT stops it; a
    KeyboardInterrupt (or whatever the previous handler does) is raised when the block
    ends, after its state is saved.  A class, not a generator: it is on every entry into
    machine code."""

    __slots__ = ("frame_word", "flag", "active")

    def __init__(self, frame_word=None, flag=None) -> None:
        self.frame_word, self.flag = frame_word, flag

    def __enter__(self) -> None:
        self.active = threading.get_ident() == _MAIN
        if not self.active:
            return
        handler.ensure()
        handler.depth += 1
        self._register("append")

    def _register(self, how: str) -> None:
        """Add this run's interrupt word and flag to the watcher's lists (or remove them)."""
        if self.frame_word is None and self.flag is None:
            return
        with watcher.lock:
            if self.frame_word is not None:
                getattr(watcher.words, how)(self.frame_word)
            if self.flag is not None:
                getattr(watcher.flags, how)(self.flag)

    def __exit__(self, *exc) -> None:
        if not self.active:
            return
        self._register("remove")
        handler.depth -= 1
        if not handler.depth and handler.pending:
            signum, frame = handler.pending[0]
            handler.pending.clear()
            handler.deliver(signum, frame)
