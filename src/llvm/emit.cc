// From LLVM IR to a relocatable object: the optimization pipeline and code generation, with a
// machine pass of ours that gives memory accesses their own lines (AccessLines). link.cc lays
// the objects out as one image.
#include "llvm/emit.h"

#include "llvm/addresses.h"
#include "llvm/order.h"
#include "llvm/switch_table.h"

#include <fmt/core.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/CodeGen/MachineFunctionPass.h>
#include <llvm/CodeGen/MachineModuleInfo.h>
#include <llvm/CodeGen/Passes.h>
#include <llvm/CodeGen/TargetPassConfig.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassTimingInfo.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Vectorize/SLPVectorizer.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "jit/externs.h"
#include "support/cpu_features.h"
#include "llvm/translate.h"

namespace strata::llvmtier {

namespace {

bool isNative(const PluginRequest& req) {
  return !req.target_cpu || !*req.target_cpu || std::string_view(req.target_cpu) == "native";
}

// "portable" is x86-64-v2 (SSE4.2, POPCNT): the baseline tier already requires SSE4.1.
std::string targetCpuName(const PluginRequest& req) {
  return std::string_view(req.target_cpu) == "portable" ? "x86-64-v2" : req.target_cpu;
}

// STRATA_LLVM_REORDER=1, a developer's switch: the motions that move a load's trap above a
// store (LICM's promotion here, the main stage's below) allowed again, to measure them.
bool allowReorder() {
  static const bool on = std::getenv("STRATA_LLVM_REORDER") != nullptr;
  return on;
}

// LLVM's target for this host, LLVM initialized and given the options below on first use.
const llvm::Target* hostTarget(const std::string& triple, std::string& err) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // Calls on different paths must stay different calls: LLVM hoists or sinks identical ones
    // out of an if's arms (SimplifyCFG) or merges identical tails (branch folding), and the
    // merged call has no line, so a backtrace through it named the wrong wasm offset (found by
    // the differential fuzzer with --frames). These switches are LLVM's own options, global
    // to the libLLVM this plugin loads.
    // Two more move a load into one arm of a branch, so that on the other path an
    // out-of-bounds load no longer runs and its trap is lost: InstCombine's sinking of an
    // instruction into the block of its only user, and the x86 pass that turns a cmov into a
    // branch (it unfolds a cmov's load into one arm). Code generation's own moves are stopped
    // by pinAccesses (below). LICM's promotion keeps a location a loop loads and stores in a
    // register and stores it once after the loop: a trap in a later iteration then leaves the
    // earlier iterations' stores undone (with order.h's loads, `loop { store p; load p+8 }`).
    const char* args[] = {"strata",
                          allowReorder() ? "-disable-licm-promotion=false" : "-disable-licm-promotion",
                          "-simplifycfg-hoist-common=false",
                          "-simplifycfg-sink-common=false",
                          "-enable-tail-merge=false",
                          "-instcombine-code-sinking=false",
                          "-x86-cmov-converter=false"};
    // STRATA_LLVM_ARGS adds LLVM options of the user's (to try a switch without a rebuild).
    llvm::cl::ParseCommandLineOptions(int(std::size(args)), args, "", &llvm::nulls(), "STRATA_LLVM_ARGS");
  });
  return llvm::TargetRegistry::lookupTarget(triple, err);
}

Result<std::unique_ptr<llvm::TargetMachine>> targetMachine(const PluginRequest& req) {
  std::string triple = llvm::sys::getProcessTriple();
  std::string err;
  const llvm::Target* target = hostTarget(triple, err);
  if (!target) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: " + err);
  // A named CPU was checked by targetCpuFeatures, once per compile.
  const bool native = isNative(req);
  std::string cpu = native ? std::string(llvm::sys::getHostCPUName()) : targetCpuName(req);
  llvm::SubtargetFeatures f;
  if (native)
    for (auto& [name, on] : llvm::sys::getHostCPUFeatures()) f.AddFeature(name, on);
  // No gathers or scatters from the vectorizer: a wasm address is zext(i32 arithmetic), which
  // LLVM's interleaved-access analysis cannot prove consecutive, so with AVX-512 a loop that
  // clang had unrolled (four accesses 8 bytes apart) became masked gathers and scatters of each
  // lane, slower than the scalar loop (matmul: ms below in docs/llvm.md).
  f.AddFeature("prefer-no-gather");
  f.AddFeature("prefer-no-scatter");
  std::string features = f.getString();
  llvm::TargetOptions opts;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, opts, llvm::Reloc::PIC_, llvm::CodeModel::Small, llvm::CodeGenOptLevel::Default));
  if (!tm) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: no target machine");
  return tm;
}

