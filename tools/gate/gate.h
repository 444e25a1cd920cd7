// The safe-subset gate (a clang plugin): what its parts share. The gate checks services/ and
// drivers/ code after preprocessing, on the AST, so a rule holds whatever the code is spelled
// like: through aliases, macros, templates or headers. Code *spelled* in the framework's public
// headers (framework/include/) is trusted and not checked; everything else is.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/StringRef.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace clang {
class Preprocessor;
}

namespace keel_gate {

// The gate's configuration (tools/gate/gate.conf): which folders are the framework, which
// namespaces each services/drivers folder owns, what may be named, called and written.
struct Config {
    struct Owner {
        std::string prefix;                  // a folder relative to the root, ending in '/'
        std::vector<std::string> namespaces; // it may declare in these (and their nested ones)
    };
    std::string root;                         // the repository's real path, ending in '/'
    std::string resource_dir;                 // the compiler's own headers (stddef.h, ...)
    std::vector<std::string> trusted;         // folders whose code is the framework's
    std::vector<std::string> includable;      // folders checked code may #include from
    std::vector<Owner> owners;                // the longest matching prefix decides
    std::vector<std::string> forbidden_names; // namespaces checked code may not name at all
    std::vector<std::string> arch_macros;     // macros no #if may test
    std::set<std::string> allowed_builtins;   // builtins that move no bytes and forge nothing
    std::set<std::string> allowed_attributes; // attributes that place, alias or hide nothing
    std::set<std::string> adl_hooks;          // names framework code may find by ADL in services
    std::set<std::string> guarded_callables;  // run a callable under a guard, return its result
    std::set<std::string> owning_handles;     // own what they point to (RefPtr, Box)
    std::set<std::string> owning_containers;  // own their elements (Vector)
    std::set<std::string> shared_state;       // types that guard their own shared state (Global)

    // Reads path; on failure says why in error.
    bool load(const std::string& path, std::string& error);
    // The owner of a file (relative to root), or nullptr when no folder owns it.
    const Owner* owner_of(llvm::StringRef relative) const;
};

// Where a piece of code comes from.
class Locations {
public:
    Locations(const clang::SourceManager& sm, const Config& config) : sm_(sm), config_(config) {}

    // Spelled in the framework's headers, the compiler's own headers or the compiler's
    // predefines: not checked. Macro scratch space (## pasting) and every other file are.
    bool trusted(clang::SourceLocation loc) const;
    // The file a location is written in after macro expansion, relative to the root ("" when
    // outside it).
    std::string relative_file(clang::SourceLocation loc) const;
    // The real path of a file, "" when it has none.
    static std::string real_path(const clang::FileEntry& file);

    const clang::SourceManager& sources() const { return sm_; }
    const Config& config() const { return config_; }

private:
    const clang::SourceManager& sm_;
    const Config& config_;
    mutable llvm::DenseMap<clang::FileID, bool> trusted_cache_;
};

// Reports a broken rule as a compile error naming it, once per place and rule.
class Reporter {
public:
    explicit Reporter(clang::DiagnosticsEngine& diags);
    void report(clang::SourceLocation loc, llvm::StringRef rule, llvm::StringRef why);

private:
    clang::DiagnosticsEngine& diags_;
    unsigned id_;
    std::set<std::pair<unsigned, std::string>> seen_;
};

// The rules on declarations, statements, expressions and types (ast_rules.cc).
void check_translation_unit(clang::ASTContext& context, const Locations& where, Reporter& report);
// The rules on directives and tokens (preprocessor_rules.cc), installed before parsing.
void watch_preprocessor(clang::Preprocessor& pp, const Locations& where, Reporter& report);
// The link check's allowlist (symbols.cc): the mangled names of every function and variable
// the trusted headers declare, one a line, into path.
bool export_symbols(clang::ASTContext& context, const Locations& where, const std::string& path);

} // namespace keel_gate
