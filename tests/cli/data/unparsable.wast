;; A script that does not parse: the module is not closed.
(module (func)
