;; binary-trees (the Computer Language Benchmarks Game's allocation benchmark) on WasmGC: many
;; short-lived trees of struct nodes and one long-lived tree, checked by counting nodes. A WASI
;; command with the Sightglass bench.start/bench.end imports; its output is
;; binary_trees.stdout.expected. Argument: none (max depth 16, as below).
(module
  (type $node (struct (field (ref null $node)) (field (ref null $node))))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "bench" "start" (func $bench_start))
  (import "bench" "end" (func $bench_end))
  (memory (export "memory") 1)

  (global $max_depth i32 (i32.const 16))
  ;; Output buffer at 64, its length in $out_len; the iovec at 0.
  (global $out_len (mut i32) (i32.const 0))

  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $node (call $make (local.get $d)) (call $make (local.get $d))))))

  (func $check (param $t (ref $node)) (result i32)
    (local $l (ref null $node))
    (local.set $l (struct.get $node 0 (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (ref.as_non_null (local.get $l)))
                   (call $check (ref.as_non_null (struct.get $node 1 (local.get $t)))))))))

  ;; Appends the decimal digits of $v and then the byte $sep to the output buffer.
  (func $put (param $v i32) (param $sep i32)
    (local $start i32) (local $end i32)
    (local.set $start (i32.add (i32.const 64) (global.get $out_len)))
    (local.set $end (local.get $start))
    (loop $digits
      (i32.store8 (local.get $end) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $end (i32.add (local.get $end) (i32.const 1)))
      (br_if $digits (local.tee $v (i32.div_u (local.get $v) (i32.const 10)))))
    ;; reverse [start, end)
    (local.set $v (i32.sub (local.get $end) (i32.const 1)))
    (block $done
      (loop $rev
        (br_if $done (i32.ge_u (local.get $start) (local.get $v)))
        (local.set $sep (i32.or (local.get $sep) (i32.shl (i32.load8_u (local.get $start)) (i32.const 8))))
        (i32.store8 (local.get $start) (i32.load8_u (local.get $v)))
        (i32.store8 (local.get $v) (i32.shr_u (local.get $sep) (i32.const 8)))
        (local.set $sep (i32.and (local.get $sep) (i32.const 0xff)))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (local.set $v (i32.sub (local.get $v) (i32.const 1)))
        (br $rev)))
    (i32.store8 (local.get $end) (local.get $sep))
    (global.set $out_len (i32.sub (i32.add (local.get $end) (i32.const 1)) (i32.const 64))))

  (func $flush
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (global.get $out_len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (global.set $out_len (i32.const 0)))

  (func (export "_start")
    (local $long (ref $node)) (local $d i32) (local $iters i32) (local $i i32) (local $sum i32)
    (call $bench_start)
    ;; stretch tree: depth max + 1, dropped at once
    (call $put (i32.add (global.get $max_depth) (i32.const 1)) (i32.const 32))
    (call $put (call $check (call $make (i32.add (global.get $max_depth) (i32.const 1)))) (i32.const 10))
    (local.set $long (call $make (global.get $max_depth)))
    (local.set $d (i32.const 4))
    (loop $depths
      (local.set $iters (i32.shl (i32.const 1) (i32.add (i32.sub (global.get $max_depth) (local.get $d)) (i32.const 4))))
      (local.set $sum (i32.const 0))
      (local.set $i (local.get $iters))
      (loop $trees
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
        (br_if $trees (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (call $put (local.get $iters) (i32.const 32))
      (call $put (local.get $d) (i32.const 32))
      (call $put (local.get $sum) (i32.const 10))
      (br_if $depths (i32.le_u (local.tee $d (i32.add (local.get $d) (i32.const 2))) (global.get $max_depth))))
    (call $put (global.get $max_depth) (i32.const 32))
    (call $put (call $check (local.get $long)) (i32.const 10))
    (call $bench_end)
    (call $flush)))
