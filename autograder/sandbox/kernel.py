"""The kernel's layers: what a worker applies to itself before any student code runs.

The worker loads this file by path (like ``guard.py``) in the fork server, before it
forks, and each forked worker calls :func:`confine` with the plan the grading process
made (``host.py``). Everything here is enforced by the kernel and cannot be undone by
the process, whatever its code does to its own memory afterwards:

- ``private_disk``: as root, the worker's folder becomes a tmpfs of a fixed size in a
  mount namespace of its own: the total it may write, gone when it ends;
- ``landlock``: it may read only the Python installation and the system libraries
  (the grader's own package excepted), and read, write and create regular files and
  folders only in its private folder; no pipe, socket, device or link is created
  anywhere, no program executed, no TCP port used (ABI 4), no signal sent to a
  process outside it (ABI 6). Landlock also keeps it from tracing (``ptrace``,
  ``process_vm_*``, ``/proc/PID/mem``) any process outside it;
- ``no_new_privs``, and as root every capability dropped (bounding, ambient,
  effective, permitted) with the ``SECBIT_NOROOT`` lock: the uid stays 0, but owns
  no privilege, so it needs no other user to read the Python installation;
- ``seccomp``: a filter refusing (``EPERM``) the system calls a grading worker never
  needs, and signals or scheduling changes aimed at any process but itself.

Why these bindings: Landlock is three system calls with two small structures; the
Landlock packages on PyPI were a development release without ABI 6 (``landlock``) or
months-old alpha and beta releases by single authors (``landlockpy``,
``py-landlock``), so the calls are made here, with ``ctypes``. For seccomp the hard
part is the BPF program (each architecture's system call numbers, the x32 and
compatibility ABIs): that is libseccomp's, which every distribution ships and keeps,
reached through ``pyseccomp``, a single-file ``ctypes`` binding with the same API as
libseccomp's own Python module. ``ctypes`` is imported only here and only before the
student's code runs; :func:`forget_ctypes` then removes it from ``sys.modules`` (the
audit hook refuses importing it again, and past the hook it would reach nothing the
kernel has not already closed).
"""
import ctypes
import errno
import os
import stat

# include/uapi/linux/landlock.h; the system call numbers are the same on every arch.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15           # ABI 2, 3, 5
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # what a file rule may hold
READ = READ_FILE | READ_DIR
PRIVATE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | REFER
           | TRUNCATE)
NET_TCP = 1 | 2                                                 # bind, connect (ABI 4)
SCOPE_SIGNAL_AND_SOCKETS = 1 | 2                                # abstract sockets, signals (ABI 6)

_PR_CAPBSET_DROP, _PR_SET_SECUREBITS, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT = 24, 28, 38, 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
# SECBIT_NOROOT and SECBIT_NO_CAP_AMBIENT_RAISE, each with its lock.
_SECUREBITS = 0x01 | 0x02 | 0x40 | 0x80
_CAPABILITY_VERSION_3 = 0x20080522
_CLONE_NEWNS, _MS_REC, _MS_PRIVATE = 0x00020000, 0x4000, 0x40000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x2, 0x4, 0x8

# What a worker may read besides the Python installation: the system's libraries (which
# the installation's extension modules load) and the few files the C library reads.
SYSTEM_READABLE = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib",
                   "/usr/share/zoneinfo", "/etc/ld.so.cache", "/etc/localtime",
                   "/sys/devices/system/cpu")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")   # read and written

# Refused outright: what no grading worker needs.
SYSCALLS_REFUSED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_send_signal",
    "pidfd_getfd", "process_madvise", "process_mrelease", "kcmp", "get_robust_list",
    "socket", "socketpair", "mknod", "mknodat", "clone", "clone3", "fork", "vfork",
    "execve", "execveat", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "ioprio_set", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "acct", "quotactl", "syslog", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "name_to_handle_at",
    "open_by_handle_at", "fanotify_init", "iopl", "ioperm", "modify_ldt", "uselib",
    "personality", "vhangup")
# Refused unless the first argument is 0 (this process).
SYSCALLS_SELF_ONLY = ("sched_setaffinity", "sched_setscheduler", "sched_setparam",
                      "sched_setattr", "prlimit64", "migrate_pages", "move_pages")
# Signals: refused unless aimed at this very process (arguments 0, or 0 and 1).
SIGNALS_TO = {"kill": (0,), "tkill": (0,), "rt_sigqueueinfo": (0,), "tgkill": (0, 1),
              "rt_tgsigqueueinfo": (0, 1)}
_F_SETOWN, _F_SETOWN_EX = 8, 15   # fcntl: a descriptor's SIGIO sent to another process


