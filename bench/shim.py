"""Makes a Sightglass program runnable on engines without the bench imports: a self-timed copy.

    python3 bench/shim.py IN.wasm OUT.wasm

The copy no longer imports bench.start and bench.end; two functions defined at the end of the
module take their place. start reads the WASI monotonic clock (clock_time_get) into a new
global; end reads it again and writes "[bench] ns=N\\n" to stderr with fd_write, the same line
the native and -DBENCH_SELF_TIMED builds print (run.py reads and strips it). They borrow bytes
0..47 of memory 0 as scratch and restore them before returning, so the guest sees no change.

Removing two imports renumbers every function, so the rewrite walks every instruction of every
body (spec 5.4 instruction encodings) and every place that names a function: call,
return_call, ref.func, element segments, exports, the start function and global initializers.
The "name" custom section is dropped rather than renumbered. Unknown encodings (GC, exceptions)
raise: this is for the C programs of ../shared/bench, not a general tool.
"""
import sys

WASI = 'wasi_snapshot_preview1'
I32, I64 = 0x7F, 0x7E


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb(self, signed):
        result, shift = 0, 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result - (1 << shift) if signed and b & 0x40 else result

    def u32(self):
        return self.leb(False)

    def sleb(self):
        return self.leb(True)

    def take(self, n):
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def name(self):
        return self.take(self.u32()).decode()


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def sleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        done = (v == 0 and not b & 0x40) or (v == -1 and b & 0x40)
        out.append(b if done else b | 0x80)
        if done:
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b''.join(items)


def name(s):
    return uleb(len(s.encode())) + s.encode()


# ---------------------------------------------------------------------------------------------
# Instruction walking (spec 5.4): copy bytes, rewriting function indices through `remap`.

SIMD_MEMARG = set(range(0, 12)) | {92, 93}
SIMD_LANE = set(range(21, 35))
SIMD_MEMARG_LANE = set(range(84, 92))
FC_IMMEDIATES = {8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1}


def skip_blocktype(r):
    b = r.data[r.pos]
    if b == 0x40 or b in (0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F):
        r.pos += 1
    else:
        r.sleb()  # a type index (multi-value blocks)


def skip_memarg(r):
    align = r.u32()
    if align & 0x40:  # multi-memory: a memory index follows
        r.u32()
    r.u32()


