"""Failed sign-ins limited per user name: after a few wrong passwords, that name waits.

One ``SignInThrottle`` serves the whole server (the app keeps it with ``st.cache_resource``), so
trying passwords from many browser sessions at once does not get around it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SignInThrottle:
    """At most ``max_failures`` wrong passwords per name within ``window_seconds``.

    Example:
        >>> now = [0.0]
        >>> throttle = SignInThrottle(max_failures=2, window_seconds=60, clock=lambda: now[0])
        >>> throttle.failed("ana"); throttle.failed("ana")
        >>> throttle.wait_seconds("ana"), throttle.wait_seconds("ben")
        (60, 0)
        >>> now[0] = 61.0
        >>> throttle.wait_seconds("ana")
        0
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str) -> deque[float]:
        failures = self._failures.get(name, deque())
        while failures and failures[0] <= self._clock() - self.window_seconds:
            failures.popleft()
        if not failures:  # names with no recent failure take no memory
            self._failures.pop(name, None)
        return failures

    def wait_seconds(self, name: str) -> int:
        """0 if ``name`` may try a password now, else how many seconds until it may."""
        key = name.strip().lower()
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_failures:
                return 0
            oldest = failures[-self.max_failures]
            return max(1, round(oldest + self.window_seconds - self._clock()))

    def failed(self, name: str) -> None:
        """Count one wrong password for ``name``."""
        key = name.strip().lower()
        with self._lock:
            failures = self._recent(key)
            failures.append(self._clock())
            self._failures[key] = failures

    def succeeded(self, name: str) -> None:
        """A right password: forget ``name``'s failures."""
        with self._lock:
            self._failures.pop(name.strip().lower(), None)
