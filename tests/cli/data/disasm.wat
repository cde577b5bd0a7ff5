;; Functions whose baseline code is easy to recognize in `explore` and `objdump --disassemble`:
;; an x86 add for i32.add, a trap stub for each trap i32.div_s can raise, a guard-page load, a
;; br_table's jump table (of more than three entries: smaller ones are compare chains).
(module
  (memory 1)
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func $div (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $load (param i32) (result i32)
    (i32.load offset=8 (local.get 0)))
  (func $switch (param i32) (result i32)
    (block (block (block (br_table 0 1 2 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 20)))
    (i32.const 30)))
