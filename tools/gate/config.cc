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

#include <map>
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
        // Every setting but `owner` is a list of names added to one field.
        const std::map<std::string, std::vector<std::string>*> lists{
            {"trusted", &trusted},
            {"include", &includable},
            {"forbid", &forbidden_names},
            {"arch-macro", &arch_macros},
        };
        const std::map<std::string, std::set<std::string>*> sets{
            {"builtin", &allowed_builtins},
            {"attribute", &allowed_attributes},
            {"guarded-callable", &guarded_callables},
            {"owning-handle", &owning_handles},
            {"owning-container", &owning_containers},
            {"shared-state", &shared_state},
            {"adl-hook", &adl_hooks},
        };
        if (auto list = lists.find(key); list != lists.end()) {
            if (need(1)) {
                list->second->insert(list->second->end(), values.begin(), values.end());
            }
        } else if (auto set = sets.find(key); set != sets.end()) {
            if (need(1)) {
                set->second->insert(values.begin(), values.end());
            }
        } else if (key == "owner") {
            if (need(2)) {
                owners.push_back({values[0], {values.begin() + 1, values.end()}});
            }
        } else {
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
