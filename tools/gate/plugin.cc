// The gate as a clang plugin ("keel_gate"), run before the compiler's own action so a rejected
// file never becomes an object:
//   -fplugin=keel-gate.so -fplugin-arg-keel_gate-config=tools/gate/gate.conf
//                         -fplugin-arg-keel_gate-root=REPOSITORY
//                         [-fplugin-arg-keel_gate-export-symbols]  also write OBJECT.api
//                         [-fplugin-arg-keel_gate-no-check]        check nothing (tests only)
// OBJECT.api lists the symbols this translation unit may reference because the framework's
// public headers declare them (scripts/link-check.sh reads it next to the object).
#include "gate.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendPluginRegistry.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>

#include <memory>

namespace keel_gate {
namespace {

class Consumer : public clang::ASTConsumer {
public:
    // The consumer keeps its own copy of the configuration: clang destroys a before-main
    // plugin action right after asking it for its consumer.
    Consumer(Config config, clang::CompilerInstance& ci, std::string export_path, bool check)
        : config_(std::move(config)), where_(ci.getSourceManager(), config_),
          report_(ci.getDiagnostics()), export_path_(std::move(export_path)), check_(check) {
        if (check_) {
            watch_preprocessor(ci.getPreprocessor(), where_, report_);
        }
    }

    void HandleTranslationUnit(clang::ASTContext& context) override {
        if (context.getDiagnostics().hasUncompilableErrorOccurred()) {
            return; // a broken AST; warnings made errors still leave one worth checking
        }
        if (check_) {
            check_translation_unit(context, where_, report_);
        }
        if (!export_path_.empty() && !export_symbols(context, where_, export_path_)) {
            report_.report({}, "export-symbols", "cannot write " + export_path_);
        }
    }

private:
    Config config_;
    Locations where_;
    Reporter report_;
    std::string export_path_;
    bool check_;
};

class Action : public clang::PluginASTAction {
protected:
    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci,
                                                          llvm::StringRef) override {
        config_.resource_dir = real_dir(ci.getHeaderSearchOpts().ResourceDir);
        std::string export_path;
        const std::string& object = ci.getFrontendOpts().OutputFile;
        if (export_symbols_ && !object.empty() && object != "-" && object != "/dev/null") {
            export_path = object + ".api";
        }
        return std::make_unique<Consumer>(config_, ci, export_path, check_);
    }

    bool ParseArgs(const clang::CompilerInstance& ci,
                   const std::vector<std::string>& args) override {
        std::string config_path;
        for (const std::string& arg : args) {
            llvm::StringRef a(arg);
            if (a.consume_front("config=")) {
                config_path = a.str();
            } else if (a.consume_front("root=")) {
                config_.root = real_dir(a.str());
            } else if (a == "export-symbols") {
                export_symbols_ = true;
            } else if (a == "no-check") {
                check_ = false;
            } else {
                return fail(ci, "unknown argument '" + arg + "'");
            }
        }
        if (config_path.empty() || config_.root.empty()) {
            return fail(ci, "needs config=FILE and root=DIR");
        }
        std::string error;
        if (!config_.load(config_path, error)) {
            return fail(ci, error);
        }
        return true;
    }

    ActionType getActionType() override { return AddBeforeMainAction; }

private:
    static std::string real_dir(const std::string& path) {
        llvm::SmallString<256> real;
        if (llvm::sys::fs::real_path(path, real)) {
            return {};
        }
        std::string out(real.str());
        if (!out.empty() && out.back() != '/') {
            out += '/';
        }
        return out;
    }

    static bool fail(const clang::CompilerInstance& ci, const std::string& why) {
        clang::DiagnosticsEngine& d = ci.getDiagnostics();
        d.Report(d.getCustomDiagID(clang::DiagnosticsEngine::Error, "keel-gate: %0")) << why;
        return false;
    }

    Config config_;
    bool export_symbols_ = false;
    bool check_ = true;
};

} // namespace
} // namespace keel_gate

static clang::FrontendPluginRegistry::Add<keel_gate::Action>
    registration("keel_gate", "Keel's safe-subset gate for services/ and drivers/");