// The optimization pipeline (docs/llvm.md, "The pipeline"), in two stages. The code comes from
// a compiler that already optimized it (inlined, unrolled, vectorized into wasm SIMD where it
// could), so the main stage undoes what wasm's form costs: locals to SSA (SROA), i32 address
// arithmetic folded into addressing (InstCombine, IndVars), switches that pick constants made
// tables (strata-switch-tables, switch_table.h), invariant loads of the memory base hoisted
// (LICM), redundant loads and checks merged (EarlyCSE, GVN, CorrelatedPropagation), attributes
// of the callees (FunctionAttrs: a body that reads no memory lets GVN keep loads across calls to
// it), and recursion into loops (TailCallElim). LLVM's O2 runs InstCombine seven
// times and SimplifyCFG eight, and walks the call graph for an inliner that may inline nothing;
// this stage runs each pass once or twice. No pass may move a load's trap before a store that
// wasm did first (spec 4.5.5: a trap leaves every earlier store done): GVN runs without load
// PRE, which put a load in a predecessor, above the join's store, and each LICM comes after
// strata-pin-loop-loads (order.h), which keeps in place the invariant loads that a step of
// their iteration precedes.
const char* const kCfg =
    "simplifycfg<bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;no-switch-to-lookup;"
    "keep-loops;no-hoist-common-insts;no-sink-common-insts;speculate-blocks;simplify-cond-branch>";
const char* const kIc = "instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>";

std::string mainStage() {
  const std::string cfg = kCfg, ic = kIc;
  const std::string pin = allowReorder() ? "" : std::string(kPinLoopLoads) + ",";
  const std::string gvn = allowReorder() ? "gvn<>" : "gvn<no-load-pre>";
  return "cgscc(function-attrs),function(sroa<modify-cfg>," + std::string(kSwitchTables) + ",early-cse<>," + cfg + "," + ic +
         ",jump-threading,correlated-propagation," + cfg + "," + ic + ",tailcallelim," + cfg + ",reassociate," + pin +
         "loop-mssa(loop-instsimplify,loop-simplifycfg,licm<no-allowspeculation>,"
         "loop-rotate<header-duplication;no-prepare-for-lto>,licm<allowspeculation>,"
         "simple-loop-unswitch<no-nontrivial;trivial>)," + cfg + "," + ic +
         ",loop(indvars,loop-deletion,loop-unroll-full),sroa<modify-cfg>,vector-combine,"
         "mldst-motion<no-split-footer-bb>," + gvn + ",sccp,bdce," + ic +
         ",jump-threading,correlated-propagation,adce,dse," + pin + "loop-mssa(licm<allowspeculation>)," + cfg + "," +
         ic + ")";
}

// The SLP vectorizer, except in a function with a basic block of more than kSlpMaxBlock
// instructions. Its search for horizontal reductions grows faster than the block: ed25519's
// field arithmetic (blocks of 4,632 and 2,661 instructions after the main stage) spent 8.2 of
// its 12 s of compile CPU time there (-time-passes), and keccak's rounds (one block of 4,438)
// are the only other such block among the bench programs; neither runs slower without SLP
// (ed25519 and keccak with SLP off: 0.97-0.99 and 0.99-1.00 of the time, alternated runs),
// while every other program's largest block is at most 483 instructions and keeps it
// (base64 runs 10% slower without the horizontal reductions).
constexpr size_t kSlpMaxBlock = 2000;
const char* const kGatedSlp = "strata-slp";
struct GatedSlp : llvm::PassInfoMixin<GatedSlp> {
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& am) {
    for (const llvm::BasicBlock& bb : f)
      if (bb.size() > kSlpMaxBlock) return llvm::PreservedAnalyses::all();
    return slp.run(f, am);
  }
  llvm::SLPVectorizerPass slp;
};

