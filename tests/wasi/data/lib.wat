;; Preloaded under the name `lib` by the preload test.
(module (func (export "answer") (result i32) i32.const 42))
