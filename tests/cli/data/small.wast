;; A script exercising each kind of command the runner handles at the decode/validate stage.
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(module binary "\00asm" "\01\00\00\00")
(module quote "(func)")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module quote "(func (i32.frobnicate))") "unknown operator")
(assert_malformed (module binary "\00asm" "\02\00\00\00") "unknown binary version")