// The finishing stage: the vectorizers when asked, partial unrolling of small loops
// (shootout-sieve 245 -> 162 ms, bytecode 43 -> 33), then switches as lookup tables or ranges and
// branches forwarded (bytecode 39 -> 34).
std::string finishStage(bool vectorize) {
  const std::string ic = kIc;
  std::string p = "function(";
  if (vectorize)
    p += "loop(loop-rotate<header-duplication;no-prepare-for-lto>,loop-deletion),"
         "loop-vectorize<no-interleave-forced-only;no-vectorize-forced-only;>,loop-load-elim," + ic +
         "," + kGatedSlp + ",vector-combine," + ic + ",";
  return p + "loop-unroll<O2>,sroa<preserve-cfg>," + ic +
         ",simplifycfg<bonus-inst-threshold=1;forward-switch-cond;switch-range-to-icmp;switch-to-lookup;"
         "no-keep-loops;no-hoist-common-insts;no-sink-common-insts;speculate-blocks;simplify-cond-branch>)";
}

// Runs `text` (opt's -passes syntax), or LLVM's O2 without its vectorizers for "o2".
void runPipeline(llvm::Module& m, llvm::TargetMachine& tm, const std::string& text) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = pto.SLPVectorization = false;
  // -time-passes in STRATA_LLVM_ARGS (a developer's switch, with STRATA_COMPILE_THREADS=1: the
  // timers are LLVM's globals): each pass's time, printed per batch at the end of emitObject.
  llvm::PassInstrumentationCallbacks pic;
  std::optional<llvm::StandardInstrumentations> si;
  if (llvm::TimePassesIsEnabled) {
    si.emplace(m.getContext(), false);
    si->registerCallbacks(pic, &mam);
  }
  llvm::PassBuilder pb(&tm, pto, std::nullopt, si ? &pic : nullptr);
  // No C library behind this code: LLVM must not turn loops into memset/memcpy calls (a fault
  // inside libc would not be a trap) nor assume libm.
  llvm::TargetLibraryInfoImpl tlii(llvm::Triple(m.getTargetTriple()));
  tlii.disableAllFunctions();
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerPipelineParsingCallback(
      [](llvm::StringRef name, llvm::FunctionPassManager& fpm, llvm::ArrayRef<llvm::PassBuilder::PipelineElement>) {
        if (name == kPinLoopLoads) {
          fpm.addPass(PinLoopLoads());
          return true;
        }
        if (name == kSwitchTables) {
          fpm.addPass(SwitchTables());
          return true;
        }
        if (name == kGatedSlp) {
          fpm.addPass(GatedSlp());
          return true;
        }
        return false;
      });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (text == "o2") {
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  } else if (llvm::Error e = pb.parsePassPipeline(mpm, text)) {
    // A developer's switch (STRATA_LLVM_PIPELINE): a typo must not silently compile unoptimized code.
    fmt::print(stderr, "llvm pipeline: {}\n", llvm::toString(std::move(e)));
    std::abort();
  }
  mpm.run(m, mam);
}

// The name of a named alias scope's domain, and the scope's own name, or empty ones. A named
// scope is !{!"name", !domain}, a named domain !{!"name"} (MDBuilder).
std::pair<llvm::StringRef, llvm::StringRef> scopeNames(const llvm::MDNode* scope) {
  if (!scope || scope->getNumOperands() < 2) return {};
  auto* name = llvm::dyn_cast<llvm::MDString>(scope->getOperand(0));
  auto* domain = llvm::dyn_cast<llvm::MDNode>(scope->getOperand(1));
  if (!name || !domain || domain->getNumOperands() < 1) return {};
  auto* dname = llvm::dyn_cast<llvm::MDString>(domain->getOperand(0));
  if (!dname) return {};
  return {dname->getString(), name->getString()};
}

// The wasm offset an access scope names (translate.h kAccessDomain), if it is one.
std::optional<uint32_t> accessOffset(const llvm::MDNode* scope) {
  auto [domain, name] = scopeNames(scope);
  uint32_t at = 0;
  if (domain != kAccessDomain || name.getAsInteger(10, at)) return std::nullopt;
  return at;
}

