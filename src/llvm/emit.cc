// From LLVM IR to a code image: the optimization pipeline, the object file, and a small linker
// that lays the object's sections out as one position-independent image (docs/llvm.md "The
// image"). Why a linker of our own rather than JITLink: the image must be bytes Strata maps
// itself (the same path as a compiled artifact read from disk), the object needs only
// pc-relative relocations, and the line table must come out beside it.
#include "llvm/emit.h"

#include <fmt/core.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/CodeGen/MachineFunctionPass.h>
#include <llvm/CodeGen/MachineModuleInfo.h>
#include <llvm/CodeGen/Passes.h>
#include <llvm/CodeGen/TargetPassConfig.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

#include "jit/externs.h"
#include "llvm/translate.h"

namespace strata::llvmtier {

namespace {

Result<std::unique_ptr<llvm::TargetMachine>> targetMachine(const PluginRequest& req) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  std::string triple = llvm::sys::getProcessTriple();
  std::string err;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: " + err);
  std::string cpu = req.target_cpu && std::string_view(req.target_cpu) != "native" ? req.target_cpu
                                                                                    : std::string(llvm::sys::getHostCPUName());
  std::string features;
  if (!req.target_cpu || std::string_view(req.target_cpu) == "native") {
    llvm::SubtargetFeatures f;
    for (auto& [name, on] : llvm::sys::getHostCPUFeatures()) f.AddFeature(name, on);
    features = f.getString();
  }
  llvm::TargetOptions opts;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, opts, llvm::Reloc::PIC_, llvm::CodeModel::Small, llvm::CodeGenOptLevel::Default));
  if (!tm) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: no target machine");
  return tm;
}

void optimize(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  llvm::PassBuilder pb(&tm, pto);
  // No C library behind this code: LLVM must not turn loops into memset/memcpy calls (a fault
  // inside libc would not be a trap) nor assume libm.
  llvm::TargetLibraryInfoImpl tlii(llvm::Triple(m.getTargetTriple()));
  tlii.disableAllFunctions();
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(m, mam);
}

// The wasm offset an access scope names (translate.h kAccessDomain), if it is one.
std::optional<uint32_t> accessOffset(const llvm::MDNode* scope) {
  // A named scope is !{!"name", !domain}, a named domain !{!"name"} (MDBuilder).
  if (!scope || scope->getNumOperands() < 2) return std::nullopt;
  auto* name = llvm::dyn_cast<llvm::MDString>(scope->getOperand(0));
  auto* domain = llvm::dyn_cast<llvm::MDNode>(scope->getOperand(1));
  if (!name || !domain || domain->getNumOperands() < 1) return std::nullopt;
  auto* dname = llvm::dyn_cast<llvm::MDString>(domain->getOperand(0));
  if (!dname || dname->getString() != kAccessDomain) return std::nullopt;
  uint32_t at = 0;
  if (name->getString().getAsInteger(10, at)) return std::nullopt;
  return at;
}

