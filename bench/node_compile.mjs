// Times V8 compiling one wasm module, for the harness's compile-speed table (bench/run.py, V8_COMPILE).
//
//   node [V8 flags] node_compile.mjs PROGRAM.wasm
//
// Prints {"compile_ns": N} on stdout: the wall time of `new WebAssembly.Module(bytes)` (synchronous:
// it returns once the module is compiled as far as the flags say; V8 spreads an eager compile over
// background threads unless --wasm-num-compilation-tasks=0). With --liftoff-only
// --no-wasm-lazy-compilation that is decoding, validation and Liftoff code for every function, the
// work Strata's Module::fromFile does; node's default (lazy) would only validate. One compile per process: the first compile of a fresh process is what Strata's
// figure is too (strata_bench compiles once).
import { readFileSync } from 'node:fs';
import process from 'node:process';

if (process.argv.length !== 3) {
  process.stderr.write('usage: node [V8 flags] node_compile.mjs PROGRAM.wasm\n');
  process.exit(2);
}
const bytes = readFileSync(process.argv[2]);
const t0 = process.hrtime.bigint();
new WebAssembly.Module(bytes);  // throws (exit status 1) on an invalid module
const t1 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ compile_ns: Number(t1 - t0) }) + '\n');
