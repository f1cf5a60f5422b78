"""The workers of a program of the stack (tools/stack.sh): multiwatch
watches them, and its pid is in $STATE/NAME.pid; they are its children."""


def workers(state, program):
    """The pids of PROGRAM's workers now; [] when it is not running."""
    try:
        with open("%s/%s.pid" % (state, program)) as f:
            watcher = int(f.read())
        with open("/proc/%d/task/%d/children" % (watcher, watcher)) as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []
