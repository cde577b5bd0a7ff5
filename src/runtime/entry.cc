// The one way from the host into wasm, and the signal handlers that turn faults into traps.
//
// Why this shape. Code never calls back into the runtime to check the bounds of a guard-page
// memory or the depth of the native stack; it simply faults. Every host -> wasm call goes
// through enterWasm, which (1) bounds the native stack wasm and re-entrant host calls may use
// (VMStoreLimits::stack_limit, set at a store's outermost entry to the stack pointer minus
// Config::max_wasm_stack and checked at each nested entry, so host -> wasm -> host -> wasm
// recursion traps with "call stack exhausted" long before the thread's stack ends), (2) pushes
// an EntryRecord with a sigsetjmp point, and (3) makes the array call.
//
// SIGSEGV/SIGBUS handlers are installed once per process, with SA_ONSTACK (each thread that
// enters wasm gets an alternate signal stack, so a real native stack overflow can be handled
// too) and SA_NODEFER (we leave the handler by siglongjmp, and sigsetjmp(…, 0) does not save
// the mask, so the signal must not stay blocked). A fault is ours only when the thread is
// inside an entry, not inside a host function, and the address lies in one of the entry's
// store's memory reservations ("out of bounds memory access") or in the guard area below the
// thread's stack ("call stack exhausted"). Anything else goes to the handler installed before
// ours (or the default action: the process dies as it would have without us).
//
// The jump skips the tier frames between the entry and the fault without running them. Tiers
// therefore own nothing with a destructor in those frames, and each tier with state gets a
// tier_unwind call (VMStoreContext) to append the skipped frames to the backtrace and drop its
// activations deeper than the entry. That call is made from the signal handler, on the
// alternate stack, just before the jump: the skipped frames are still intact then (a tier may
// keep its activation records in them), while after the jump the entry's own calls would
// overwrite them.
#include "runtime/entry.h"

#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <cstring>
#include <mutex>

#include "runtime/store_impl.h"
#include "vm/code_image.h"

namespace strata::runtime {

namespace {

thread_local EntryRecord* tl_entry = nullptr;

// Bytes of alternate signal stack per thread: the handler is small, but chained handlers
// (sanitizers, crash reporters) may need more.
constexpr size_t kAltStackSize = 64 * 1024;
// Around the low end of the thread stack, the addresses a stack overflow faults on.
constexpr uintptr_t kStackGuardSpan = 64 * 1024;

}  // namespace

// For the main thread, pthread_getattr_np reads the whole of /proc/self/maps to find the stack's
// mapping: ~0.1 ms, a tenth of issue 10's start-up budget for a no-op run. The kernel puts the
// executable's name (AT_EXECFN) at the very top of the stack, right under an 8-byte end marker
// (fs/exec.c), so that mapping ends at the page boundary after the name; the stack may grow
// RLIMIT_STACK below that end, which is glibc's answer too as long as nothing is mapped within
// the limit below the stack. The kernel's layout keeps the mmap area at least the limit (and at
// least 128 MiB) below the stack, so this holds for a finite limit up to 128 MiB; otherwise (or
// if our own frame is not where this says the stack is) 0, and the caller asks glibc.
uintptr_t mainThreadStackLow() {
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t(128) << 20)) return 0;
  auto execfn = uintptr_t(getauxval(AT_EXECFN));
  if (!execfn) return 0;
  auto page = uintptr_t(sysconf(_SC_PAGESIZE));
  uintptr_t top = (execfn + std::strlen(reinterpret_cast<const char*>(execfn)) + 1 + 8 + page - 1) & ~(page - 1);
  uintptr_t size = uintptr_t(rl.rlim_cur) & ~(page - 1);
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (top < size || sp >= top || sp < top - size) return 0;
  return top - size;
}

namespace {

struct ThreadState {
  uintptr_t stack_lo = 0;
  void* alt_stack = nullptr;

  ThreadState() {
    if (getpid() == pid_t(syscall(SYS_gettid))) stack_lo = mainThreadStackLow();
    pthread_attr_t attr;
    if (!stack_lo && pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) stack_lo = reinterpret_cast<uintptr_t>(addr);
      pthread_attr_destroy(&attr);
    }
    stack_t old{};
    if (sigaltstack(nullptr, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
      void* p = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) {
        stack_t ss{};
        ss.ss_sp = p;
        ss.ss_size = kAltStackSize;
        if (sigaltstack(&ss, nullptr) == 0) alt_stack = p;
        else munmap(p, kAltStackSize);
      }
    }
  }
  ~ThreadState() {
    if (!alt_stack) return;
    stack_t ss{};
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
    munmap(alt_stack, kAltStackSize);
  }
};

thread_local ThreadState* tl_thread = nullptr;

struct sigaction g_prev_segv;
struct sigaction g_prev_bus;

void chain(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = sig == SIGSEGV ? g_prev_segv : g_prev_bus;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction) return prev.sa_sigaction(sig, info, uctx);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    return prev.sa_handler(sig);
  }
  // Default action: reinstate it and return; the faulting instruction runs again and kills
  // the process with the usual signal (and core dump).
  signal(sig, SIG_DFL);
}

bool onThreadStackGuard(uintptr_t addr) {
  uintptr_t lo = tl_thread ? tl_thread->stack_lo : 0;
  return lo && addr + kStackGuardSpan >= lo && addr < lo + kStackGuardSpan;
}