// Whether an access is one versionLoops proved in bounds (addresses.h kNoFaultDomain).
bool cannotFault(const llvm::Instruction& i) {
  if (const llvm::MDNode* scopes = i.getMetadata(llvm::LLVMContext::MD_alias_scope))
    for (const llvm::MDOperand& op : scopes->operands())
      if (scopeNames(llvm::dyn_cast<llvm::MDNode>(op)).first == kNoFaultDomain) return true;
  return false;
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

}  // namespace

llvm::SmallVector<uint32_t, 2> accessOffsets(const llvm::Instruction& i) {
  llvm::SmallVector<uint32_t, 2> out;
  if (!llvm::isa<llvm::LoadInst>(i) && !llvm::isa<llvm::StoreInst>(i)) return out;
  if (const llvm::MDNode* scopes = i.getMetadata(llvm::LLVMContext::MD_alias_scope))
    for (const llvm::MDOperand& op : scopes->operands())
      if (std::optional<uint32_t> at = accessOffset(llvm::dyn_cast<llvm::MDNode>(op))) out.push_back(*at);
  return out;
}

namespace {

uint64_t accessBits(const llvm::Instruction& i, const llvm::DataLayout& dl) {
  auto* st = llvm::dyn_cast<llvm::StoreInst>(&i);
  return dl.getTypeStoreSizeInBits(st ? st->getValueOperand()->getType() : i.getType()).getKnownMinValue();
}

// The translation's linear-memory accesses: wasm offset -> width in bits.
std::map<uint32_t, uint64_t> memAccesses(llvm::Module& m) {
  std::map<uint32_t, uint64_t> out;
  const llvm::DataLayout& dl = m.getDataLayout();
  for (llvm::Function& f : m)
    for (llvm::Instruction& i : llvm::instructions(f))
      for (uint32_t at : accessOffsets(i)) out[at] = std::max(out[at], accessBits(i, dl));
  return out;
}

// The accesses whose trap the optimized module could lose or move, by wasm offset:
// - deleted ones (a load found dead, a store a later one overwrites): no instruction names them;
// - widened ones (an access wider than the translation's: a vectorized loop, or accesses merged)
//   when the access names several offsets (it faults at the first of them, where the scalar code
//   might have faulted at another), or when its function stores: the wide access may fault
//   before the stores of the iterations before it, and a wasm trap leaves those stores done.
// An access that only names several offsets at its own width merged loads of one address (GVN):
// the first traps wherever the others would. A widened access of one offset in a function that
// stores nothing faults exactly when one of its lanes would have: the same trap, the same memory
// (the vectorizer only takes loops whose trip count is known at entry, so every lane's iteration
// would have run).
std::set<uint32_t> lostAccesses(llvm::Module& m, const std::map<uint32_t, uint64_t>& before) {
  std::set<uint32_t> present, lost;
  const llvm::DataLayout& dl = m.getDataLayout();
  for (llvm::Function& f : m) {
    llvm::SmallVector<uint32_t, 8> widened;
    bool stores = false;
    for (llvm::Instruction& i : llvm::instructions(f)) {
      if (cannotFault(i)) continue;  // every such access has an exact twin (versionLoops)
      stores |= i.mayWriteToMemory() && !llvm::isa<llvm::CallBase>(i);
      llvm::SmallVector<uint32_t, 2> at = accessOffsets(i);
      if (at.empty()) continue;
      present.insert(at.begin(), at.end());
      uint64_t bits = accessBits(i, dl);
      bool wide = false;
      for (uint32_t a : at) {
        auto was = before.find(a);
        wide |= was != before.end() && bits > was->second;
      }
      if (!wide) continue;
      if (at.size() > 1) lost.insert(at.begin(), at.end());
      else widened.append(at.begin(), at.end());
    }
    if (stores) lost.insert(widened.begin(), widened.end());
  }
  for (auto [at, bits] : before)
    if (!present.count(at)) lost.insert(at);
  return lost;
}

// Whether code generation could turn a load's value into the operand of a masked move: it feeds a
// select, or, for a vector, the bitwise operations a select of lanes is made of.
bool feedsSelect(const llvm::LoadInst& load) {
  for (const llvm::User* u : load.users()) {
    if (llvm::isa<llvm::SelectInst>(u)) return true;
    if (!load.getType()->isVectorTy()) continue;
    if (auto* op = llvm::dyn_cast<llvm::BinaryOperator>(u)) {
      auto code = op->getOpcode();
      if (code == llvm::Instruction::And || code == llvm::Instruction::Or || code == llvm::Instruction::Xor) return true;
    }
  }
  return false;
}

// A leaf (no call but to the trap stubs, which do not return) with a small body skips the
// entry's stack check, as on the baseline tier (docs/jit.md): it cannot recurse, so it goes at
// most its frame below the limit, which stays 64 KiB above the thread's guard page. Small: at
// most 1 KiB of allocas and 500 instructions after optimization (spill slots of at most 64
// bytes each keep the frame under 33 KiB).
void dropLeafStackChecks(llvm::Module& m) {
  unsigned kind = m.getContext().getMDKindID(kStackCheckMD);
  for (llvm::Function& f : m) {
    llvm::Instruction* check = nullptr;
    bool leaf = true;
    uint64_t allocas = 0;
    size_t count = 0;
    const llvm::DataLayout& dl = m.getDataLayout();
    for (llvm::Instruction& i : llvm::instructions(f)) {
      ++count;
      if (i.getMetadata(kind)) check = &i;
      if (auto* a = llvm::dyn_cast<llvm::AllocaInst>(&i)) {
        std::optional<llvm::TypeSize> size = a->getAllocationSize(dl);
        allocas += size && !size->isScalable() ? size->getFixedValue() : uint64_t(1) << 20;
      } else if (auto* call = llvm::dyn_cast<llvm::CallBase>(&i)) {
        leaf &= !callsOut(*call);
      }
    }
    if (!check || !leaf || allocas > 1024 || count > 500) continue;
    check->replaceAllUsesWith(llvm::ConstantInt::getFalse(m.getContext()));
  }
}

// A return block that only returns a phi is copied into each predecessor (`ret` of the value
// coming from there). With one shared return, the register allocator tends to give the phi the
// callee-saved register that holds the same value across calls on the other path, and a path
// that returns at once (fib's `n < 2`) then saves and restores registers it does not use:
// LLVM's shrink-wrapping cannot keep the prologue out of it (translate.cc placeStackCheck).
void splitReturns(llvm::Module& m) {
  for (llvm::Function& f : m) {
    for (llvm::BasicBlock& bb : llvm::make_early_inc_range(f)) {
      auto* ret = llvm::dyn_cast<llvm::ReturnInst>(bb.getTerminator());
      auto* phi = llvm::dyn_cast<llvm::PHINode>(&bb.front());
      if (!ret || !phi || ret->getReturnValue() != phi || &*std::next(bb.begin()) != ret || !phi->hasOneUse()) continue;
      llvm::SmallVector<llvm::BasicBlock*, 8> preds(llvm::predecessors(&bb));
      llvm::sort(preds);
      preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
      for (llvm::BasicBlock* p : preds) {
        llvm::Value* v = phi->getIncomingValueForBlock(p);
        llvm::Instruction* term = p->getTerminator();
        llvm::ReturnInst* copy;
        if (auto* br = llvm::dyn_cast<llvm::BranchInst>(term); br && br->isUnconditional()) {
          copy = llvm::ReturnInst::Create(m.getContext(), v, term->getIterator());
          term->eraseFromParent();
        } else {
          auto* own = llvm::BasicBlock::Create(m.getContext(), "", &f, &bb);
          copy = llvm::ReturnInst::Create(m.getContext(), v, own);
          term->replaceSuccessorWith(&bb, own);
        }
        copy->setDebugLoc(ret->getDebugLoc());
        phi->removeIncomingValueIf([&](unsigned k) { return phi->getIncomingBlock(k) == p; }, false);
      }
      if (llvm::pred_empty(&bb)) bb.eraseFromParent();
    }
  }
}

// STRATA_LLVM_DUMP: the IR appended to `path` (plugin.cc empties the file first).
void dumpIr(const llvm::Module& m, const std::string& path) {
  static std::mutex dump_mutex;  // batches compiled at once append in turn
  std::lock_guard<std::mutex> lock(dump_mutex);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (!ec) m.print(os, nullptr);
}

// After the IR optimizations, every linear-memory access becomes volatile for code generation.
// With guard pages an access is also a possible trap, which LLVM's model of memory does not
// know, and code generation moved accesses in ways that change which trap happens (found by the
// differential fuzzer): instruction selection turned a select of two loads into one load of the
// selected address (the other load's fault was lost), machine sinking moves a load into the one
// successor that uses its value (its fault lost on the other path), and the schedulers order
// independent accesses either way (a later access's fault first, or a store done or skipped
// before a fault). A volatile access is kept, in its block and in order with the other memory
// accesses, and x86 still folds it into its user (`add eax, [mem]`). The IR optimizations have
// run by then on ordinary accesses (GVN, LICM, the vectorizer), so what this costs is
// scheduling freedom only.
void pinAccesses(llvm::Module& m) {
  std::vector<llvm::LoadInst*> loads;
  for (llvm::Function& f : m)
    for (llvm::Instruction& i : llvm::instructions(f)) {
      if (accessOffsets(i).empty()) continue;
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
        load->setVolatile(true);
        if (feedsSelect(*load)) loads.push_back(load);
      } else if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&i)) {
        store->setVolatile(true);
      }
    }
  // x86 folds a load into an AVX-512 masked move when it feeds a select (`vmovss xmm0 {k1},
  // [mem]`), and a masked-off element does not fault: the load of the unselected operand lost its
  // trap even when volatile. Such a load's value goes through an empty asm first (a register
  // copy that x86 cannot fold), so the load stays an ordinary, faulting load.
  // The copy is in an xmm register for floats and 128-bit vectors, else in a general register
  // (a vector LLVM narrowed to 64 or 32 bits, `<8 x i8>`, as an integer: x86 has no register
  // class for it under "x", and LLVM stopped with an error; fuzzer seed 9702238).
  for (llvm::LoadInst* load : loads) {
    llvm::Type* t = load->getType();
    unsigned bits = unsigned(t->getPrimitiveSizeInBits().getFixedValue());
    bool xmm = t->isFloatingPointTy() || (t->isVectorTy() && bits == 128);
    if (!xmm && (bits == 0 || bits > 64)) continue;
    llvm::Type* ct = xmm || t->isIntegerTy() ? t : llvm::IntegerType::get(m.getContext(), bits);
    llvm::Instruction* after = load->getNextNode();
    llvm::Value* v = load;
    if (ct != t) v = llvm::CastInst::Create(llvm::Instruction::BitCast, load, ct, "", after);
    auto* fty = llvm::FunctionType::get(ct, {ct}, false);
    auto* copy = llvm::InlineAsm::get(fty, "", xmm ? "=x,0" : "=r,0", false);
    llvm::Instruction* out = llvm::CallInst::Create(fty, copy, {v}, "", after);
    out->setDebugLoc(load->getDebugLoc());
    if (ct != t) out = llvm::CastInst::Create(llvm::Instruction::BitCast, out, t, "", after);
    llvm::Instruction* first = ct != t ? llvm::cast<llvm::Instruction>(v) : out;
    load->replaceUsesWithIf(out, [&](llvm::Use& u) { return u.getUser() != first; });
  }
}

