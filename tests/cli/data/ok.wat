;; A small valid module: one import, a function with a local, memory with data, a table.
(module $m
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (table 2 funcref)
  (global $g (mut i32) (i32.const 7))
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (local $t i32)
    (local.set $t (i32.add (local.get $a) (local.get $b)))
    (call $log (local.get $t))
    (local.get $t))
  (elem (i32.const 0) $add $log)
  (data (i32.const 16) "hello"))
