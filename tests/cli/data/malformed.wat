;; Not well-formed: an unknown instruction on line 4.
(module
  (func
    (i32.frobnicate)))
