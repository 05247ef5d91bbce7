"""Runs ``oxigraph serve`` for :class:`kg.oxserver.OxigraphServer`: tied to its parent, optionally
in a private network namespace reached through a Unix socket, with a memory watchdog.

Run as a script with the standard library only (``python -I -S _launcher.py …``), so it starts
single-threaded and can enter new namespaces. Steps:

1. die with the parent (``PR_SET_PDEATHSIG``), and exit at once if the parent is already gone;
2. with ``--socket PATH``: enter a new user and network namespace (no interface but its own
   loopback, which it brings up), so the store and anything it might call out to (SERVICE)
   see no network at all; connections to the Unix socket ``PATH`` (in a directory only the
   owner can open) are forwarded to the store on that private loopback;
3. start ``oxigraph serve`` (tied to this process the same way) and watch its resident memory:
   past ``--memory-mb`` it is killed and this process exits with status 75;
4. exit with the server's status when it exits; SIGTERM stops it.
"""
from __future__ import annotations

import argparse
import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
EXIT_NO_NAMESPACE = 71
EXIT_MEMORY = 75
PRIVATE_PORT = 7878

_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def enter_private_network() -> None:
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        sys.stderr.write(f"kgqa: cannot create a private network namespace for the store: {os.strerror(err)}\n")
        sys.exit(EXIT_NO_NAMESPACE)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(1 << 16)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve_connection(client: socket.socket) -> None:
    try:
        upstream = socket.create_connection(("127.0.0.1", PRIVATE_PORT), timeout=10)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    t.start()
    _pump(client, upstream)
    t.join()
    client.close()
    upstream.close()


def forward(path: str) -> None:
    old = os.umask(0o077)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener.bind(path)
    os.umask(old)
    listener.listen(64)

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_serve_connection, args=(client,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--socket")
    parser.add_argument("--memory-mb", type=float, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    die_with_parent()
    if os.getppid() != args.parent:
        sys.exit(1)  # the parent died before we could tie ourselves to it
    command = [c for c in args.command if c != "--"]
    if args.socket:
        enter_private_network()
        command += ["--bind", f"127.0.0.1:{PRIVATE_PORT}"]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)

    def stop(signum: int, frame: object) -> None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    if args.socket:
        forward(args.socket)
    while True:
        try:
            code = child.wait(timeout=0.25)
            sys.exit(code if code >= 0 else 128 - code)
        except subprocess.TimeoutExpired:
            pass
        if args.memory_mb and rss_mb(child.pid) > args.memory_mb:
            child.kill()
            child.wait()
            sys.stderr.write(f"kgqa: the store server passed {args.memory_mb:.0f} MB and was stopped\n")
            sys.exit(EXIT_MEMORY)
        time.sleep(0.0)


if __name__ == "__main__":
    main()