// The load accumulator (FuncTranslator::accumulate) kept every load alive through the
// optimizations; the loads are volatile now (pinAccesses), so it goes: its observing calls, then
// every instruction of its chain that nothing else uses. Its phis form cycles through loops,
// which code generation would keep (each phi has a user), hence this pass rather than plain
// dead-code elimination: the chain is what the observed values reach through instructions
// without side effects (a volatile load stops it), less whatever something outside it uses.
void dropAccumulators(llvm::Module& m) {
  unsigned kind = m.getContext().getMDKindID(kAccSinkMD);
  std::vector<llvm::Instruction*> work;
  std::vector<llvm::Instruction*> sinks;
  for (llvm::Function& f : m)
    for (llvm::Instruction& i : llvm::instructions(f))
      if (i.getMetadata(kind)) sinks.push_back(&i);
  for (llvm::Instruction* s : sinks) {
    if (auto* v = llvm::dyn_cast<llvm::Instruction>(llvm::cast<llvm::CallInst>(s)->getArgOperand(0))) work.push_back(v);
    s->eraseFromParent();
  }
  llvm::SmallPtrSet<llvm::Instruction*, 32> chain;
  while (!work.empty()) {
    llvm::Instruction* i = work.back();
    work.pop_back();
    if (i->mayHaveSideEffects() || !chain.insert(i).second) continue;
    for (llvm::Value* op : i->operands())
      if (auto* oi = llvm::dyn_cast<llvm::Instruction>(op)) work.push_back(oi);
  }
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<llvm::Instruction*> used;
    for (llvm::Instruction* i : chain)
      for (llvm::User* u : i->users())
        if (!chain.count(llvm::cast<llvm::Instruction>(u))) {
          used.push_back(i);
          break;
        }
    for (llvm::Instruction* i : used) chain.erase(i);
    changed = !used.empty();
  }
  for (llvm::Instruction* i : chain) i->dropAllReferences();
  for (llvm::Instruction* i : chain) i->eraseFromParent();
}

