// The gate's configuration file: one setting a line, `#` starts a comment.
//   trusted PREFIX         code spelled under PREFIX is the framework's
//   include PREFIX         checked code may #include files under PREFIX
//   owner PREFIX NS...     code written under PREFIX may declare in NS and namespaces within it
//   forbid NS              no checked code may name anything in NS
//   arch-macro NAME        no #if, #ifdef or defined() may test NAME
//   builtin NAME           checked code may call this compiler builtin
//   attribute NAME         checked code may write this attribute (its normalized name)
//   guarded-callable NAME  its callable's result may hold no reference, pointer or view
//   owning-handle NAME     a class template that owns what it points to (RefPtr, Box)
//   owning-container NAME  a class template that owns its elements (Vector)
//   shared-state NAME      a constant of this type may reach mutable state (it guards it)
//   adl-hook NAME          framework code may call checked code's NAME by argument-dependent lookup
#include "gate.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>

#include <sstream>

namespace keel_gate {

bool Config::load(const std::string& path, std::string& error) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
        error = "cannot read " + path;
        return false;
    }
    std::istringstream lines((*buffer)->getBuffer().str());
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream words(line);
        std::string key;
        if (!(words >> key)) {
            continue;
        }
        std::vector<std::string> values;
        for (std::string w; words >> w;) {
            values.push_back(w);
        }
        auto need = [&](size_t n) {
            if (values.size() < n) {
                error = path + ":" + std::to_string(number) + ": '" + key + "' needs " +
                        std::to_string(n) + " value(s)";
                return false;
            }
            return true;
        };
        if (key == "trusted" && need(1)) {
            trusted.insert(trusted.end(), values.begin(), values.end());
        } else if (key == "include" && need(1)) {
            includable.insert(includable.end(), values.begin(), values.end());
        } else if (key == "owner" && need(2)) {
            owners.push_back({values[0], {values.begin() + 1, values.end()}});
        } else if (key == "forbid" && need(1)) {
            forbidden_names.insert(forbidden_names.end(), values.begin(), values.end());
        } else if (key == "arch-macro" && need(1)) {
            arch_macros.insert(arch_macros.end(), values.begin(), values.end());
        } else if (key == "builtin" && need(1)) {
            allowed_builtins.insert(values.begin(), values.end());
        } else if (key == "attribute" && need(1)) {
            allowed_attributes.insert(values.begin(), values.end());
        } else if (key == "guarded-callable" && need(1)) {
            guarded_callables.insert(values.begin(), values.end());
        } else if (key == "owning-handle" && need(1)) {
            owning_handles.insert(values.begin(), values.end());
        } else if (key == "owning-container" && need(1)) {
            owning_containers.insert(values.begin(), values.end());
        } else if (key == "shared-state" && need(1)) {
            shared_state.insert(values.begin(), values.end());
        } else if (key == "adl-hook" && need(1)) {
            adl_hooks.insert(values.begin(), values.end());
        } else if (error.empty()) {
            error = path + ":" + std::to_string(number) + ": unknown setting '" + key + "'";
        }
        if (!error.empty()) {
            return false;
        }
    }
    return true;
}

const Config::Owner* Config::owner_of(llvm::StringRef relative) const {
    const Owner* best = nullptr;
    for (const Owner& o : owners) {
        if (relative.startswith(o.prefix) && (!best || o.prefix.size() > best->prefix.size())) {
            best = &o;
        }
    }
    return best;
}

} // namespace keel_gate
