;; A command whose _start traps: `strata run` prints the trap and backtrace and exits 134.
(module (func $boom (export "_start") unreachable))