// The vectorizers run on a copy, kept only if no access's trap could move (lostAccesses: a
// vector access that merged wasm accesses, or widened one in a function that stores); a copy
// costs less than translating the batch again. The loops versionLoops checks at entry are
// free of that rule. When the first copy loses accesses that are still there before the
// finishing stage (the vectorizers took them), a second copy runs with those accesses volatile,
// which the vectorizers leave alone, so that one loop they must not take does not cost the
// batch's others their vectorization (memcopy: an unrolled loop with a call), nor the checked
// copy of a loop what the SLP vectorizer did to its exact copy (matmul). Accesses gone
// before the vectorizers ran (dead code, or found dead: translated again, see emitObject) are
// not counted. Null: no copy kept, the finishing stage is to run without the vectorizers.
std::unique_ptr<llvm::Module> vectorize(llvm::Module& translated, llvm::TargetMachine& tm,
                                        const std::map<uint32_t, uint64_t>& before,
                                        const std::map<uint32_t, uint64_t>& present) {
  std::set<uint32_t> keep;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<llvm::Module> copy = llvm::CloneModule(translated);
    versionLoops(*copy);
    for (llvm::Function& f : *copy)
      for (llvm::Instruction& i : llvm::instructions(f))
        for (uint32_t at : accessOffsets(i))
          if (keep.count(at) && !cannotFault(i)) {  // a checked loop's access keeps its freedom
            if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&i)) load->setVolatile(true);
            if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&i)) store->setVolatile(true);
          }
    runPipeline(*copy, tm, finishStage(true));
    std::set<uint32_t> lost = lostAccesses(*copy, before);
    std::erase_if(lost, [&](uint32_t at) { return !present.count(at); });  // gone before (dead code): not ours
    if (lost.empty()) return copy;
    keep.insert(lost.begin(), lost.end());
  }
  return nullptr;
}

}  // namespace