def rewrite_expr(data, pos, end, remap, until_end=False):
    """Rewrites instructions from pos up to end (or through the `end` closing depth 0)."""
    r, out, copied, depth = Reader(data, pos), bytearray(), pos, 0
    while r.pos < end:
        op = r.byte()
        if op in (0x10, 0x12, 0xD2):  # call, return_call, ref.func
            at = r.pos
            index = r.u32()
            out += data[copied:at] + uleb(remap[index])
            copied = r.pos
        elif op in (0x02, 0x03, 0x04):
            depth += 1
            skip_blocktype(r)
        elif op == 0x0B:
            if until_end and depth == 0:
                r.pos -= 1  # the caller consumes the closing `end`
                break
            depth -= 1
        elif op in (0x0C, 0x0D, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3F, 0x40):
            r.u32()
        elif op == 0x0E:
            for _ in range(r.u32() + 1):
                r.u32()
        elif op in (0x11, 0x13):
            r.u32(), r.u32()
        elif op == 0x1C:
            r.take(r.u32())
        elif 0x28 <= op <= 0x3E:
            skip_memarg(r)
        elif op in (0x41, 0x42):
            r.sleb()
        elif op == 0x43:
            r.take(4)
        elif op == 0x44:
            r.take(8)
        elif op == 0xD0:
            skip_blocktype(r)  # a heap type: one byte or an s33 index
        elif op == 0xFC:
            sub = r.u32()
            for _ in range(FC_IMMEDIATES.get(sub, 0) if sub > 7 else 0):
                r.u32()
        elif op == 0xFD:
            sub = r.u32()
            if sub in SIMD_MEMARG:
                skip_memarg(r)
            elif sub in (12, 13):
                r.take(16)
            elif sub in SIMD_LANE:
                r.take(1)
            elif sub in SIMD_MEMARG_LANE:
                skip_memarg(r)
                r.take(1)
        elif op in (0x06, 0x07, 0x08, 0x09, 0x18, 0x19, 0x1F, 0x0A, 0xFB, 0xFE):
            raise ValueError(f'opcode 0x{op:02x} (exceptions, GC or threads) is not supported by the shim')
        elif not (op <= 0x01 or op in (0x05, 0x0F, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4):
            raise ValueError(f'unknown opcode 0x{op:02x} at offset {r.pos - 1}')
    out += data[copied:r.pos]
    return bytes(out), r.pos


# ---------------------------------------------------------------------------------------------
# The two hooks, hand-assembled. Locals of end: 0-5 saved words, 6 = n (i64), 7 = p (i32).

def _i32(v):
    return b'\x41' + sleb(v)


def _store8(addr_code, value):  # i32.store8 align=0 offset=0
    return addr_code + _i32(value) + b'\x3a\x00\x00'


def hook_bodies(clock, fd_write, t0):
    load0 = b'\x41\x00\x29\x03\x00'  # i64.load (i32.const 0)
    start = (b'\x01\x01' + bytes([I64])  # one local: the saved word
             + load0 + b'\x21\x00'
             + _i32(1) + b'\x42\x01' + _i32(0) + b'\x10' + uleb(clock) + b'\x1a'
             + load0 + b'\x24' + uleb(t0)
             + _i32(0) + b'\x20\x00' + b'\x37\x03\x00' + b'\x0b')
    save = b''.join(_i32(8 * i) + b'\x29\x03\x00' + b'\x21' + bytes([i]) for i in range(6))
    restore = b''.join(_i32(8 * i) + b'\x20' + bytes([i]) + b'\x37\x03\x00' for i in range(6))
    get_p = b'\x20\x07'
    digits = (b'\x03\x40'  # loop: p -= 1; mem[p] = '0' + n % 10; n /= 10; while n != 0
              + get_p + _i32(1) + b'\x6b\x21\x07'
              + get_p + b'\x20\x06\x42\x0a\x82\xa7' + _i32(48) + b'\x6a\x3a\x00\x00'
              + b'\x20\x06\x42\x0a\x80\x21\x06'
              + b'\x20\x06\x42\x00\x52\x0d\x00\x0b')
    prefix = b'[bench] ns='
    text = b''.join(_store8(get_p + _i32(i - len(prefix)) + b'\x6a', c) for i, c in enumerate(prefix))
    end = (b'\x02\x07' + bytes([I64]) + b'\x01' + bytes([I32])  # 7 x i64, 1 x i32
           + save
           + _i32(1) + b'\x42\x01' + _i32(0) + b'\x10' + uleb(clock) + b'\x1a'
           + load0 + b'\x23' + uleb(t0) + b'\x7d\x21\x06'  # n = now - t0
           + _i32(47) + b'\x21\x07' + _store8(get_p, 10)
           + digits + text
           + get_p + _i32(len(prefix)) + b'\x6b\x21\x07'
           + _i32(0) + get_p + b'\x36\x02\x00'  # iovec.buf = p
           + _i32(4) + _i32(48) + get_p + b'\x6b\x36\x02\x00'  # iovec.len = 48 - p
           + _i32(2) + _i32(0) + _i32(1) + _i32(8) + b'\x10' + uleb(fd_write) + b'\x1a'
           + restore + b'\x0b')
    return start, end


# ---------------------------------------------------------------------------------------------
# The module

def sections(data):
    assert data[:8] == b'\x00asm\x01\x00\x00\x00', 'not a wasm binary'
    r, out = Reader(data, 8), []
    while r.pos < len(data):
        sid = r.byte()
        size = r.u32()
        out.append([sid, r.pos, r.pos + size])
        r.pos += size
    return out


def parse_types(data, start, end):
    r, types = Reader(data, start), []
    for _ in range(r.u32()):
        if r.byte() != 0x60:
            raise ValueError('only function types are supported')
        params = bytes(r.take(r.u32()))
        results = bytes(r.take(r.u32()))
        types.append((params, results))
    return types


def parse_imports(data, start):
    r, imports = Reader(data, start), []
    for _ in range(r.u32()):
        begin = r.pos
        module, field, kind = r.name(), r.name(), r.byte()
        if kind == 0x00:
            desc = r.u32()
        elif kind == 0x01:
            r.byte(), skip_limits(r)
            desc = None
        elif kind == 0x02:
            skip_limits(r)
            desc = None
        elif kind == 0x03:
            r.byte(), r.byte()
            desc = None
        else:
            raise ValueError(f'import kind {kind} not supported')
        imports.append((module, field, kind, desc, data[begin:r.pos]))
    return imports


def skip_limits(r):
    flags = r.byte()
    r.u32()
    if flags & 1:
        r.u32()


def shim(data):
    secs = sections(data)
    by_id = {s[0]: s for s in secs if s[0] != 0}
    types = parse_types(data, by_id[1][1], by_id[1][2])
    imports = parse_imports(data, by_id[2][1])
    func_imports = [i for i in imports if i[2] == 0]
    old_index = {(m, f): i for i, (m, f, _, _, _) in enumerate(func_imports)}
    if ('bench', 'start') not in old_index or ('bench', 'end') not in old_index:
        raise ValueError('the module does not import bench.start and bench.end')

    def type_index(params, results):
        if (params, results) not in types:
            types.append((params, results))
        return types.index((params, results))

    void = type_index(b'', b'')
    clock_type = type_index(bytes([I32, I64, I32]), bytes([I32]))
    write_type = type_index(bytes([I32] * 4), bytes([I32]))
    kept = [i for i in imports if not (i[2] == 0 and i[0] == 'bench')]
    for field, t in (('clock_time_get', clock_type), ('fd_write', write_type)):
        if not any(i[0] == WASI and i[1] == field for i in kept):
            kept.append((WASI, field, 0, t, name(WASI) + name(field) + b'\x00' + uleb(t)))
    new_funcs = [i for i in kept if i[2] == 0]
    new_index = {(m, f): i for i, (m, f, _, _, _) in enumerate(new_funcs)}
    r = Reader(data, by_id[3][1])
    defined_types = [r.u32() for _ in range(r.u32())]
    n_old, n_new = len(func_imports), len(new_funcs)
    hook_start, hook_end = n_new + len(defined_types), n_new + len(defined_types) + 1
    remap = {}
    for (m, f), i in old_index.items():
        remap[i] = {'start': hook_start, 'end': hook_end}[f] if m == 'bench' else new_index[(m, f)]
    for k in range(len(defined_types)):
        remap[n_old + k] = n_new + k

    if 6 not in by_id:
        raise ValueError('the module has no global section')  # clang output always has one
    global_imports = sum(1 for i in imports if i[2] == 3)
    r = Reader(data, by_id[6][1]) if 6 in by_id else None
    n_globals = r.u32() if r else 0
    t0 = global_imports + n_globals
    start_body, end_body = hook_bodies(new_index[(WASI, 'clock_time_get')], new_index[(WASI, 'fd_write')], t0)

    out = bytearray(b'\x00asm\x01\x00\x00\x00')

    def emit(sid, payload):
        out.extend(bytes([sid]) + uleb(len(payload)) + payload)

    for sid, start, end in secs:
        body = data[start:end]
        if sid == 0:
            if Reader(data, start).name() == 'name':
                continue  # function names would need renumbering; names are not needed to run
            emit(0, body)
        elif sid == 1:
            emit(1, vec([b'\x60' + vec([bytes([p]) for p in ps]) + vec([bytes([x]) for x in rs]) for ps, rs in types]))
        elif sid == 2:
            emit(2, vec([i[4] for i in kept]))
        elif sid == 3:
            emit(3, vec([uleb(t) for t in defined_types + [void, void]]))
        elif sid == 6:
            emit(6, rewrite_globals(data, start, end, remap))
        elif sid == 7:
            emit(7, rewrite_exports(data, start, remap))
        elif sid == 8:
            emit(8, uleb(remap[Reader(data, start).u32()]))
        elif sid == 9:
            emit(9, rewrite_elements(data, start, remap))
        elif sid == 10:
            emit(10, rewrite_code(data, start, remap, [start_body, end_body]))
        else:
            emit(sid, body)
    return bytes(out)


def rewrite_globals(data, start, end, remap):
    r, items = Reader(data, start), []
    for _ in range(r.u32()):
        gtype = bytes(r.take(2))
        expr, r.pos = rewrite_expr(data, r.pos, end, remap, until_end=True)
        r.pos += 1
        items.append(gtype + expr + b'\x0b')
    items.append(bytes([I64, 0x01]) + b'\x42\x00\x0b')  # the hooks' t0: mut i64 = 0
    return vec(items)


def rewrite_exports(data, start, remap):
    r, items = Reader(data, start), []
    for _ in range(r.u32()):
        field, kind, index = r.name(), r.byte(), r.u32()
        items.append(name(field) + bytes([kind]) + uleb(remap[index] if kind == 0 else index))
    return vec(items)


def rewrite_elements(data, start, remap):
    r, items = Reader(data, start), []
    end = len(data)
    for _ in range(r.u32()):
        flags = r.u32()
        head = bytearray(uleb(flags))
        if flags & 2 and not flags & 1:
            head += uleb(r.u32())  # table index
        if not flags & 1:
            expr, r.pos = rewrite_expr(data, r.pos, end, remap, until_end=True)
            r.pos += 1
            head += expr + b'\x0b'
        if flags & 3:
            head.append(r.byte())  # elemkind or reftype
        entries = []
        for _ in range(r.u32()):
            if flags & 4:
                expr, r.pos = rewrite_expr(data, r.pos, end, remap, until_end=True)
                r.pos += 1
                entries.append(expr + b'\x0b')
            else:
                entries.append(uleb(remap[r.u32()]))
        items.append(bytes(head) + vec(entries))
    return vec(items)


def rewrite_code(data, start, remap, extra):
    r, bodies = Reader(data, start), []
    for _ in range(r.u32()):
        size = r.u32()
        body_end = r.pos + size
        locals_start = r.pos
        for _ in range(r.u32()):
            r.u32(), r.byte()
        code, _ = rewrite_expr(data, r.pos, body_end, remap)
        body = data[locals_start:r.pos] + code
        bodies.append(uleb(len(body)) + body)
        r.pos = body_end
    bodies += [uleb(len(b)) + b for b in extra]
    return vec(bodies)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], 'rb') as f:
        data = f.read()
    with open(sys.argv[2], 'wb') as f:
        f.write(shim(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())
