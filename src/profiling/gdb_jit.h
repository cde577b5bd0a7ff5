// The GDB JIT interface's shared structures (GDB manual, "JIT Compilation Interface"): the
// names, layouts and action codes are GDB's contract. Defined in gdb_jit.cc; declared here
// for tests, which read what a debugger would.
#pragma once

#include <cstdint>

extern "C" {

struct jit_code_entry {
  jit_code_entry* next_entry;
  jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;  // 0 no action, 1 register, 2 unregister
  jit_code_entry* relevant_entry;
  jit_code_entry* first_entry;
};

// gdb's breakpoint goes here; the debugger then reads __jit_debug_descriptor.
void __jit_debug_register_code();
extern jit_descriptor __jit_debug_descriptor;

}  // extern "C"