Result<std::vector<char>> emitObject(llvm::Module& translated, const PluginRequest& req, std::set<uint32_t>* deleted,
                                     ObjectTimes& times) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  std::unique_ptr<llvm::TargetMachine> tm = STRATA_TRY(targetMachine(req));
  translated.setDataLayout(tm->createDataLayout());
  translated.setTargetTriple(tm->getTargetTriple().str());
  std::string verify;
  llvm::raw_string_ostream vs(verify);
  if (llvm::verifyModule(translated, &vs))
    return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: invalid IR (translator bug): " + verify.substr(0, 2000));
  std::map<uint32_t, uint64_t> before = memAccesses(translated);
  if (req.dump_ir) dumpIr(translated, std::string(req.dump_ir) + ".before");  // the translation, unoptimized
  // STRATA_LLVM_PIPELINE (docs/llvm.md): unset or "lean", the two stages; "novec", the same
  // without the vectorizers; "o2", LLVM's O2 (without its vectorizers) then the finishing stage;
  // any other text, that pipeline alone.
  const char* choice = std::getenv("STRATA_LLVM_PIPELINE");
  std::string text = choice && *choice ? choice : "lean";
  bool staged = text == "lean" || text == "novec" || text == "o2";
  runPipeline(translated, *tm, text == "o2" || !staged ? text : mainStage());
  const char* widen = std::getenv("STRATA_LLVM_WIDEN");  // "0": off, to measure what it buys
  // "0": off, "up": steps up only (to measure what each buys).
  if (staged && !(widen && std::string_view(widen) == "0"))
    widenLoopAddresses(translated, !(widen && std::string_view(widen) == "up"));
  if (req.dump_ir && staged) dumpIr(translated, std::string(req.dump_ir) + ".main");  // what the finishing stage gets
  std::map<uint32_t, uint64_t> present = memAccesses(translated);
  if (deleted && staged) {
    // A load LLVM found dead is gone, and with it its trap: wasm must still trap there. Found
    // here, before the finishing stage, whose work would be lost.
    for (auto [at, bits] : before)
      if (!present.count(at)) deleted->insert(at);
    if (!deleted->empty()) {
      times.opt += std::chrono::duration<double>(Clock::now() - t0).count();
      return std::vector<char>();
    }
  }
  llvm::Module* mp = &translated;
  std::unique_ptr<llvm::Module> vectorized;
  if (staged && text != "novec") vectorized = vectorize(translated, *tm, before, present);
  if (vectorized) mp = vectorized.get();
  if (staged && !vectorized) runPipeline(translated, *tm, finishStage(false));
  llvm::Module& m = *mp;
  auto t1 = Clock::now();
  times.opt += std::chrono::duration<double>(t1 - t0).count();
  if (deleted && !vectorized) {
    // What the finishing stage (or a pipeline of the developer's) deleted or moved.
    *deleted = lostAccesses(m, before);
    if (!deleted->empty()) return std::vector<char>();
  }
  pinAccesses(m);
  dropAccumulators(m);  // before counting a function's instructions for the leaf test
  dropLeafStackChecks(m);
  if (!std::getenv("STRATA_LLVM_ENTRY_CHECK")) splitReturns(m);
  if (req.dump_ir) dumpIr(m, req.dump_ir);
  llvm::SmallVector<char, 0> buffer;
  {
    llvm::raw_svector_ostream os(buffer);
    llvm::legacy::PassManager pm;
    if (!addCodegenPasses(*tm, pm, os))
      return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: cannot emit an object");
    pm.run(m);
  }
  times.codegen += std::chrono::duration<double>(Clock::now() - t1).count();
  if (llvm::TimePassesIsEnabled) llvm::reportAndResetTimings();
  return std::vector<char>(buffer.begin(), buffer.end());
}

