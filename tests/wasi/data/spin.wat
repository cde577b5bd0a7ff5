;; Never returns: only fuel or a timeout stops it.
(module (func (export "_start") (loop (br 0))))