// A fault at a Fault site of machine code (vm::CodeImage): the thread resumes in the image's
// fault stub as if the faulting instruction had called it (return address = the faulting pc,
// trap kind in edi, wasm offset in esi). The stub records the trap and unwinds to the
// innermost machine-code entry in ordinary code, outside the signal handler, so the frames
// of every tier are appended in order (each tier unwinding through its own activations).
// Machine code keeps nothing below its stack pointer, so the pushed return address
// overwrites nothing live.
bool redirectNativeFault(const EntryRecord* e, siginfo_t* info, void* uctx) {
  auto* uc = static_cast<ucontext_t*>(uctx);
  auto pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  const vm::CodeImage* image = vm::findCodeImage(pc);
  if (!image || !image->faultStub()) return false;
  std::optional<vm::CodeSite> site = image->siteAt(pc, vm::SiteKind::Fault);
  if (!site) return false;
  // The access must have hit this store's memory reservations: anything else at a Fault site
  // is a bug in the code, which must crash rather than pass for a trap.
  if (!e->store->ownsAddress(info->si_addr)) return false;
  auto sp = uintptr_t(uc->uc_mcontext.gregs[REG_RSP]) - 8;
  *reinterpret_cast<uintptr_t*>(sp) = pc;
  uc->uc_mcontext.gregs[REG_RSP] = greg_t(sp);
  uc->uc_mcontext.gregs[REG_RDI] = greg_t(site->trap);
  uc->uc_mcontext.gregs[REG_RSI] = greg_t(site->wasm);
  // The fault stub of an image whose code keeps no vmctx in r15 takes the store here.
  uc->uc_mcontext.gregs[REG_R8] = greg_t(uintptr_t(&e->store->ctx));
  uc->uc_mcontext.gregs[REG_RIP] = greg_t(uintptr_t(image->faultStub()));
  return true;
}

void onFault(int sig, siginfo_t* info, void* uctx) {
  EntryRecord* e = tl_entry;
  if (e && !e->in_host) {
    if (redirectNativeFault(e, info, uctx)) return;
    auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    bool memory = e->store->ownsAddress(info->si_addr);
    if (memory || onThreadStackGuard(addr)) {
      StoreImpl& store = *e->store;
      store.trap.raise(memory ? vm::TrapKind::MemoryOutOfBounds : vm::TrapKind::CallStackExhausted);
      // The tiers account for their skipped activations now, while their frames (which may
      // hold activation records) are intact: after the jump the stack below the entry is
      // reused by whatever the entry calls next.
      vm::VMStoreContext& ctx = store.ctx;
      for (int i = 0; i < 2; ++i) {
        if (ctx.tier_unwind[i]) ctx.tier_unwind[i](ctx.tier_state[i], &store.trap, e);
      }
      siglongjmp(e->jmp, 1);
    }
  }
  chain(sig, info, uctx);
}

void installHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = onFault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_prev_segv);
    sigaction(SIGBUS, &sa, &g_prev_bus);
  });
}

ThreadState& threadState() {
  if (!tl_thread) {
    installHandlers();
    static thread_local ThreadState state;
    tl_thread = &state;
  }
  return *tl_thread;
}

// What an entry needs below the limit for itself and the tier's entry frames.
constexpr uintptr_t kEntryReserve = 16 * 1024;

}  // namespace

EntryRecord* currentEntry() { return tl_entry; }

TrapResult<void> enterWasm(StoreImpl& store, const vm::VMFuncRef* callee, vm::RawVal* vals, size_t nvals) {
  ThreadState& thread = threadState();
  vm::VMStoreContext& ctx = store.ctx;
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (ctx.depth == 0) {
    uintptr_t budget = ctx.max_wasm_stack;
    uintptr_t limit = sp > budget ? sp - budget : 0;
    if (thread.stack_lo) limit = std::max(limit, thread.stack_lo + kStackGuardSpan);
    ctx.limits.stack_limit = limit;
  } else if (sp < ctx.limits.stack_limit + kEntryReserve) {
    store.trap.raise(vm::TrapKind::CallStackExhausted);
    return std::unexpected(store.takeTrap(callee));
  }

  EntryRecord rec;
  rec.prev = tl_entry;
  rec.store = &store;
  store.trap.pending = false;
  ++ctx.depth;
  tl_entry = &rec;
  volatile bool ok = false;
  const uintptr_t native_entry = ctx.native_entry_sp, exit_fp = ctx.exit_fp, exit_sp = ctx.exit_sp;
  // A fault comes back here with sigsetjmp returning 1, trap recorded and tiers unwound; the
  // jump may have skipped machine-code entries, whose link is restored.
  if (sigsetjmp(rec.jmp, 0) == 0) ok = callee->array_call(callee, nullptr, vals, nvals);
  else {
    ctx.native_entry_sp = native_entry;
    ctx.exit_fp = exit_fp;
    ctx.exit_sp = exit_sp;
  }
  tl_entry = rec.prev;
  --ctx.depth;
  if (ok) return {};
  if (!store.trap.pending) store.trap.raise(vm::TrapKind::Host);
  return std::unexpected(store.takeTrap(callee));
}

}  // namespace strata::runtime
