// The HTML page of `strata explore --html` (see explore_html.h). Every table row of a function
// carries data-w, the wasm offset it belongs to: hovering a row lights up every row of that
// offset on both sides, and each offset that has machine code links to its group of machine
// instructions (id f<func>-m<offset>) and back (id f<func>-w<offset>). On load the script
// counts those links and any that lead nowhere into data-linked and data-broken on <body>,
// which the test reads in headless Chromium.
#include "cli/explore_html.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "cli/disasm.h"
#include "cli/objdump.h"
#include "decode/instr.h"
#include "support/byte_reader.h"

namespace strata::cli {

namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.2em; } h2 { font-size: 1em; margin: 1.5em 0 .3em; }
h2 small { font-weight: normal; color: #666; }
.cols { display: grid; grid-template-columns: minmax(16em, 1fr) 2fr; gap: 1em; align-items: start; }
.col { max-height: 80vh; overflow: auto; border: 1px solid #ccc; }
table { border-collapse: collapse; font-family: monospace; font-size: 12px; }
td { padding: 0 .5em; white-space: pre; vertical-align: top; }
td.off, td.pc { color: #888; } td.bytes { color: #999; } .note { color: #a50; }
td.off a { color: #24a; }
tr.head td { background: #eef; color: #336; padding-top: .2em; }
tr.nocode td.ins { color: #999; }
tr.hl td { background: #ffe9a8; }
a { color: inherit; text-decoration: none; } a:hover { text-decoration: underline; }
)";

constexpr const char* kScript = R"(
for (const sec of document.querySelectorAll('section.func')) {
  const rows = sec.querySelectorAll('tr[data-w]');
  for (const row of rows) {
    row.addEventListener('mouseenter', () => {
      for (const r of sec.querySelectorAll('tr[data-w="' + row.dataset.w + '"]')) r.classList.add('hl');
    });
    row.addEventListener('mouseleave', () => {
      for (const r of sec.querySelectorAll('tr.hl')) r.classList.remove('hl');
    });
  }
}
let linked = 0, broken = 0;
for (const a of document.querySelectorAll('a[href^="#"]')) {
  if (document.getElementById(a.getAttribute('href').slice(1))) linked++; else broken++;
}
document.body.dataset.linked = linked;
document.body.dataset.broken = broken;
)";

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct WasmRow {
  uint32_t offset;
  int depth;
  std::string text;
};

// Every instruction of a defined function's body (after its locals), indented by block depth.
std::vector<WasmRow> wasmRows(const ir::Module& m, uint32_t func_index) {
  static const ir::Features kAll = ir::Features::everything();  // only displaying
  const ir::ByteSpan& body = m.functions[func_index].body;
  ByteReader br(m.span(body), body.offset);
  std::vector<WasmRow> rows;
  auto groups = br.readVarU32();
  for (uint32_t i = 0; groups && i < *groups; ++i)
    if (!br.readVarU32() || !decode::readValType(br, kAll)) return rows;
  decode::InstrReader reader(br, kAll);
  decode::Instr in;
  int depth = 1;
  while (!reader.atEnd() && reader.next(in)) {
    std::string text = renderInstr(in);
    std::string_view word = std::string_view(text).substr(0, text.find(' '));
    bool closes = word == "end" || word == "else" || word == "catch" || word == "catch_all" || word == "delegate";
    bool opens = word == "block" || word == "loop" || word == "if" || word == "try" || word == "try_table" ||
                 word == "else" || word == "catch" || word == "catch_all";
    if (closes) --depth;
    rows.push_back({uint32_t(in.offset), std::max(depth, 0), std::move(text)});
    if (opens) ++depth;
  }
  return rows;
}

void machineColumn(std::string& out, uint32_t f, const MachineListing& listing) {
  out += "<div class=\"col machine\"><table>\n";
  std::set<uint32_t> seen;
  for (const MachineGroup& g : listing.groups) {
    std::string w = g.kind == MachineGroup::Wasm ? fmt::format("{}", g.wasm) : "";
    if (g.kind == MachineGroup::Wasm) {
      std::string id = seen.insert(g.wasm).second ? fmt::format(" id=\"f{}-m{}\"", f, g.wasm) : "";
      out += fmt::format("<tr class=\"head\" data-w=\"{}\"{}><td colspan=\"3\"><a href=\"#f{}-w{}\">;; 0x{:04x} {}</a></td></tr>\n",
                         w, id, f, g.wasm, g.wasm, escape(g.wasm_text));
    } else if (g.kind != MachineGroup::Start) {
      out += fmt::format("<tr class=\"head\"><td colspan=\"3\">;; {}</td></tr>\n",
                         g.kind == MachineGroup::Prologue ? "prologue" : "trap stubs");
    }
    for (const MachineLine& l : g.lines) {
      out += fmt::format("<tr{}><td class=\"pc\">{:04x}</td><td class=\"bytes\">{}</td><td class=\"asm\">{}<span class=\"note\">{}</span></td></tr>\n",
                         w.empty() ? "" : " data-w=\"" + w + "\"", l.pc, l.bytes, escape(l.text), escape(l.note));
    }
  }
  out += "</table></div>\n";
}

void functionSection(std::string& out, const ir::Module& m, const vm::CompiledModule& compiled, uint32_t f) {
  auto name = m.names.functions.find(f);
  const vm::CodeImage* image = compiled.codeImage();
  const vm::FuncCodeInfo* info = image ? image->func(f) : nullptr;
  std::optional<MachineListing> listing;
  std::string summary;
  if (info) {
    listing = listMachineCode(m, *image, *info);
    summary = listing->unavailable.empty() ? listing->summary : listing->summary + "; " + listing->unavailable;
  } else {
    std::string d = compiled.describeFunction(f);
    summary = d.substr(0, d.find('\n'));
  }
  out += fmt::format("<section class=\"func\" id=\"f{}\"><h2>func {}{} <small>({}, {})</small></h2>\n<div class=\"cols\">\n", f, f,
                     name == m.names.functions.end() ? "" : " $" + escape(name->second), escape(compiled.tierName()),
                     escape(summary));
  std::set<uint32_t> with_code;
  if (listing)
    for (const MachineGroup& g : listing->groups)
      if (g.kind == MachineGroup::Wasm) with_code.insert(g.wasm);
  out += "<div class=\"col wasm\"><table>\n";
  for (const WasmRow& r : wasmRows(m, f)) {
    bool code = with_code.count(r.offset) > 0;
    std::string off = code ? fmt::format("<a href=\"#f{}-m{}\">0x{:04x}</a>", f, r.offset, r.offset) : fmt::format("0x{:04x}", r.offset);
    out += fmt::format("<tr data-w=\"{}\" id=\"f{}-w{}\"{}><td class=\"off\">{}</td><td class=\"ins\">{}{}</td></tr>\n", r.offset, f,
                       r.offset, code ? "" : " class=\"nocode\"", off, std::string(size_t(2 * r.depth), ' '), escape(r.text));
  }
  out += "</table></div>\n";
  if (listing) {
    machineColumn(out, f, *listing);
  } else {
    std::string d = compiled.describeFunction(f);
    out += fmt::format("<div class=\"col machine\"><table><tr><td>{}</td></tr></table></div>\n",
                       escape(d.substr(std::min(d.find('\n') + 1, d.size()))));
  }
  out += "</div></section>\n";
}

}  // namespace

std::string exploreHtml(const ir::Module& m, const vm::CompiledModule& compiled, const std::vector<uint32_t>& funcs,
                        const std::string& title) {
  std::string out = fmt::format("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>strata explore: {}</title>\n<style>{}</style></head>\n<body>\n",
                                escape(title), kStyle);
  out += fmt::format("<h1>{} <small>({} tier)</small></h1>\n<p>Left: each function's wasm instructions, "
                     "at their byte offsets in the module; right: the code the tier made of them. Offsets link "
                     "the two; hovering a row lights up its counterpart.</p>\n",
                     escape(title), escape(compiled.tierName()));
  for (uint32_t f = m.num_imported_functions; f < m.functions.size(); ++f)
    if (funcs.empty() || std::find(funcs.begin(), funcs.end(), f) != funcs.end()) functionSection(out, m, compiled, f);
  out += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return out;
}

}  // namespace strata::cli
