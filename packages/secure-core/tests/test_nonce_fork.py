"""Nonces are never shared across processes, whatever forks them.

uWSGI forks its workers with the C ``fork()``, which skips Python's ``os.register_at_fork``
hooks: a pool emptied only by such a hook would hand the children the parent's nonces.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys

import pytest

from secure import nonce

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="forks through the C library's fork() directly"
)


def _c_fork() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    pid = int(libc.fork())
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork() failed")
    return pid


def _drawn_in_child(fork: object, count: int) -> list[str]:
    read, write = os.pipe()
    pid = fork()  # type: ignore[operator]
    if pid == 0:  # the child: draw, report, leave without running any Python cleanup
        try:
            os.close(read)
            os.write(write, " ".join(nonce.generate_nonce() for _ in range(count)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read().decode()
    os.waitpid(pid, 0)
    return data.split()


@pytest.fixture(params=["wipe-on-fork page", "pid"])
def mark(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways a process knows the pool is its own: the kernel's and the fallback."""
    if request.param == "pid":
        monkeypatch.setattr(nonce, "_mark", nonce._PidMark())


def test_linux_uses_a_page_the_kernel_wipes_in_every_child() -> None:
    assert isinstance(nonce._mark, mmap.mmap)


@pytest.mark.usefixtures("mark")
@pytest.mark.parametrize("fork", [_c_fork, os.fork], ids=["c-fork", "os.fork"])
def test_a_forked_child_never_hands_out_the_parents_nonces(fork: object) -> None:
    nonce.generate_nonce()
    nonce._refill()  # the pool now holds a full batch this process may hand out
    inherited = set(nonce._pool)
    assert len(inherited) > 10
    child = _drawn_in_child(fork, 20)
    assert len(child) == 20
    assert not inherited & set(child)
    # The parent's own pool is untouched by the child's draws.
    assert set(nonce._pool) == inherited


@pytest.mark.usefixtures("mark")
def test_two_children_draw_different_nonces() -> None:
    nonce.generate_nonce()
    first = _drawn_in_child(_c_fork, 10)
    second = _drawn_in_child(_c_fork, 10)
    assert not set(first) & set(second)
