// Memories, tables, globals and tags of a store, and Extern: any of them or a function.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "strata/func.h"
#include "strata/types.h"
#include "strata/val.h"
#include "support/error.h"

namespace strata {

class Store;

namespace runtime {
struct MemoryObj;
struct TableObj;
struct GlobalObj;
struct TagObj;
}  // namespace runtime

// A linear memory (spec 4.2.8). Its base address never moves; the size changes on grow.
class Memory {
 public:
  Memory() = default;
  // Unlinkable/Usage error when the type is invalid or the store's limits forbid it.
  static Result<Memory> create(Store& store, MemoryType type);

  uint8_t* data() const;
  uint64_t dataSize() const;  // bytes
  uint64_t size() const;      // pages
  uint64_t pageSize() const;
  // spec 4.4.7 memory.grow: the old size in pages, or an error (beyond the maximum, the store
  // limit or the reservation) leaving the memory unchanged.
  Result<uint64_t> grow(Store& store, uint64_t delta_pages) const;
  MemoryType type() const;  // limits.min is the current size

  runtime::MemoryObj* raw() const { return obj_; }
  explicit Memory(runtime::MemoryObj* obj) : obj_(obj) {}
  friend bool operator==(const Memory&, const Memory&) = default;

 private:
  runtime::MemoryObj* obj_ = nullptr;
};

class Table {
 public:
  Table() = default;
  static Result<Table> create(Store& store, TableType type, Val init);

  uint64_t size() const;
  std::optional<Val> get(Store& store, uint64_t index) const;  // nullopt when out of bounds
  Result<void> set(Store& store, uint64_t index, Val value) const;
  Result<uint64_t> grow(Store& store, uint64_t delta, Val init) const;
  TableType type() const;

  runtime::TableObj* raw() const { return obj_; }
  explicit Table(runtime::TableObj* obj) : obj_(obj) {}
  friend bool operator==(const Table&, const Table&) = default;

 private:
  runtime::TableObj* obj_ = nullptr;
};

class Global {
 public:
  Global() = default;
  static Result<Global> create(Store& store, GlobalType type, Val init);

  Val get(Store& store) const;
  Result<void> set(Store& store, Val value) const;  // Usage error for immutable globals
  GlobalType type() const;

  runtime::GlobalObj* raw() const { return obj_; }
  explicit Global(runtime::GlobalObj* obj) : obj_(obj) {}
  friend bool operator==(const Global&, const Global&) = default;

 private:
  runtime::GlobalObj* obj_ = nullptr;
};

// An exception tag (exception handling proposal): identity plus parameter types.
class Tag {
 public:
  Tag() = default;
  static Result<Tag> create(Store& store, FuncType params);
  FuncType type(const Store& store) const;

  runtime::TagObj* raw() const { return obj_; }
  explicit Tag(runtime::TagObj* obj) : obj_(obj) {}
  friend bool operator==(const Tag&, const Tag&) = default;

 private:
  runtime::TagObj* obj_ = nullptr;
};

// Anything an instance exports or imports (spec 4.2.x external values).
class Extern : public std::variant<Func, Table, Memory, Global, Tag> {
 public:
  using variant::variant;
  ExternKind kind() const { return ExternKind(index()); }
  template <class T>
  std::optional<T> as() const {
    if (auto* p = std::get_if<T>(this)) return *p;
    return std::nullopt;
  }
};

}  // namespace strata