// A machine pass run just before the object is written: every instruction that reads or
// writes linear memory gets the line (wasm offset) of the access it performs. Instruction
// selection gives a load folded into its user (`add eax, [mem]`) the user's location, and the
// fault handler maps a faulting pc through the line table: without this pass, an out-of-bounds
// access folded that way reported its neighbour's offset. Two accesses in one instruction
// (a load, an operation and a store to the same address) take the load's: it faults first.
// Accesses LLVM merged carry both scopes: the instruction keeps its line if it is one of
// them, else the first access in wasm order.
class AccessLines : public llvm::MachineFunctionPass {
 public:
  static inline char ID = 0;
  AccessLines() : MachineFunctionPass(ID) {}
  llvm::StringRef getPassName() const override { return "strata wasm access lines"; }
  void getAnalysisUsage(llvm::AnalysisUsage& au) const override {
    au.setPreservesAll();
    MachineFunctionPass::getAnalysisUsage(au);
  }
  bool runOnMachineFunction(llvm::MachineFunction& mf) override {
    llvm::DISubprogram* sp = mf.getFunction().getSubprogram();
    if (!sp) return false;
    bool changed = false;
    for (llvm::MachineBasicBlock& mbb : mf)
      for (llvm::MachineInstr& mi : mbb) {
        if (mi.memoperands_empty()) continue;
        std::optional<uint32_t> load_at, store_at;
        bool current = false;
        unsigned line = mi.getDebugLoc() ? mi.getDebugLoc().getLine() : 0;
        for (const llvm::MachineMemOperand* mmo : mi.memoperands()) {
          const llvm::MDNode* scopes = mmo->getAAInfo().Scope;
          if (!scopes) continue;
          for (const llvm::MDOperand& op : scopes->operands()) {
            std::optional<uint32_t> at = accessOffset(llvm::dyn_cast<llvm::MDNode>(op));
            if (!at) continue;
            current |= *at == line;
            std::optional<uint32_t>& slot = mmo->isLoad() ? load_at : store_at;
            if (!slot || *at < *slot) slot = at;
          }
        }
        std::optional<uint32_t> at = load_at ? load_at : store_at;
        if (!at || current) continue;
        mi.setDebugLoc(llvm::DILocation::get(mf.getFunction().getContext(), *at, 0, sp));
        changed = true;
      }
    return changed;
  }
};

// LLVMTargetMachine::addPassesToEmitFile's pipeline with AccessLines before the printer.
bool addCodegenPasses(llvm::TargetMachine& tm, llvm::legacy::PassManager& pm, llvm::raw_pwrite_stream& os) {
  auto& ltm = static_cast<llvm::LLVMTargetMachine&>(tm);
  auto* mmiwp = new llvm::MachineModuleInfoWrapperPass(&ltm);
  llvm::TargetPassConfig* config = ltm.createPassConfig(pm);
  config->setDisableVerify(true);
  pm.add(config);
  pm.add(mmiwp);
  if (config->addISelPasses()) return false;
  config->addMachinePasses();
  config->setInitialized();
  pm.add(new AccessLines());
  if (ltm.addAsmPrinter(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile, mmiwp->getMMI().getContext())) return false;
  pm.add(llvm::createFreeMachineFunctionPass());
  return true;
}

using Elf = llvm::object::ELF64LEObjectFile;

// The linker: sections of the object -> offsets in the image.
struct Layout {
  std::map<uint64_t, uint64_t> section_at;  // section index -> image offset
  uint64_t text_index = ~uint64_t(0);
  size_t code_end = 0;  // end of code and read-only data
  std::map<std::string, uint32_t> plt;      // C library name -> stub offset
};

std::optional<uint32_t> externOf(llvm::StringRef name) {
  if (name.consume_front("ext.")) {
    uint32_t id = 0;
    if (name.getAsInteger(10, id)) return std::nullopt;
    return id;
  }
  if (name == "memcpy") return jit::kExternMemcpy;
  if (name == "memmove") return jit::kExternMemmove;
  if (name == "memset") return jit::kExternMemset;
  return std::nullopt;
}

