;; A script whose assertion does not hold: the module is valid, so assert_invalid fails.
(assert_invalid (module (func)) "type mismatch")
