"""Take a process off the network for good: the query workers and ``amkg sparql`` call
:func:`go_offline` before they evaluate anything.

pyoxigraph has an HTTP client of its own (``SERVICE <http://...>`` makes a request from Rust),
so Python's audit hooks cannot stop it; only the kernel can. Two layers, both via ``ctypes``
(no dependency), both irreversible for the process and every thread it starts later:

1. **A new, empty network namespace** (``unshare(CLONE_NEWNET)``), when the process may make
   one (root or ``CAP_SYS_ADMIN``, as in CI): it has no interface but a loopback that is down,
   so nothing, not even ``127.0.0.1``, can be reached. It must be the first thing the process
   does (the namespace is per thread, so threads made before keep the old one).
2. **A seccomp filter**, which needs no privilege (``PR_SET_NO_NEW_PRIVS`` first): the
   ``socket()`` system call fails with ``EACCES`` for every family but ``AF_UNIX`` (the
   worker's pipe to its server is a Unix socket made before), ``io_uring_setup`` (which could
   open sockets past the filter) fails too, and a system call of another ABI (x32, i386) is
   refused outright. Applied to all threads at once (``SECCOMP_FILTER_FLAG_TSYNC``). On x86_64
   and aarch64 Linux; elsewhere this layer is skipped.

A DNS lookup needs a socket too, so it fails as well. :func:`go_offline` reports what it
could apply; :data:`PYTHON_NETWORK_EVENTS` plus :func:`refuse_network_events` stay as a third
layer (Python's own ``socket``/``urllib``), so even a platform without either kernel layer is
never silently online from Python code.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import struct
import sys
from typing import Any

CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EACCES = 13
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000
#: machine -> (AUDIT_ARCH, socket, io_uring_setup, seccomp) system call numbers.
ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
#: Python-level events that open a connection or look up a name.
PYTHON_NETWORK_EVENTS = frozenset(
    {"socket.connect", "socket.getaddrinfo", "urllib.Request", "socket.sendto", "socket.bind"}
)

# BPF instruction codes (linux/filter.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def seccomp_program(arch: int, socket_nr: int, io_uring_nr: int, x32: bool) -> bytes:
    """The BPF program of layer 2 (``struct sock_filter[]``)."""
    allow = _insn(_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    deny = _insn(_RET_K, 0, 0, SECCOMP_RET_ERRNO | EACCES)
    # Offsets in struct seccomp_data: nr 0, arch 4, args[0] (low word, little endian) 16.
    program = [
        _insn(_LD_W_ABS, 0, 0, 4),  # 0: arch
        _insn(_JEQ_K, 1, 0, arch),  # 1: our ABI? go to 3
        deny,  # 2: another ABI: refuse
        _insn(_LD_W_ABS, 0, 0, 0),  # 3: nr
        _insn(_JGE_K, 0, 1, X32_SYSCALL_BIT if x32 else 0xFFFFFFFF),  # 4: x32 call? refuse
        deny,  # 5
        _insn(_JEQ_K, 0, 3, socket_nr),  # 6: socket()? else go to 10
        _insn(_LD_W_ABS, 0, 0, 16),  # 7: its family
        _insn(_JEQ_K, 3, 4, AF_UNIX),  # 8: AF_UNIX -> allow (12), else deny (13)
        allow,  # 9 (unused filler keeps the jumps simple)
        _insn(_JEQ_K, 2, 0, io_uring_nr),  # 10: io_uring_setup? deny (13)
        allow,  # 11
        allow,  # 12
        deny,  # 13
    ]
    return b"".join(program)


def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def new_network_namespace() -> bool:
    """Layer 1: move this thread into a new, empty network namespace; whether it worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(_libc().unshare(CLONE_NEWNET) == 0)
    except (OSError, AttributeError):
        return False


def install_seccomp_filter() -> bool:
    """Layer 2: refuse every non-Unix socket to all threads of this process; whether it worked."""
    machine = platform.machine()
    if not sys.platform.startswith("linux") or machine not in ARCHES:
        return False
    arch, socket_nr, io_uring_nr, seccomp_nr = ARCHES[machine]
    program = seccomp_program(arch, socket_nr, io_uring_nr, x32=machine == "x86_64")
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    try:
        libc = _libc()
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        flags = SECCOMP_FILTER_FLAG_TSYNC
        result = libc.syscall(seccomp_nr, SECCOMP_SET_MODE_FILTER, flags, fprog_buffer)
        return bool(result == 0)
    except (OSError, AttributeError):
        return False


def refuse_network_events(event: str, args: tuple[Any, ...]) -> None:
    """Layer 3, an audit hook: Python code of this process opens no connection."""
    if event in PYTHON_NETWORK_EVENTS:
        raise PermissionError(f"this process makes no network requests ({event})")


def go_offline() -> list[str]:
    """Take this process off the network for good (call it first, before starting threads);
    the layers that hold, e.g. ``["namespace", "seccomp", "audit"]``."""
    layers = []
    if new_network_namespace():
        layers.append("namespace")
    if install_seccomp_filter():
        layers.append("seccomp")
    sys.addaudithook(refuse_network_events)  # cannot be removed
    layers.append("audit")
    return layers


def only_to_store(url: str) -> str:
    """Install an audit hook that lets this process connect to the remote store ``url`` only
    (the kernel layers of :func:`~amkg.queries.offline.go_offline` would cut it off too)."""
    from urllib.parse import urlsplit

    target = urlsplit(url)
    port = target.port or (443 if target.scheme == "https" else 80)
    sys.addaudithook(_only_to(target.hostname or "", port))  # cannot be removed
    return "audit-store-only"


def _only_to(host: str, port: int) -> Any:
    """An audit hook that lets a worker connect to the remote store's host and port only."""
    allowed: set[str] = {host}
    try:
        import socket

        allowed.update(str(info[4][0]) for info in socket.getaddrinfo(host, port))
    except OSError:
        pass

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.getaddrinfo" and args and str(args[0]) in allowed:
            return
        address = args[1] if event == "socket.connect" and len(args) > 1 else None
        if isinstance(address, tuple) and str(address[0]) in allowed and address[1] == port:
            return
        refuse_network_events(event, args)

    return hook