Result<uint64_t> targetCpuFeatures(const PluginRequest& req) {
  if (isNative(req)) return 0;
  std::string cpu = targetCpuName(req);
  {
    // Asked of a generic subtarget: one made for an unknown CPU makes LLVM print a warning.
    std::string triple = llvm::sys::getProcessTriple(), err;
    const llvm::Target* target = hostTarget(triple, err);
    std::unique_ptr<llvm::MCSubtargetInfo> generic(target ? target->createMCSubtargetInfo(triple, "", "") : nullptr);
    if (!generic || !generic->isCPUStringValid(cpu))
      return makeError(ErrorKind::Usage, kNoOffset,
                       fmt::format("llvm: unknown target CPU `{}` (native, portable, or an LLVM CPU name such as "
                                   "x86-64-v3 or znver4)", cpu));
  }
  std::unique_ptr<llvm::TargetMachine> tm = STRATA_TRY(targetMachine(req));
  const llvm::MCSubtargetInfo* sti = tm->getMCSubtargetInfo();
  uint64_t bits = 0;
  for (unsigned i = 0; i < unsigned(support::CpuFeature::Count); ++i) {
    auto f = support::CpuFeature(i);
    // LLVM's names are those of support/cpu_features.h but for BMI1's.
    std::string name(f == support::CpuFeature::Bmi1 ? "bmi" : support::cpuFeatureName(f));
    if (sti->checkFeatures("+" + name)) bits |= uint64_t(1) << i;
  }
  return bits;
}

}  // namespace strata::llvmtier
