# How a stack's programs built with sanitizers (SAN=1) report: into files
# under $STATE/log, read once the programs have exited (LeakSanitizer
# reports at exit).  Sourced by the scripts that run such a stack.

# Before the stack starts: where the reports go, and none from before.
sanitizer_setup() {
    export ASAN_OPTIONS="log_path=$STATE/log/sanitizer:detect_leaks=1"
    export UBSAN_OPTIONS="log_path=$STATE/log/sanitizer:print_stacktrace=1"
    rm -f "$STATE"/log/sanitizer.*
}

# After the stack stopped: print the reports and fail (as WHO) if any.
sanitizer_check() {
    ls "$STATE"/log/sanitizer.* >/dev/null 2>&1 || return 0
    echo "$1: the sanitizers reported:" >&2
    cat "$STATE"/log/sanitizer.* >&2
    return 1
}
