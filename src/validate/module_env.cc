// Building the validation context: type section validation and the declared-function set C.refs.
#include "validate/module_env.h"

#include "decode/instr.h"

namespace strata::validate {

namespace {

// Marks every function a constant expression takes a reference to. Undecodable expressions are
// skipped here; validating them later reports the error.
void collectRefs(const ir::Module& m, const ir::ConstExpr& e, const ir::Features& features,
                 std::vector<uint8_t>& declared) {
  decode::InstrReader reader(ByteReader(m.span(e), e.span.offset), features);
  decode::Instr in;
  while (!reader.atEnd()) {
    if (!reader.next(in)) return;
    if (in.op == ir::Opcode::RefFunc && in.idx < declared.size()) declared[in.idx] = 1;
  }
}

}  // namespace

Result<ModuleEnv> ModuleEnv::create(const ir::Module& m, const ir::Features& features) {
  ModuleEnv env;
  env.module = &m;
  env.features = features;
  STRATA_CHECK(env.types.init(m));
  // spec 3.4.x: C.refs holds the function indices occurring in the module outside function
  // bodies and the start section.
  std::vector<uint8_t>& declared = env.declared_funcs;
  declared.assign(m.functions.size(), 0);
  for (const ir::Export& e : m.exports)
    if (e.kind == ir::ExternKind::Func && e.index < declared.size()) declared[e.index] = 1;
  for (const ir::ElemSegment& seg : m.elems) {
    for (uint32_t f : seg.func_indices)
      if (f < declared.size()) declared[f] = 1;
    for (const ir::ConstExpr& e : seg.exprs) collectRefs(m, e, features, declared);
    if (seg.mode == ir::SegmentMode::Active) collectRefs(m, seg.offset, features, declared);
  }
  for (const ir::Global& g : m.globals)
    if (!g.imported) collectRefs(m, g.init, features, declared);
  for (const ir::Table& t : m.tables)
    if (t.init) collectRefs(m, *t.init, features, declared);
  for (const ir::DataSegment& d : m.datas)
    if (d.mode == ir::SegmentMode::Active) collectRefs(m, d.offset, features, declared);
  return env;
}

}  // namespace strata::validate
