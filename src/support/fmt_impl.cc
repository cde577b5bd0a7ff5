// fmt's compiled half, built into Strata rather than loaded from Debian's libfmt.so: that shared
// library drags the shared libstdc++ into every process, and loading the two cost about 2 ms of the
// CLI's start-up (issue 10 asks for at most 1 ms over a native program that does nothing).
// Including format-inl.h without FMT_HEADER_ONLY compiles its out-of-line definitions here, once.
#include <fmt/format-inl.h>

// The templates the headers declare but leave to the compiled half (found by linking every target).
FMT_BEGIN_NAMESPACE
namespace detail {
template locale_ref::locale_ref(const std::locale& loc);
template std::locale locale_ref::get<std::locale>() const;
template thousands_sep_result<char> thousands_sep_impl<char>(locale_ref);
template char decimal_point_impl<char>(locale_ref);
}  // namespace detail
FMT_END_NAMESPACE
