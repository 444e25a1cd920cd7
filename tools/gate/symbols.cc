// The link check's allowlist: the mangled name of every function and variable declared in the
// trusted headers (including member functions, constructors and destructors in each of their
// ABI variants, and the instantiations the including file made of framework templates). A
// services or drivers object that references any other undefined symbol reaches past the
// public API (scripts/link-check.sh).
#include "gate.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/GlobalDecl.h>
#include <clang/AST/Mangle.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <llvm/Support/raw_ostream.h>

#include <memory>
#include <set>

namespace keel_gate {
namespace {

using namespace clang;

class Collector : public RecursiveASTVisitor<Collector> {
public:
    Collector(ASTContext& context, const Locations& where)
        : where_(where), mangle_(context.createMangleContext()) {}

    bool shouldVisitTemplateInstantiations() const { return true; }
    bool shouldVisitImplicitCode() const { return true; }

    bool VisitFunctionDecl(FunctionDecl* fn) {
        if (!declared_by_framework(fn) || fn->isDependentContext() || fn->isDeleted()) {
            return true;
        }
        if (const auto* ctor = dyn_cast<CXXConstructorDecl>(fn)) {
            add(GlobalDecl(ctor, Ctor_Complete));
            add(GlobalDecl(ctor, Ctor_Base));
        } else if (const auto* dtor = dyn_cast<CXXDestructorDecl>(fn)) {
            add(GlobalDecl(dtor, Dtor_Complete));
            add(GlobalDecl(dtor, Dtor_Base));
            if (dtor->isVirtual()) {
                add(GlobalDecl(dtor, Dtor_Deleting));
            }
        } else {
            add(GlobalDecl(fn));
        }
        return true;
    }

    bool VisitVarDecl(VarDecl* var) {
        if (declared_by_framework(var) && var->hasGlobalStorage() &&
            !var->getDeclContext()->isDependentContext() && !var->isTemplated() &&
            !isa<ParmVarDecl>(var) && var->isExternallyVisible()) {
            add(GlobalDecl(var));
        }
        return true;
    }

    bool VisitCXXRecordDecl(CXXRecordDecl* record) {
        // The vtable, type info and VTT of a framework class are the framework's to emit.
        if (declared_by_framework(record) && record->isCompleteDefinition() &&
            !record->isDependentContext() && record->isDynamicClass()) {
            std::string name;
            llvm::raw_string_ostream out(name);
            cast<ItaniumMangleContext>(*mangle_).mangleCXXVTable(record, out);
            symbols_.insert(out.str());
        }
        return true;
    }

    const std::set<std::string>& symbols() const { return symbols_; }

private:
    // Declared in a trusted header; a template's instantiation counts where its pattern is.
    bool declared_by_framework(const Decl* d) const {
        const Decl* pattern = d;
        if (const auto* fn = dyn_cast<FunctionDecl>(d)) {
            if (const FunctionDecl* p = fn->getTemplateInstantiationPattern()) {
                pattern = p;
            }
        } else if (const auto* var = dyn_cast<VarDecl>(d)) {
            if (const VarDecl* p = var->getTemplateInstantiationPattern()) {
                pattern = p;
            }
        } else if (const auto* record = dyn_cast<CXXRecordDecl>(d)) {
            if (const CXXRecordDecl* p = record->getTemplateInstantiationPattern()) {
                pattern = p;
            }
        }
        return pattern->getLocation().isValid() && where_.trusted(pattern->getLocation());
    }

    void add(GlobalDecl gd) {
        const auto* nd = cast<NamedDecl>(gd.getDecl());
        if (!mangle_->shouldMangleDeclName(nd)) {
            symbols_.insert(nd->getName().str());
            return;
        }
        std::string name;
        llvm::raw_string_ostream out(name);
        mangle_->mangleName(gd, out);
        symbols_.insert(out.str());
    }

    const Locations& where_;
    std::unique_ptr<MangleContext> mangle_;
    std::set<std::string> symbols_;
};

} // namespace

bool export_symbols(ASTContext& context, const Locations& where, const std::string& path) {
    Collector collector(context, where);
    collector.TraverseDecl(context.getTranslationUnitDecl());
    std::error_code error;
    llvm::raw_fd_ostream out(path, error);
    if (error) {
        return false;
    }
    for (const std::string& s : collector.symbols()) {
        out << s << '\n';
    }
    return true;
}

} // namespace keel_gate
