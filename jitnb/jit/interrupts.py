"""Stopping compiled loops: SIGINT (the Jupyter stop button) reaches machine code.

    SIGINT ─► CPython's C handler ─► wakeup fd ─► watcher thread ─► word 0 of every
    running loop's frame := 1 ─► the loop's back-edge poll returns -2 (interrupted)
    ─► the driver writes the loop's values back ─► KeyboardInterrupt is raised

While machine code runs, the Python-level SIGINT handler is replaced by one that only
notes the signal, so KeyboardInterrupt surfaces after the interpreter state has been
rebuilt from the frame, never halfway through.  A wakeup fd set by someone else (an
event loop) keeps receiving its bytes: the watcher forwards them.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Iterator


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


@contextlib.contextmanager
def stoppable(frame_word=None, flag=None) -> Iterator[None]:
    """Run compiled code so that SIGINT stops it; a KeyboardInterrupt (or whatever the
    previous handler does) is raised when the block ends, after its state is saved."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watcher.install()
    pending: list = []
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: pending.append((signum, frame)))
    with watcher.lock:
        if frame_word is not None:
            watcher.words.append(frame_word)
        if flag is not None:
            watcher.flags.append(flag)
    try:
        yield
    finally:
        with watcher.lock:
            if frame_word is not None:
                watcher.words.remove(frame_word)
            if flag is not None:
                watcher.flags.remove(flag)
        signal.signal(signal.SIGINT, previous)
        if pending and callable(previous):
            previous(*pending[0])