Result<PluginOutput> link(const Elf& obj, uint32_t ndef, uint32_t nimp) {
  auto unsupported = [](std::string what) { return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: link: " + what); };
  PluginOutput out;
  Layout lay;
  std::vector<uint8_t>& code = out.code;
  // .text first, then every other allocated read-only section (constant pools, the body
  // table), each at its alignment.
  std::vector<llvm::object::SectionRef> placed;
  for (const llvm::object::SectionRef& s : obj.sections()) {
    auto flags = llvm::object::ELFSectionRef(s).getFlags();
    if (!(flags & llvm::ELF::SHF_ALLOC) || s.getSize() == 0) continue;
    if (flags & llvm::ELF::SHF_WRITE) return unsupported("writable section");
    if (s.isText()) {
      if (lay.text_index != ~uint64_t(0)) return unsupported("several text sections");
      lay.text_index = s.getIndex();
      placed.insert(placed.begin(), s);
    } else {
      placed.push_back(s);
    }
  }
  if (lay.text_index == ~uint64_t(0) && ndef) return unsupported("no text");
  for (const llvm::object::SectionRef& s : placed) {
    uint64_t align = std::max<uint64_t>(s.getAlignment().value(), 1);
    size_t at = (code.size() + align - 1) / align * align;
    code.resize(at, 0xcc);
    lay.section_at[s.getIndex()] = at;
    if (s.isBSS()) {
      code.resize(at + s.getSize(), 0);
    } else {
      llvm::Expected<llvm::StringRef> bytes = s.getContents();
      if (!bytes) return unsupported(llvm::toString(bytes.takeError()));
      code.insert(code.end(), bytes->begin(), bytes->end());
    }
  }
  // Stubs for C library calls: jmp [rip + slot].
  std::map<uint32_t, int32_t> slot_of;  // extern id -> slot index
  auto slot = [&](uint32_t id) {
    auto [it, fresh] = slot_of.emplace(id, int32_t(out.externs.size()));
    if (fresh) out.externs.push_back(id);
    return it->second;
  };
  struct Fixup {
    size_t at;
    int32_t slot;
  };
  std::vector<Fixup> plt_fixups;
  auto symbolOffset = [&](const llvm::object::SymbolRef& sym, bool call) -> std::optional<int64_t> {
    llvm::Expected<llvm::object::section_iterator> sec = sym.getSection();
    if (!sec) {
      llvm::consumeError(sec.takeError());
      return std::nullopt;
    }
    if (*sec == obj.section_end()) return std::nullopt;
    auto it = lay.section_at.find((*sec)->getIndex());
    if (it == lay.section_at.end()) return std::nullopt;
    llvm::Expected<uint64_t> v = sym.getValue();
    if (!v) {
      llvm::consumeError(v.takeError());
      return std::nullopt;
    }
    return int64_t(it->second + *v);
  };
  // Extern slots live on the data page: its offset is known once the code's size is, so
  // relocations against them are applied in a second pass.
  struct SlotRel {
    size_t at;
    int32_t slot;
    int64_t addend;
  };
  std::vector<SlotRel> slot_rels;
  for (const llvm::object::SectionRef& rs : obj.sections()) {
    llvm::Expected<llvm::object::section_iterator> target = rs.getRelocatedSection();
    if (!target) return unsupported(llvm::toString(target.takeError()));
    if (*target == obj.section_end()) continue;
    auto placed_at = lay.section_at.find((*target)->getIndex());
    if (placed_at == lay.section_at.end()) continue;  // debug sections: read by DWARFContext
    for (const llvm::object::RelocationRef& r : rs.relocations()) {
      llvm::object::ELFRelocationRef er(r);
      int64_t addend = llvm::cantFail(er.getAddend());
      size_t at = placed_at->second + r.getOffset();
      uint64_t type = r.getType();
      llvm::object::symbol_iterator sym = r.getSymbol();
      if (sym == obj.symbol_end()) return unsupported("relocation without symbol");
      std::optional<int64_t> s = symbolOffset(*sym, false);
      if (!s) {
        llvm::Expected<llvm::StringRef> name = sym->getName();
        if (!name) return unsupported("unnamed symbol");
        std::optional<uint32_t> id = externOf(*name);
        if (!id) return unsupported(fmt::format("undefined symbol {}", name->str()));
        if (type == llvm::ELF::R_X86_64_PC32) {
          slot_rels.push_back({at, slot(*id), addend});
          continue;
        }
        if (type == llvm::ELF::R_X86_64_PLT32) {
          // A direct call to a C library function: through a stub after the code.
          auto [it, fresh] = lay.plt.emplace(name->str(), 0);
          if (fresh) {
            size_t stub = (code.size() + 15) / 16 * 16;
            code.resize(stub, 0xcc);
            it->second = uint32_t(stub);
            static const uint8_t kJmp[] = {0xff, 0x25, 0, 0, 0, 0};  // jmp [rip + disp32]
            code.insert(code.end(), kJmp, kJmp + 6);
            plt_fixups.push_back({stub + 2, slot(*id)});
          }
          s = it->second;
        } else {
          return unsupported(fmt::format("relocation {} against {}", type, name->str()));
        }
      }
      int64_t value = *s + addend - int64_t(at);
      switch (type) {
        case llvm::ELF::R_X86_64_PC32:
        case llvm::ELF::R_X86_64_PLT32: {
          if (value != int32_t(value)) return unsupported("pc32 out of range");
          auto v = int32_t(value);
          std::memcpy(code.data() + at, &v, 4);
          break;
        }
        case llvm::ELF::R_X86_64_PC64: std::memcpy(code.data() + at, &value, 8); break;
        default: return unsupported(fmt::format("relocation type {}", type));
      }
    }
  }
  auto page = size_t(sysconf(_SC_PAGESIZE));
  // At least a page (a module without functions still gets an image: its extern table).
  lay.code_end = std::max(page, (code.size() + page - 1) / page * page);
  code.resize(lay.code_end, 0xcc);
  for (const SlotRel& r : slot_rels) {
    int64_t value = int64_t(lay.code_end) + 8 * r.slot + r.addend - int64_t(r.at);
    auto v = int32_t(value);
    std::memcpy(code.data() + r.at, &v, 4);
  }
  for (const Fixup& f : plt_fixups) {
    // disp32 is relative to the end of the 6-byte jmp (f.at + 4).
    auto v = int32_t(int64_t(lay.code_end) + 8 * f.slot - int64_t(f.at + 4));
    std::memcpy(code.data() + f.at, &v, 4);
  }
  out.data_bytes = std::max<size_t>(8 * out.externs.size(), 8);

  // The function table: w<i> and f<i> of each function, next to each other.
  std::vector<uint64_t> w_at(ndef, ~uint64_t(0)), f_at(ndef, ~uint64_t(0)), f_end(ndef, 0);
  for (const llvm::object::ELFSymbolRef sym : obj.symbols()) {
    llvm::Expected<llvm::StringRef> name = sym.getName();
    if (!name || name->size() < 2 || ((*name)[0] != 'w' && (*name)[0] != 'f')) {
      if (!name) llvm::consumeError(name.takeError());
      continue;
    }
    uint32_t i = 0;
    if (name->drop_front(1).getAsInteger(10, i) || i >= ndef) continue;
    std::optional<int64_t> at = symbolOffset(sym, false);
    if (!at) continue;
    if ((*name)[0] == 'w') w_at[i] = uint64_t(*at);
    else {
      f_at[i] = uint64_t(*at);
      f_end[i] = uint64_t(*at) + sym.getSize();
    }
  }
  for (uint32_t i = 0; i < ndef; ++i) {
    if (w_at[i] == ~uint64_t(0) || f_at[i] == ~uint64_t(0) || f_at[i] < w_at[i] ||
        (i && w_at[i] < f_end[i - 1]))
      return unsupported(fmt::format("function {} not laid out as entry then body", nimp + i));
    vm::FuncCodeInfo f;
    f.func_index = nimp + i;
    f.start = uint32_t(w_at[i]);
    f.size = uint32_t(f_end[i] - w_at[i]);
    out.funcs.push_back(std::move(f));
  }

  // The line table: each row of a body, as (offset from the function's start, wasm offset).
  std::unique_ptr<llvm::DWARFContext> dwarf = llvm::DWARFContext::create(obj);
  for (const std::unique_ptr<llvm::DWARFUnit>& cu : dwarf->compile_units()) {
    const llvm::DWARFDebugLine::LineTable* lt = dwarf->getLineTableForUnit(cu.get());
    if (!lt) continue;
    for (const llvm::DWARFDebugLine::Row& row : lt->Rows) {
      if (row.EndSequence || row.Line == 0) continue;
      if (lay.text_index == ~uint64_t(0)) break;
      uint64_t off = lay.section_at[lay.text_index] + row.Address.Address;
      auto it = std::upper_bound(out.funcs.begin(), out.funcs.end(), off,
                                 [](uint64_t v, const vm::FuncCodeInfo& f) { return v < f.start; });
      if (it == out.funcs.begin()) continue;
      vm::FuncCodeInfo& f = *std::prev(it);
      if (off >= uint64_t(f.start) + f.size || off < f_at[f.func_index - nimp]) continue;
      auto rel = uint32_t(off - f.start);
      if (!f.wasm_map.empty() && f.wasm_map.back().first == rel) f.wasm_map.back().second = row.Line;
      else if (f.wasm_map.empty() || f.wasm_map.back().second != row.Line) f.wasm_map.emplace_back(rel, row.Line);
    }
  }
  for (vm::FuncCodeInfo& f : out.funcs)
    std::sort(f.wasm_map.begin(), f.wasm_map.end());
  return out;
}

}  // namespace

