// Runs one WASI benchmark program on V8 (node:wasi) with the Sightglass bench.start/bench.end imports.
//
//   node --no-warnings [V8 flags] node_runner.mjs --dir DIR [--report FILE] PROGRAM.wasm [ARGS...]
//
// DIR is preopened as the guest's `.` (and becomes the working directory, as the Sightglass
// runner does). The report is JSON: compile_ns (WebAssembly.compile), instantiate_ns, bench_ns
// (between bench.start and bench.end, process.hrtime), exit (the guest's exit status). V8 flags
// pick the tiers: none (default: Liftoff, then TurboFan tier-up), --liftoff-only
// (baseline only) or --no-liftoff (optimizing only).
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

function parseArgs(argv) {
  const opts = { dir: '.', report: null, program: null, args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    if (argv[i] === '--dir') opts.dir = argv[++i];
    else if (argv[i] === '--report') opts.report = argv[++i];
    else break;
  }
  if (i >= argv.length) {
    process.stderr.write('usage: node_runner.mjs --dir DIR [--report FILE] PROGRAM.wasm [ARGS...]\n');
    process.exit(2);
  }
  opts.program = argv[i];
  opts.args = argv.slice(i + 1);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
// node:wasi prints an ExperimentalWarning on some versions; the guest's stderr must stay its own.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');

const bytes = readFileSync(opts.program);
process.chdir(opts.dir);
const wasi = new WASI({
  version: 'preview1',
  args: [opts.program.split('/').pop(), ...opts.args],
  env: {},
  preopens: { '.': '.' },
  returnOnExit: true,
});

let benchStart = null;
let benchEnd = null;
const imports = {
  wasi_snapshot_preview1: wasi.wasiImport,
  bench: {
    start() { benchStart = process.hrtime.bigint(); },
    end() { benchEnd = process.hrtime.bigint(); },
  },
};

const t0 = process.hrtime.bigint();
const module = await WebAssembly.compile(bytes);
const t1 = process.hrtime.bigint();
const instance = await WebAssembly.instantiate(module, imports);
const t2 = process.hrtime.bigint();
let exit = 0;
try {
  exit = wasi.start(instance) ?? 0;
} catch (e) {
  process.stderr.write(`trap: ${e && e.message ? e.message : e}\n`);
  exit = 134;
}
const report = {
  compile_ns: Number(t1 - t0),
  instantiate_ns: Number(t2 - t1),
  bench_ns: benchStart !== null && benchEnd !== null ? Number(benchEnd - benchStart) : null,
  exit,
};
if (opts.report) writeFileSync(opts.report, JSON.stringify(report) + '\n');
process.exitCode = exit;
