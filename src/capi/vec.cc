// wasm.h's vectors: one template per flavour (plain values, owned pointers), instantiated for
// every vector type the header declares.
#include <algorithm>

#include "capi/capi_impl.h"

namespace {

template <class Vec>
void vecNewEmpty(Vec* out) {
  out->size = 0;
  out->data = nullptr;
}

template <class Vec>
void vecNewUninitialized(Vec* out, size_t size) {
  using Elem = std::remove_pointer_t<decltype(out->data)>;
  out->size = size;
  // Value-initialised, so pointer vectors start with null elements that _delete may skip.
  out->data = size ? new Elem[size]() : nullptr;
}

template <class Vec, class Elem>
void vecNew(Vec* out, size_t size, const Elem* elems) {
  vecNewUninitialized(out, size);
  if (size) std::copy(elems, elems + size, out->data);
}

template <class Vec, class CopyElem>
void vecCopy(Vec* out, const Vec* in, CopyElem copy) {
  vecNewUninitialized(out, in->size);
  for (size_t i = 0; i < in->size; ++i) copy(&out->data[i], &in->data[i]);
}

template <class Vec, class DeleteElem>
void vecDelete(Vec* vec, DeleteElem del) {
  for (size_t i = 0; i < vec->size; ++i) del(&vec->data[i]);
  delete[] vec->data;
  vec->size = 0;
  vec->data = nullptr;
}

}  // namespace

// Vectors of plain values (bytes; values, whose references the vector owns).
#define STRATA_VALUE_VEC(name, copy_elem, delete_elem)                                              \
  extern "C" {                                                                                      \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t* out) { vecNewEmpty(out); }                 \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t* out, size_t size) {                 \
    vecNewUninitialized(out, size);                                                                 \
  }                                                                                                 \
  void wasm_##name##_vec_new(wasm_##name##_vec_t* out, size_t size, const wasm_##name##_t elems[]) { \
    vecNew(out, size, elems);                                                                       \
  }                                                                                                 \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t* out, const wasm_##name##_vec_t* in) {            \
    vecCopy(out, in, copy_elem);                                                                    \
  }                                                                                                 \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t* vec) { vecDelete(vec, delete_elem); }         \
  }

// Vectors of owned pointers: copies are deep, deletion deletes every element.
#define STRATA_PTR_VEC(name)                                                                        \
  extern "C" {                                                                                      \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t* out) { vecNewEmpty(out); }                 \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t* out, size_t size) {                 \
    vecNewUninitialized(out, size);                                                                 \
  }                                                                                                 \
  void wasm_##name##_vec_new(wasm_##name##_vec_t* out, size_t size, wasm_##name##_t* const elems[]) { \
    vecNew(out, size, elems);                                                                       \
  }                                                                                                 \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t* out, const wasm_##name##_vec_t* in) {            \
    vecCopy(out, in, [](wasm_##name##_t** to, wasm_##name##_t* const* from) {                       \
      *to = *from ? wasm_##name##_copy(*from) : nullptr;                                            \
    });                                                                                             \
  }                                                                                                 \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t* vec) {                                         \
    vecDelete(vec, [](wasm_##name##_t** elem) {                                                     \
      if (*elem) wasm_##name##_delete(*elem);                                                       \
    });                                                                                             \
  }                                                                                                 \
  }

STRATA_VALUE_VEC(byte, [](wasm_byte_t* to, const wasm_byte_t* from) { *to = *from; }, [](wasm_byte_t*) {})
STRATA_VALUE_VEC(val, wasm_val_copy, wasm_val_delete)
STRATA_PTR_VEC(valtype)
STRATA_PTR_VEC(functype)
STRATA_PTR_VEC(globaltype)
STRATA_PTR_VEC(tabletype)
STRATA_PTR_VEC(memorytype)
STRATA_PTR_VEC(externtype)
STRATA_PTR_VEC(importtype)
STRATA_PTR_VEC(exporttype)
STRATA_PTR_VEC(frame)
STRATA_PTR_VEC(extern)