namespace {

// The wasm offsets (debug lines) of the module's loads from linear memory.
std::set<uint32_t> memLoads(llvm::Module& m) {
  std::set<uint32_t> out;
  unsigned kind = m.getContext().getMDKindID(kMemLoadMD);
  for (llvm::Function& f : m)
    for (llvm::Instruction& i : llvm::instructions(f))
      if (llvm::isa<llvm::LoadInst>(i) && i.getMetadata(kind) && i.getDebugLoc()) out.insert(i.getDebugLoc().getLine());
  return out;
}

}  // namespace

Result<PluginOutput> emit(llvm::Module& m, const PluginRequest& req, uint32_t ndef, uint32_t nimp,
                          std::set<uint32_t>* deleted) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  std::unique_ptr<llvm::TargetMachine> tm = STRATA_TRY(targetMachine(req));
  m.setDataLayout(tm->createDataLayout());
  m.setTargetTriple(tm->getTargetTriple().str());
  std::string verify;
  llvm::raw_string_ostream vs(verify);
  if (llvm::verifyModule(m, &vs))
    return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: invalid IR (translator bug): " + verify.substr(0, 2000));
  std::set<uint32_t> before = deleted ? memLoads(m) : std::set<uint32_t>();
  optimize(m, *tm);
  if (deleted) {
    // A load LLVM found dead is gone, and with it its trap: wasm must still trap there.
    std::set<uint32_t> after = memLoads(m);
    for (uint32_t at : before)
      if (!after.count(at)) deleted->insert(at);
    if (!deleted->empty()) return PluginOutput{};
  }
  auto t1 = Clock::now();
  if (req.dump_ir) {
    std::error_code ec;
    llvm::raw_fd_ostream os(req.dump_ir, ec);
    if (!ec) m.print(os, nullptr);
  }
  llvm::SmallVector<char, 0> buffer;
  {
    llvm::raw_svector_ostream os(buffer);
    llvm::legacy::PassManager pm;
    if (!addCodegenPasses(*tm, pm, os))
      return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: cannot emit an object");
    pm.run(m);
  }
  auto t2 = Clock::now();
  llvm::MemoryBufferRef ref(llvm::StringRef(buffer.data(), buffer.size()), "module.o");
  llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> obj = llvm::object::ObjectFile::createObjectFile(ref);
  if (!obj) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: " + llvm::toString(obj.takeError()));
  auto* elf = llvm::dyn_cast<Elf>(obj->get());
  if (!elf) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: not an ELF64 object");
  PluginOutput out = STRATA_TRY(link(*elf, ndef, nimp));
  out.seconds_opt = std::chrono::duration<double>(t1 - t0).count();
  out.seconds_codegen = std::chrono::duration<double>(t2 - t1).count();
  return out;
}

}  // namespace strata::llvmtier