class ConfineError(Exception):
    """A layer the plan asked for could not be applied: the worker must not run."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise ConfineError(f"{what}: {os.strerror(code)} (errno {code})")
    return result


def landlock_abi() -> int:
    """The Landlock ABI this kernel offers; 0 when it offers none."""
    result = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(result, 0)


def fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    for since, right in ((2, REFER), (3, TRUNCATE), (5, IOCTL_DEV)):
        if abi >= since:
            rights |= right
    return rights


def no_new_privs() -> None:
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def landlock(abi: int, rules) -> None:
    """Restrict this process to ``rules`` (``(path, rights)``; a path that does not
    exist, or this user cannot reach, is skipped) under Landlock ABI ``abi``."""
    handled = fs_rights(abi)
    attr = _RulesetAttr(handled, NET_TCP if abi >= 4 else 0,
                        SCOPE_SIGNAL_AND_SOCKETS if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24   # the structure as that ABI knows it
    ruleset = _check(_libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                                   ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except (FileNotFoundError, PermissionError):  # (as nobody) unreadable anyway
                continue
            try:
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    rights &= FILE_RIGHTS
                rule = _PathBeneath(rights & handled, fd)
                _check(_libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule),
                                     ctypes.c_uint32(0)), f"landlock_add_rule {path}")
            finally:
                os.close(fd)
        no_new_privs()
        _check(_libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def drop_capabilities(last_cap: int) -> None:
    """As root: lose every capability, for good (the uid stays 0)."""
    _check(_libc.prctl(_PR_SET_SECUREBITS, _SECUREBITS, 0, 0, 0), "securebits")
    for cap in range(last_cap + 1):
        _check(_libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"dropping capability {cap}")
    _check(_libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient caps")
    header, data = _CapHeader(_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def private_disk(folder: str, size: int, owner=None) -> None:
    """As root: mount a tmpfs of ``size`` bytes on ``folder``, seen by this process
    only, holding what ``folder`` held (its top-level files); ``owner`` (``[uid, gid]``,
    the user the worker is about to become) owns it and them."""
    names = [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    contents = {}
    for name in names:
        with open(os.path.join(folder, name), "rb") as file:
            contents[name] = file.read()
    _check(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    # Mounts made here must not reach the grader's namespace.
    _check(_libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "private mounts")
    uid, gid = owner or (os.getuid(), os.getgid())
    options = f"size={size},nr_inodes=1024,mode=0700,uid={uid},gid={gid}".encode()
    _check(_libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs",
                       _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, options), "tmpfs")
    os.chdir(folder)  # the tmpfs, not the folder beneath it
    for name, data in contents.items():
        with open(name, "wb") as file:
            file.write(data)
        os.chown(name, uid, gid)


# The libraries pyseccomp looks for, by their stable names: ctypes.util.find_library
# runs ldconfig (and maybe a compiler) in subprocesses, 5 to 30 ms per grading process.
SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}


def find_library(name: str):
    """``ctypes.util.find_library``, trying the stable name first."""
    import ctypes.util

    try:
        ctypes.CDLL(SONAMES[name])
        return SONAMES[name]
    except (KeyError, OSError):
        return ctypes.util.find_library(name)


def import_pyseccomp():
    """``pyseccomp``, imported with :func:`find_library` in place of ctypes'."""
    import ctypes.util

    original, ctypes.util.find_library = ctypes.util.find_library, find_library
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = original
    return pyseccomp


def seccomp(pid: int) -> None:
    """Load the filter of the module docstring; signals only to ``pid`` (this process)."""
    sc = import_pyseccomp()

    refuse = sc.ERRNO(errno.EPERM)
    rules = [(name, ()) for name in SYSCALLS_REFUSED]
    rules += [(name, (sc.Arg(0, sc.NE, 0),)) for name in SYSCALLS_SELF_ONLY]
    rules += [(name, (sc.Arg(arg, sc.NE, pid),)) for name, args in SIGNALS_TO.items()
              for arg in args]
    rules += [("setpriority", (sc.Arg(0, sc.NE, 0),)), ("setpriority", (sc.Arg(1, sc.NE, 0),))]
    rules += [("fcntl", (sc.Arg(1, sc.EQ, cmd),)) for cmd in (_F_SETOWN, _F_SETOWN_EX)]
    flt = sc.SyscallFilter(sc.ALLOW)
    for name, args in rules:
        try:
            flt.add_rule(refuse, name, *args)
        except (OSError, ValueError, RuntimeError) as exc:
            # A call this architecture does not have cannot be made: nothing to refuse.
            if _resolves(sc, name):
                raise ConfineError(f"seccomp rule for {name}: {exc}") from None
    try:
        flt.load()
    except OSError as exc:
        raise ConfineError(f"seccomp: {exc}") from None


def _resolves(sc, name: str) -> bool:
    try:
        return sc.resolve_syscall(sc.system_arch(), name) >= 0
    except (OSError, ValueError, RuntimeError):
        return False


def readable_rules(prefixes, denied) -> list:
    """The rules for what a worker reads: the Python installation's ``prefixes``, the
    system's libraries, the harmless devices; leaving out the files of every path in
    ``denied``: on the way down to one, each folder may be listed (the import system
    lists the folders it imports from) and each sibling is read."""
    denied = {os.path.realpath(d) for d in denied}
    rules, seen = [], set()

    def grant(path: str) -> None:
        path = os.path.realpath(path)
        if path in seen or path in denied or not os.path.exists(path):
            return
        seen.add(path)
        if any(d.startswith(path.rstrip("/") + "/") for d in denied):
            rules.append((path, READ_DIR))
            for entry in os.scandir(path):
                grant(entry.path)
        else:
            rules.append((path, READ))

    for root in sorted({*prefixes, *SYSTEM_READABLE}):
        grant(root)
    return rules + [(device, READ_FILE | WRITE_FILE) for device in DEVICES]


def forget_ctypes(modules: dict) -> None:
    """Drop ``ctypes`` and its users from ``modules`` (``sys.modules``)."""
    for name in [n for n in modules if n.partition(".")[0] in ("ctypes", "_ctypes",
                                                                 "pyseccomp")]:
        del modules[name]
