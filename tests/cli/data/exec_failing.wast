;; One assertion of each kind that does not hold; the runner must report each and go on.
(module (func (export "one") (result i32) (i32.const 1)) (func (export "trap") (unreachable)))
(assert_return (invoke "one") (i32.const 2))
(assert_trap (invoke "one") "unreachable")
(assert_return (invoke "trap"))
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "one") (i32.const 1))
