// Trust by spelling: a token belongs to the file it is written in. Macro expansion does not
// move it (a framework macro's body stays trusted where it expands), #line cannot (the
// preprocessor rules reject line directives, and file identity here ignores them), and ##
// pasting lands in scratch space, which is checked.
#include "gate.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>

namespace keel_gate {

std::string Locations::real_path(const clang::FileEntry& file) {
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(file.getName(), real)) {
        return {};
    }
    return std::string(real.str());
}

bool Locations::trusted(clang::SourceLocation loc) const {
    if (loc.isInvalid()) {
        return true; // made by the compiler (implicit members, deduction guides)
    }
    clang::SourceLocation spelling = sm_.getSpellingLoc(loc);
    clang::FileID id = sm_.getFileID(spelling);
    if (auto it = trusted_cache_.find(id); it != trusted_cache_.end()) {
        return it->second;
    }
    bool result = false;
    if (const clang::FileEntry* file = sm_.getFileEntryForID(id)) {
        std::string path = real_path(*file);
        if (!config_.resource_dir.empty() &&
            llvm::StringRef(path).startswith(config_.resource_dir)) {
            result = true;
        }
        for (const std::string& prefix : config_.trusted) {
            result = result || llvm::StringRef(path).startswith(config_.root + prefix);
        }
    } else {
        // Buffers without a file: the compiler's predefines and command-line macros are
        // "<built-in>"; macro scratch space is checked.
        result = sm_.getBufferName(spelling) == "<built-in>";
    }
    trusted_cache_[id] = result;
    return result;
}

std::string Locations::relative_file(clang::SourceLocation loc) const {
    if (loc.isInvalid()) {
        return {};
    }
    clang::FileID id = sm_.getFileID(sm_.getFileLoc(loc));
    const clang::FileEntry* file = sm_.getFileEntryForID(id);
    if (!file) {
        return {};
    }
    std::string path = real_path(*file);
    if (!llvm::StringRef(path).startswith(config_.root)) {
        return {};
    }
    return path.substr(config_.root.size());
}

Reporter::Reporter(clang::DiagnosticsEngine& diags)
    : diags_(diags), id_(diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                               "safe-subset rule [%0] violated: %1")) {}

void Reporter::report(clang::SourceLocation loc, llvm::StringRef rule, llvm::StringRef why) {
    if (!seen_.insert({loc.getRawEncoding(), rule.str()}).second) {
        return;
    }
    diags_.Report(loc, id_) << rule << why;
}

} // namespace keel_gate
