;; An exception no handler catches: `strata run --invoke boom` reports it like a trap, naming the tag.
(module $thrower
  (tag $e (export "e") (param i32))
  (func (export "boom") (throw $e (i32.const 7))))
