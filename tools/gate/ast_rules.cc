// The gate's rules on the AST: declarations, statements, expressions and types written in
// checked code. Each rule has a name that the error carries; tests/gate/ holds a bad file for
// each (and for the variants of each family), which must be rejected naming it.
#include "gate.h"

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/Builtins.h>
#include <llvm/ADT/SmallPtrSet.h>

namespace keel_gate {
namespace {

using namespace clang;

// Annotations the framework puts on its own declarations (clang::annotate).
constexpr llvm::StringLiteral framework_only = "keel::framework_only";
constexpr llvm::StringLiteral defined_by_services = "keel::defined_by_services";
constexpr llvm::StringLiteral pointer_free_arguments = "keel::pointer_free_arguments";
constexpr llvm::StringLiteral owned_callable = "keel::owned_callable";

// The annotation on this one declaration, not on any of its redeclarations.
bool own_annotation(const Decl* d, llvm::StringRef name) {
    for (const auto* a : d->specific_attrs<AnnotateAttr>()) {
        if (a->getAnnotation() == name) {
            return true;
        }
    }
    return false;
}

bool has_annotation(const Decl* d, llvm::StringRef name) {
    if (d == nullptr) {
        return false;
    }
    for (const Decl* r : d->redecls()) {
        for (const auto* a : r->specific_attrs<AnnotateAttr>()) {
            if (a->getAnnotation() == name) {
                return true;
            }
        }
    }
    if (const auto* fn = dyn_cast<FunctionDecl>(d)) {
        if (const FunctionDecl* pattern = fn->getTemplateInstantiationPattern()) {
            if (pattern != fn && has_annotation(pattern, name)) {
                return true;
            }
        }
        if (const FunctionTemplateDecl* t = fn->getPrimaryTemplate()) {
            return has_annotation(t->getTemplatedDecl(), name) || has_annotation(t, name);
        }
    }
    return false;
}

// The named namespaces around a declaration context, outermost first ("keel::fs"); anonymous
// namespaces add nothing (they are still inside their owner).
std::string namespace_of(const DeclContext* dc) {
    std::vector<llvm::StringRef> names;
    for (; dc != nullptr; dc = dc->getParent()) {
        if (const auto* ns = dyn_cast<NamespaceDecl>(dc)) {
            if (!ns->isAnonymousNamespace()) {
                names.push_back(ns->getName());
            }
        }
    }
    std::string out;
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        if (!out.empty()) {
            out += "::";
        }
        out += it->str();
    }
    return out;
}

bool within(llvm::StringRef ns, llvm::StringRef outer) {
    return ns == outer || (ns.startswith(outer) && ns.substr(outer.size()).startswith("::"));
}

class Checker : public RecursiveASTVisitor<Checker> {
public:
    Checker(ASTContext& context, const Locations& where, Reporter& report)
        : context_(context), where_(where), config_(where.config()), report_(report) {}

    // Instantiations too: in a template's pattern a cast from a dependent type, a call through
    // a dependent name or a member of a dependent type is not resolved yet (its kind is
    // CK_Dependent, its callee unknown), so only the instantiation shows what it does. Nodes
    // keep the location of their pattern: what a services template writes is checked in every
    // instantiation, what a framework template writes stays trusted.
    bool shouldVisitTemplateInstantiations() const { return true; }
    bool shouldVisitImplicitCode() const { return false; }

    // --- declarations ----------------------------------------------------------------------

    bool VisitDecl(Decl* d) {
        if (d->isImplicit() || where_.trusted(d->getLocation())) {
            return true;
        }
        check_attributes(d);
        check_namespace(d);
        if (isa<FileScopeAsmDecl>(d)) {
            report_.report(d->getLocation(), "no-inline-asm", "assembly belongs in framework/arch");
        }
        if (const auto* spec = dyn_cast<LinkageSpecDecl>(d)) {
            report_.report(spec->getLocation(), "no-extern",
                           "a linkage specification reaches symbols the public headers do not "
                           "declare");
        }
        return true;
    }

    bool VisitVarDecl(VarDecl* v) {
        if (v->isImplicit() || where_.trusted(v->getLocation())) {
            return true;
        }
        check_volatile(v->getType(), v->getLocation());
        if (isa<ParmVarDecl>(v)) {
            return true;
        }
        if (v->hasExternalStorage()) {
            report_.report(v->getLocation(), "no-extern",
                           "an extern variable reaches storage the public headers do not declare");
        }
        if (v->getTLSKind() != VarDecl::TLS_None) {
            report_.report(v->getLocation(), "no-mutable-globals",
                           "thread-local state goes through keel::PerCpu");
        }
        bool immutable = v->isConstexpr() || v->getType().isConstQualified();
        if (v->isStaticLocal() && !v->isConstexpr()) {
            report_.report(v->getLocation(), "no-static-locals",
                           "a function-local static is shared mutable state with a hidden "
                           "initialization guard; use constexpr or keel::Global");
        } else if (v->hasGlobalStorage() && !v->isStaticLocal() && !immutable) {
            report_.report(v->getLocation(), "no-mutable-globals",
                           "state shared by every CPU goes through keel::Global or keel::Atomic");
        }
        if (v->hasGlobalStorage() && immutable) {
            // Const is shallow: a const Box, RefPtr or pointer still reaches mutable state that
            // every CPU shares without a lock.
            std::string found;
            llvm::SmallPtrSet<const Type*, 16> seen;
            if (!deeply_const(v->getType(), seen, found)) {
                report_.report(v->getLocation(), "no-mutable-globals",
                               "this constant reaches mutable state through '" + found +
                                   "'; state shared by every CPU goes through keel::Global or "
                                   "keel::Atomic");
            }
        }
        return true;
    }

    bool VisitFieldDecl(FieldDecl* f) {
        if (where_.trusted(f->getLocation())) {
            return true;
        }
        check_volatile(f->getType(), f->getLocation());
        if (f->isMutable()) {
            report_.report(f->getLocation(), "no-mutable-members",
                           "state that changes behind const goes through keel::Global or "
                           "keel::Atomic");
        }
        return true;
    }

    bool VisitRecordDecl(RecordDecl* r) {
        if (r->isUnion() && !r->isImplicit() && !where_.trusted(r->getLocation())) {
            report_.report(r->getLocation(), "no-union",
                           "a union reads one member's bytes as another's type");
        }
        return true;
    }

    bool VisitFunctionDecl(FunctionDecl* f) {
        if (f->isImplicit() || where_.trusted(f->getLocation())) {
            return true;
        }
        check_volatile(f->getReturnType(), f->getLocation());
        if (const auto* method = dyn_cast<CXXMethodDecl>(f)) {
            if (method->getMethodQualifiers().hasRestrict()) {
                report_.report(f->getLocation(), "no-restrict",
                               "a __restrict member function promises `this` aliases nothing");
            }
            // An override need not repeat [[noreturn]], and a call through the base is compiled
            // as if it never returned: the code after it (a bounds check) is dropped.
            if (method->isVirtual() && f->isNoReturn()) {
                report_.report(f->getLocation(), "no-noreturn-virtual",
                               "[[noreturn]] on a virtual function is not kept by its "
                               "overrides, so a call that returns is undefined behaviour");
            }
        }
        if (f->isVariadic()) {
            report_.report(f->getLocation(), "no-c-varargs",
                           "C variadic functions are not type safe");
        }
        if (f->isExternC()) {
            report_.report(
                f->getLocation(), "no-extern",
                "a C-linkage function reaches symbols the public headers do not declare");
        }
        OverloadedOperatorKind op = f->getOverloadedOperator();
        if (op == OO_New || op == OO_Array_New || op == OO_Delete || op == OO_Array_Delete) {
            report_.report(f->getLocation(), "no-raw-allocation",
                           "allocate through the framework (Box, RefPtr)");
        }
        if (f->getTemplateSpecializationKind() == TSK_ExplicitSpecialization) {
            const Decl* pattern = f->getPrimaryTemplate();
            if (pattern == nullptr) {
                pattern = f->getInstantiatedFromMemberFunction();
            }
            if (pattern != nullptr && where_.trusted(pattern->getLocation())) {
                report_.report(f->getLocation(), "no-framework-specialization",
                               "specializing a framework template replaces framework code");
            }
            if (const TemplateArgumentList* args = f->getTemplateSpecializationArgs()) {
                check_specialization_arguments(args->asArray(), f->getLocation());
            }
        }
        if (is_explicit_instantiation(f->getTemplateSpecializationKind())) {
            report_.report(f->getLocation(), "no-explicit-instantiation",
                           "an explicit instantiation skips access checks on its arguments");
        }
        return true;
    }

    bool VisitClassTemplateSpecializationDecl(ClassTemplateSpecializationDecl* s) {
        if (where_.trusted(s->getLocation())) {
            return true;
        }
        TemplateSpecializationKind kind = s->getSpecializationKind();
        if (is_explicit_instantiation(kind)) {
            report_.report(s->getLocation(), "no-explicit-instantiation",
                           "an explicit instantiation skips access checks on its arguments");
            return true;
        }
        if (kind == TSK_ExplicitSpecialization || isa<ClassTemplatePartialSpecializationDecl>(s)) {
            if (where_.trusted(s->getSpecializedTemplate()->getLocation())) {
                report_.report(s->getLocation(), "no-framework-specialization",
                               "specializing a framework template replaces framework code");
            }
            check_specialization_arguments(s->getTemplateArgs().asArray(), s->getLocation());
        }
        return true;
    }

    bool VisitVarTemplateSpecializationDecl(VarTemplateSpecializationDecl* s) {
        if (where_.trusted(s->getLocation())) {
            return true;
        }
        if (is_explicit_instantiation(s->getSpecializationKind())) {
            report_.report(s->getLocation(), "no-explicit-instantiation",
                           "an explicit instantiation skips access checks on its arguments");
        } else if (where_.trusted(s->getSpecializedTemplate()->getLocation())) {
            report_.report(s->getLocation(), "no-framework-specialization",
                           "specializing a framework template replaces framework code");
        }
        check_specialization_arguments(s->getTemplateArgs().asArray(), s->getLocation());
        return true;
    }

    bool VisitClassTemplateDecl(ClassTemplateDecl* t) {
        if (has_annotation(t->getTemplatedDecl(), pointer_free_arguments)) {
            pointer_free_templates_.push_back(t);
        }
        return true;
    }

    bool VisitUsingDirectiveDecl(UsingDirectiveDecl* u) {
        if (!where_.trusted(u->getLocation())) {
            check_named(u->getNominatedNamespace(), u->getLocation());
        }
        return true;
    }

    bool VisitNamespaceAliasDecl(NamespaceAliasDecl* a) {
        if (!where_.trusted(a->getLocation())) {
            check_named(a->getNamespace(), a->getLocation());
        }
        return true;
    }

    bool VisitUsingDecl(UsingDecl* u) {
        if (!where_.trusted(u->getLocation())) {
            for (const UsingShadowDecl* shadow : u->shadows()) {
                check_named(shadow->getTargetDecl(), u->getLocation());
            }
        }
        return true;
    }

    // --- statements and expressions --------------------------------------------------------

    bool VisitStmt(Stmt* s) {
        SourceLocation at = s->getBeginLoc();
        if (where_.trusted(at)) {
            return true;
        }
        if (isa<GCCAsmStmt>(s) || isa<MSAsmStmt>(s)) {
            report_.report(at, "no-inline-asm", "assembly belongs in framework/arch");
        } else if (isa<GotoStmt>(s) || isa<IndirectGotoStmt>(s) || isa<AddrLabelExpr>(s)) {
            report_.report(at, "no-goto", "goto jumps past initializations and destructors");
        } else if (isa<VAArgExpr>(s)) {
            report_.report(at, "no-c-varargs", "C variadic functions are not type safe");
        } else if (const auto* attributed = dyn_cast<AttributedStmt>(s)) {
            for (const Attr* a : attributed->getAttrs()) {
                check_attribute(a);
            }
        }
        return true;
    }

    // A generic lambda's call operator is a template whose instantiations the visitor does not
    // reach on its own (it walks only the lambda as written).
    bool TraverseLambdaExpr(LambdaExpr* e, DataRecursionQueue* queue = nullptr) {
        if (!RecursiveASTVisitor::TraverseLambdaExpr(e, queue)) {
            return false;
        }
        if (FunctionTemplateDecl* generic = e->getDependentCallOperator()) {
            for (FunctionDecl* instance : generic->specializations()) {
                if (!TraverseDecl(instance)) {
                    return false;
                }
            }
        }
        return true;
    }

    bool VisitExplicitCastExpr(ExplicitCastExpr* e) {
        SourceLocation at = e->getBeginLoc();
        if (where_.trusted(at)) {
            return true;
        }
        if (isa<CXXReinterpretCastExpr>(e)) {
            report_.report(at, "no-reinterpret-cast",
                           "reinterpreting memory is a framework operation");
            return true;
        }
        if (isa<CXXConstCastExpr>(e)) {
            report_.report(at, "no-const-cast", "casting away const breaks the framework contract");
            return true;
        }
        if (isa<CStyleCastExpr>(e) && !e->getType()->isVoidType()) { // (void) discards
            report_.report(at, "no-c-style-cast",
                           "a C cast may reinterpret or un-const; use static_cast");
            return true;
        }
        if (isa<CXXFunctionalCastExpr>(e) &&
            (e->getType()->isPointerType() || e->getType()->isReferenceType() ||
             e->getType()->isMemberPointerType())) {
            report_.report(at, "no-functional-cast",
                           "a functional cast to a pointer or reference is a C cast");
            return true;
        }
        // Every spelling: what matters is what the cast does (its kind), not its keyword.
        if (const char* why = reinterpreting(e)) {
            report_.report(at, kind_rule(e), why);
        }
        return true;
    }

    bool VisitBuiltinBitCastExpr(BuiltinBitCastExpr* e) {
        reject(e->getBeginLoc(), "no-bit-cast",
               "__builtin_bit_cast makes a value of any type from bytes");
        return true;
    }

    // __atomic_* and __c11_atomic_* are expressions of their own, not calls.
    bool VisitAtomicExpr(AtomicExpr* e) {
        reject(e->getBuiltinLoc(), "no-builtins",
               "atomic builtins bypass keel::Atomic (keel/ktl/atomic.h)");
        return true;
    }

    bool VisitCallExpr(CallExpr* call) {
        SourceLocation at = call->getBeginLoc();
        if (where_.trusted(at)) {
            check_adl_hijack(call);
            return true;
        }
        const FunctionDecl* callee = call->getDirectCallee();
        if (callee == nullptr) {
            return true;
        }
        if (unsigned id = callee->getBuiltinID()) {
            std::string name = context_.BuiltinInfo.getName(id).str();
            if (config_.allowed_builtins.count(name) == 0) {
                report_.report(at, "no-builtins",
                               "compiler builtin '" + name +
                                   "' is not on the gate's list of builtins that move no bytes");
            }
        }
        if (has_annotation(callee, owned_callable)) {
            check_owned_callables(call);
        }
        check_guarded_result(call, callee);
        OverloadedOperatorKind op = callee->getOverloadedOperator();
        if (op == OO_New || op == OO_Array_New || op == OO_Delete || op == OO_Array_Delete) {
            report_.report(at, "no-raw-allocation", "allocate through the framework (Box, RefPtr)");
        }
        if (const auto* member = dyn_cast<CXXMemberCallExpr>(call)) {
            if (isa<CXXDestructorDecl>(member->getMethodDecl())) {
                report_.report(at, "no-explicit-destructor",
                               "destroying an object by hand leaves it to be destroyed again");
            }
        }
        return true;
    }

    bool VisitCXXNewExpr(CXXNewExpr* e) {
        if (where_.trusted(e->getBeginLoc())) {
            return true;
        }
        if (e->getNumPlacementArgs() > 0) {
            report_.report(e->getBeginLoc(), "no-placement-new",
                           "placement new makes an object in storage of another type");
        } else {
            report_.report(e->getBeginLoc(), "no-raw-allocation",
                           "allocate through the framework (Box, RefPtr)");
        }
        return true;
    }

    bool VisitCXXDeleteExpr(CXXDeleteExpr* e) {
        reject(e->getBeginLoc(), "no-raw-allocation",
               "allocate through the framework (Box, RefPtr)");
        return true;
    }

    bool VisitDeclRefExpr(DeclRefExpr* e) {
        if (!where_.trusted(e->getLocation())) {
            check_named(e->getDecl(), e->getLocation());
            check_framework_only(e->getDecl(), e->getLocation());
        }
        return true;
    }

    bool VisitMemberExpr(MemberExpr* e) {
        SourceLocation at = e->getMemberLoc();
        if (where_.trusted(at)) {
            return true;
        }
        check_named(e->getMemberDecl(), at);
        check_framework_only(e->getMemberDecl(), at);
        if (const auto* field = dyn_cast<FieldDecl>(e->getMemberDecl())) {
            if (field->getParent()->isUnion()) {
                report_.report(at, "no-union",
                               "a union reads one member's bytes as another's type");
            }
        }
        return true;
    }

    bool VisitCXXConstructExpr(CXXConstructExpr* e) {
        if (!where_.trusted(e->getBeginLoc())) {
            check_framework_only(e->getConstructor(), e->getBeginLoc());
        }
        return true;
    }

    // --- types -----------------------------------------------------------------------------

    // The visitor walks a qualified type as its unqualified one (VisitTypeLoc never sees the
    // qualifiers), so they are checked here.
    bool TraverseQualifiedTypeLoc(QualifiedTypeLoc tl) {
        SourceLocation at = tl.getBeginLoc();
        if (!where_.trusted(at)) {
            Qualifiers local = tl.getType().getLocalQualifiers();
            if (local.hasRestrict()) {
                report_.report(at, "no-restrict",
                               "__restrict promises the optimizer what no check keeps: passing "
                               "aliasing pointers is undefined behaviour");
            }
            if (local.hasVolatile()) {
                report_.report(at, "no-volatile", "device registers are reached through IoMem");
            }
        }
        return RecursiveASTVisitor::TraverseQualifiedTypeLoc(tl);
    }

    bool VisitTypeLoc(TypeLoc tl) {
        SourceLocation at = tl.getBeginLoc();
        if (where_.trusted(at)) {
            return true;
        }
        const Type* t = tl.getTypePtr();
        if (const auto* tag = t->getAs<TagType>()) {
            check_named(tag->getDecl(), at);
            if (tag->getDecl()->isUnion() && tl.getTypeLocClass() != TypeLoc::Elaborated) {
                report_.report(at, "no-union",
                               "a union reads one member's bytes as another's type");
            }
        }
        if (const auto* typedef_type = dyn_cast<TypedefType>(t)) {
            check_named(typedef_type->getDecl(), at);
        }
        if (const auto* spec = dyn_cast<TemplateSpecializationType>(t)) {
            check_named(spec->getTemplateName().getAsTemplateDecl(), at);
        }
        if (isa<VectorType>(t) || isa<MatrixType>(t)) {
            report_.report(at, "no-vector-types", "vector element access is not bounds checked");
        }
        if (auto attributed = tl.getAs<AttributedTypeLoc>()) {
            if (const Attr* a = attributed.getAttr()) {
                check_attribute(a);
            } else {
                report_.report(at, "no-attributes", "a type attribute the gate cannot name");
            }
        }
        return true;
    }

    bool TraverseNestedNameSpecifierLoc(NestedNameSpecifierLoc nns) {
        for (NestedNameSpecifierLoc n = nns; n; n = n.getPrefix()) {
            SourceLocation at = n.getLocalBeginLoc();
            if (where_.trusted(at)) {
                continue;
            }
            const NestedNameSpecifier* spec = n.getNestedNameSpecifier();
            if (const NamespaceDecl* ns = spec->getAsNamespace()) {
                check_named(ns, at);
            } else if (const NamespaceAliasDecl* alias = spec->getAsNamespaceAlias()) {
                check_named(alias->getNamespace(), at);
            }
        }
        return RecursiveASTVisitor::TraverseNestedNameSpecifierLoc(nns);
    }

    // A capture that reaches outside the callable: by reference, `this`, or a copy of
    // something that points (a pointer or reference copied in, `[p = &local]`, or a view,
    // `[s = local.span()]`). Owning handles (RefPtr, Box) and owning containers are owned state.
    // The class a lambda's `this` points to (for [*this], which copies it).
    static QualType enclosing_class(const CXXRecordDecl* lambda_class) {
        if (lambda_class == nullptr) {
            return {};
        }
        // The innermost function or class around the lambda (and the lambdas it is nested in).
        const Decl* around = lambda_class->getNonClosureContext();
        if (const auto* method = dyn_cast_or_null<CXXMethodDecl>(around)) {
            return QualType(method->getParent()->getTypeForDecl(), 0);
        }
        if (const auto* record = dyn_cast_or_null<CXXRecordDecl>(around)) {
            return QualType(record->getTypeForDecl(), 0); // a default member initializer
        }
        return {};
    }

    bool refers_to_frame(const LambdaCapture& capture, const CXXRecordDecl* lambda_class) {
        if (capture.getCaptureKind() == LCK_ByRef || capture.getCaptureKind() == LCK_This) {
            return true;
        }
        if (capture.getCaptureKind() == LCK_StarThis) {
            // A copy of the object: owned state only if the object holds no pointer or view.
            QualType object = enclosing_class(lambda_class);
            return object.isNull() || !owned_state(object);
        }
        if (capture.capturesVariable()) {
            return !owned_state(capture.getCapturedVar()->getType());
        }
        return false;
    }

    bool owned_state(QualType t) {
        if (t.isNull()) {
            return true;
        }
        if (t->isReferenceType()) {
            return false;
        }
        std::string found;
        llvm::SmallPtrSet<const Type*, 16> seen;
        return pointer_free(t, seen, found, /*owners_own=*/true);
    }

    static bool is_callable_object(const CXXRecordDecl* record) {
        if (record == nullptr || !record->hasDefinition()) {
            return false;
        }
        for (const CXXMethodDecl* m : record->getDefinition()->methods()) {
            if (m->getOverloadedOperator() == OO_Call) {
                return true;
            }
        }
        return false;
    }

    // A function that keeps its callable beyond the call (spawn: a task runs it later) must not
    // get a callable that refers to the caller's frame: capturing by reference, `this`, a
    // pointer or a view would let the task write a dead frame. Owned state is captured by value
    // (moved in); a callable object other than a lambda must itself be owned state.
    void check_owned_callables(const CallExpr* call) {
        for (const Expr* arg : call->arguments()) {
            const Expr* e = arg->IgnoreImplicit();
            while (true) {
                if (const auto* m = dyn_cast<MaterializeTemporaryExpr>(e)) {
                    e = m->getSubExpr()->IgnoreImplicit();
                } else if (const auto* b = dyn_cast<CXXBindTemporaryExpr>(e)) {
                    e = b->getSubExpr()->IgnoreImplicit();
                } else if (const auto* c = dyn_cast<CXXConstructExpr>(e);
                           c != nullptr && c->getNumArgs() == 1 &&
                           c->getType()->getAsCXXRecordDecl() != nullptr &&
                           c->getType()->getAsCXXRecordDecl()->isLambda()) {
                    e = c->getArg(0)->IgnoreImplicit();
                } else {
                    break;
                }
            }
            if (const auto* lambda = dyn_cast<LambdaExpr>(e)) {
                for (const LambdaCapture& capture : lambda->captures()) {
                    if (refers_to_frame(capture, lambda->getLambdaClass())) {
                        SourceLocation at = capture.getLocation().isValid() ? capture.getLocation()
                                                                            : lambda->getBeginLoc();
                        report_.report(at, "no-reference-capture",
                                       "this callable outlives the call: capture owned state by "
                                       "value, not the caller's frame by reference or a view");
                    }
                }
                continue;
            }
            const CXXRecordDecl* record = e->getType()->getAsCXXRecordDecl();
            if (record != nullptr && record->isLambda()) {
                // A named lambda passed on: it is copied or moved.
                for (const LambdaCapture& capture : record->captures()) {
                    if (refers_to_frame(capture, record)) {
                        report_.report(arg->getBeginLoc(), "no-reference-capture",
                                       "this callable outlives the call and captures by "
                                       "reference or a view");
                        break;
                    }
                }
            } else if (is_callable_object(record) && !owned_state(e->getType())) {
                report_.report(arg->getBeginLoc(), "no-reference-capture",
                               "this callable object outlives the call and holds a pointer, "
                               "reference or view");
            } else if (e->getType()->isPointerType() &&
                       !e->getType()->getPointeeType()->isFunctionType()) {
                report_.report(arg->getBeginLoc(), "no-reference-capture",
                               "a pointer to a callable outlives the call");
            }
        }
    }

    // After the traversal: every use of a template that takes only pointer-free arguments
    // (UserPtr: user bytes become a T), wherever it was instantiated from.
    void check_pointer_free_uses() {
        for (const ClassTemplateDecl* t : pointer_free_templates_) {
            for (const ClassTemplateSpecializationDecl* s : t->specializations()) {
                for (const TemplateArgument& arg : s->getTemplateArgs().asArray()) {
                    if (arg.getKind() != TemplateArgument::Type) {
                        continue;
                    }
                    std::string found;
                    llvm::SmallPtrSet<const Type*, 16> seen;
                    llvm::SmallPtrSet<const Type*, 16> seen_bits;
                    if (!pointer_free(arg.getAsType(), seen, found) ||
                        !any_bytes_valid(arg.getAsType(), seen_bits, found)) {
                        SourceLocation at = s->getPointOfInstantiation();
                        report_.report(at.isValid() ? at : s->getLocation(),
                                       "no-pointers-from-user",
                                       t->getName().str() + "<" + arg.getAsType().getAsString() +
                                           ">: user bytes would become '" + found +
                                           "', a kernel pointer or reference, or a value "
                                           "not every byte pattern is valid for");
                    }
                }
            }
        }
    }

private:
    // A construct the gate rejects wherever checked code spells it.
    void reject(SourceLocation at, const char* rule, const char* why) {
        if (!where_.trusted(at)) {
            report_.report(at, rule, why);
        }
    }

    // A function that runs a callable under a guard and returns what it returns (Global::with
    // under its lock, PerCpu::with_local pinned to a CPU; gate.conf `guarded-callable`): a
    // reference, pointer or view returned from it reaches the guarded value after the guard is
    // gone. (A reference stored through a capture: check_guarded_captures.)
    void check_guarded_result(const CallExpr* call, const FunctionDecl* callee) {
        const FunctionDecl* pattern = callee->getTemplateInstantiationPattern();
        for (const FunctionDecl* p = pattern; p != nullptr;
             p = p->getTemplateInstantiationPattern()) {
            pattern = p;
        }
        if (pattern == nullptr) {
            pattern = callee;
        }
        if (config_.guarded_callables.count(pattern->getQualifiedNameAsString()) == 0) {
            return;
        }
        check_guarded_captures(call, pattern->getQualifiedNameAsString());
        std::string found;
        llvm::SmallPtrSet<const Type*, 16> seen;
        if (call->isGLValue()) {
            found = "a reference";
        } else if (!pointer_free(call->getType(), seen, found, /*owners_own=*/true)) {
            found = "'" + found + "'";
        } else {
            return;
        }
        report_.report(call->getBeginLoc(), "no-escaping-reference",
                       pattern->getQualifiedNameAsString() + " returns " + found +
                           " into the guarded value, which outlives the guard");
    }

    // The other way out of a guarded callable: storing the guarded value's address, or a view
    // of it, in a variable the lambda captured by reference (`[&p](T& v) { p = &v; }`), or in a
    // member through `this`. So a lambda given to a guarded callable captures by reference only
    // what holds no pointer, reference or view (counters, results, owning handles), and `this`
    // only of a class that holds none either. Views it only reads are captured by value.
    void check_guarded_captures(const CallExpr* call, const std::string& callee) {
        for (const Expr* arg : call->arguments()) {
            const Expr* e = arg->IgnoreImplicit();
            while (true) {
                if (const auto* m = dyn_cast<MaterializeTemporaryExpr>(e)) {
                    e = m->getSubExpr()->IgnoreImplicit();
                } else if (const auto* b = dyn_cast<CXXBindTemporaryExpr>(e)) {
                    e = b->getSubExpr()->IgnoreImplicit();
                } else {
                    break;
                }
            }
            const auto* lambda = dyn_cast<LambdaExpr>(e);
            if (lambda == nullptr) {
                continue;
            }
            for (const LambdaCapture& capture : lambda->captures()) {
                QualType held;
                if (capture.getCaptureKind() == LCK_This) {
                    held = enclosing_class(lambda->getLambdaClass());
                } else if (capture.getCaptureKind() == LCK_ByRef && capture.capturesVariable()) {
                    held = capture.getCapturedVar()->getType().getNonReferenceType();
                } else {
                    continue;
                }
                if (held.isNull() || owned_state(held)) {
                    continue;
                }
                SourceLocation at =
                    capture.getLocation().isValid() ? capture.getLocation() : lambda->getBeginLoc();
                report_.report(at, "no-escaping-reference",
                               "the callable given to " + callee + " captures '" +
                                   held.getAsString() +
                                   "' by reference: the guarded value's address could be kept "
                                   "there past the guard (capture views by value)");
            }
        }
    }

    // Framework templates call some functions unqualified (`swap(object_, other.object_)` in
    // RefPtr); argument-dependent lookup then also finds functions declared next to the
    // argument's type, so a services file could replace the framework's own helper inside
    // framework code (a swap that copies breaks RefPtr's reference count). Only the names the
    // framework means as customization points (gate.conf `adl-hook`, e.g. to_string) may be
    // found that way.
    void check_adl_hijack(const CallExpr* call) {
        if (!call->usesADL()) {
            return;
        }
        const FunctionDecl* callee = call->getDirectCallee();
        if (callee == nullptr || isa<CXXMethodDecl>(callee) ||
            !callee->getDeclName().isIdentifier()) {
            return;
        }
        const FunctionDecl* pattern = callee;
        if (const FunctionTemplateDecl* t = callee->getPrimaryTemplate()) {
            pattern = t->getTemplatedDecl();
        }
        if (where_.trusted(pattern->getLocation()) ||
            config_.adl_hooks.count(callee->getName().str()) != 0) {
            return;
        }
        report_.report(pattern->getLocation(), "no-adl-hijack",
                       "framework code calls '" + callee->getName().str() +
                           "' unqualified, and argument-dependent lookup would call this "
                           "declaration instead of the framework's");
    }

    static bool is_explicit_instantiation(TemplateSpecializationKind kind) {
        return kind == TSK_ExplicitInstantiationDeclaration ||
               kind == TSK_ExplicitInstantiationDefinition;
    }

    // Casts that reinterpret, whatever their spelling; the reason, or nullptr.
    static const char* reinterpreting(const CastExpr* c) {
        switch (c->getCastKind()) {
        case CK_BitCast:
        case CK_LValueBitCast:
        case CK_LValueToRValueBitCast:
        case CK_ReinterpretMemberPointer:
            return "the cast reads memory as another type (from void* or an unrelated pointer)";
        case CK_IntegralToPointer:
        case CK_PointerToIntegral:
            return "the cast turns numbers and pointers into each other";
        case CK_BaseToDerived:
        case CK_BaseToDerivedMemberPointer:
            return "an unchecked downcast trusts that the object is of the derived type";
        case CK_AddressSpaceConversion:
        case CK_ToUnion:
            return "the cast changes how memory is reached";
        default:
            return nullptr;
        }
    }
    static const char* kind_rule(const CastExpr* c) {
        switch (c->getCastKind()) {
        case CK_BaseToDerived:
        case CK_BaseToDerivedMemberPointer:
            return "no-downcast";
        case CK_IntegralToPointer:
        case CK_PointerToIntegral:
            return "no-pointer-integer-cast";
        default:
            return "no-void-pointer-cast";
        }
    }

    void check_attributes(const Decl* d) {
        for (const Attr* a : d->attrs()) {
            if (!a->isImplicit() && !a->isInherited()) {
                check_attribute(a);
            }
        }
    }

    void check_attribute(const Attr* a) {
        if (where_.trusted(a->getLocation())) {
            return;
        }
        if (isa<AsmLabelAttr>(a)) {
            report_.report(a->getLocation(), "no-asm-label",
                           "an asm label names a symbol the public headers do not declare");
            return;
        }
        if (a->isImplicit() || a->isKeywordAttribute()) {
            return; // made by the compiler, or override/final/alignas: nothing hidden
        }
        std::string name = a->getAttrName() != nullptr ? a->getNormalizedFullName()
                                                       : std::string(a->getSpelling());
        if (config_.allowed_attributes.count(name) == 0) {
            report_.report(a->getLocation(), "no-attributes",
                           "attribute '" + name +
                               "' may place, alias, hide or retype code or data (not on the gate's "
                               "list)");
        }
    }

    // Declarations written at namespace scope must be in a namespace their folder owns.
    void check_namespace(const Decl* d) {
        if (isa<NamespaceDecl>(d) || isa<UsingDirectiveDecl>(d) || isa<StaticAssertDecl>(d) ||
            isa<ParmVarDecl>(d) || isa<TemplateTypeParmDecl>(d) ||
            isa<NonTypeTemplateParmDecl>(d) || isa<TemplateTemplateParmDecl>(d) ||
            isa<EmptyDecl>(d) || isa<LinkageSpecDecl>(d) || isa<FileScopeAsmDecl>(d)) {
            return;
        }
        const DeclContext* lexical = d->getLexicalDeclContext();
        if (lexical == nullptr || !lexical->getRedeclContext()->isFileContext()) {
            return; // a member, a local or a template parameter: its owner was checked
        }
        if (const auto* fn = dyn_cast<FunctionDecl>(d)) {
            // The framework's calls into the services (keel_main): declared there, annotated,
            // and defined here.
            // Only the framework's own declaration counts: a redeclaration here carrying the
            // annotation must not exempt itself.
            const FunctionDecl* first = fn->getFirstDecl();
            if (first != fn && where_.trusted(first->getLocation()) &&
                own_annotation(first, defined_by_services)) {
                return;
            }
        }
        if (d->getFriendObjectKind() != Decl::FOK_None) {
            return;
        }
        std::string ns = namespace_of(d->getDeclContext());
        std::string file = where_.relative_file(d->getLocation());
        const Config::Owner* owner = config_.owner_of(file);
        if (owner != nullptr) {
            for (const std::string& mine : owner->namespaces) {
                if (within(ns, mine)) {
                    return;
                }
            }
        }
        std::string owned =
            owner ? owner->prefix + " owns" : "this file's folder owns no namespace;";
        if (owner != nullptr) {
            for (const std::string& mine : owner->namespaces) {
                owned += " " + mine;
            }
        }
        report_.report(d->getLocation(), "no-foreign-namespace",
                       "a declaration in '" +
                           (ns.empty() ? std::string("the global namespace") : ns) + "', which " +
                           (file.empty() ? std::string("this file") : file) + " does not own (" +
                           owned + ")");
    }

    // Checked code may not name anything in the framework's plumbing namespaces.
    void check_named(const Decl* target, SourceLocation at) {
        if (target == nullptr) {
            return;
        }
        std::string ns = isa<NamespaceDecl>(target) ? namespace_of(cast<NamespaceDecl>(target))
                                                    : namespace_of(target->getDeclContext());
        for (const std::string& forbidden : config_.forbidden_names) {
            if (within(ns, forbidden)) {
                report_.report(at, "no-framework-detail",
                               forbidden + " is the framework's own plumbing");
                return;
            }
        }
    }

    void check_framework_only(const Decl* target, SourceLocation at) {
        if (has_annotation(target, framework_only)) {
            const auto* named = dyn_cast<NamedDecl>(target);
            report_.report(at, "no-framework-only",
                           (named ? named->getQualifiedNameAsString() : std::string("this")) +
                               " is the framework's alone (handles come from device and DMA "
                               "objects)");
        }
    }

    void check_volatile(QualType t, SourceLocation at) {
        for (int depth = 0; depth < 8 && !t.isNull(); ++depth) {
            if (t.isVolatileQualified()) {
                report_.report(at, "no-volatile", "device registers are reached through IoMem");
                return;
            }
            if (t->isPointerType() || t->isReferenceType()) {
                t = t->getPointeeType();
            } else if (const ArrayType* a = context_.getAsArrayType(t)) {
                t = a->getElementType();
            } else {
                return;
            }
        }
    }

    // Template arguments of a specialization are not access checked (C++20): a private
    // member named there is reached from outside its class.
    void check_specialization_arguments(llvm::ArrayRef<TemplateArgument> args, SourceLocation at) {
        for (const TemplateArgument& arg : args) {
            const ValueDecl* target = nullptr;
            if (arg.getKind() == TemplateArgument::Declaration) {
                target = arg.getAsDecl();
            } else if (arg.getKind() == TemplateArgument::Expression) {
                const Expr* e = arg.getAsExpr()->IgnoreParenImpCasts();
                if (const auto* unary = dyn_cast<UnaryOperator>(e)) {
                    e = unary->getSubExpr()->IgnoreParenImpCasts();
                }
                if (const auto* ref = dyn_cast<DeclRefExpr>(e)) {
                    target = ref->getDecl();
                }
            } else if (arg.getKind() == TemplateArgument::Pack) {
                check_specialization_arguments(arg.pack_elements(), at);
            }
            if (target != nullptr && target->getAccess() != AS_public &&
                target->getAccess() != AS_none) {
                report_.report(at, "no-private-access",
                               "a specialization's argument names the non-public member '" +
                                   target->getQualifiedNameAsString() + "'");
            }
        }
    }

    // With owners_own, an owning handle (gate.conf `owning-handle`: RefPtr, Box) counts as
    // pointer-free (what it points to lives as long as it), and a container that owns its
    // elements (`owning-container`: Vector) as pointer-free when its element types are.
    // Every byte pattern is a valid value of t: no bool (only 0 and 1 are) and no enum without
    // a fixed underlying type (only its range is), however deep.
    bool any_bytes_valid(QualType t, llvm::SmallPtrSet<const Type*, 16>& seen, std::string& found) {
        t = t.getCanonicalType();
        if (t->isBooleanType()) {
            found = "bool";
            return false;
        }
        if (const auto* e = t->getAs<EnumType>()) {
            if (!e->getDecl()->isFixed()) {
                found = t.getAsString();
                return false;
            }
            return true;
        }
        if (!seen.insert(t.getTypePtr()).second) {
            return true;
        }
        if (const ArrayType* a = context_.getAsArrayType(t)) {
            return any_bytes_valid(a->getElementType(), seen, found);
        }
        const CXXRecordDecl* record = t->getAsCXXRecordDecl();
        if (record == nullptr || !record->hasDefinition()) {
            return true;
        }
        record = record->getDefinition();
        for (const CXXBaseSpecifier& base : record->bases()) {
            if (!any_bytes_valid(base.getType(), seen, found)) {
                return false;
            }
        }
        for (const FieldDecl* f : record->fields()) {
            if (!any_bytes_valid(f->getType(), seen, found)) {
                return false;
            }
        }
        return true;
    }

    bool pointer_free(QualType t, llvm::SmallPtrSet<const Type*, 16>& seen, std::string& found,
                      bool owners_own = false) {
        t = t.getCanonicalType();
        if (owners_own) {
            const CXXRecordDecl* record = t->getAsCXXRecordDecl();
            const auto* spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(record);
            if (record != nullptr) {
                std::string name = spec != nullptr
                                       ? spec->getSpecializedTemplate()->getQualifiedNameAsString()
                                       : record->getQualifiedNameAsString();
                if (config_.owning_handles.count(name) != 0) {
                    return true;
                }
                if (spec != nullptr && config_.owning_containers.count(name) != 0) {
                    for (const TemplateArgument& arg : spec->getTemplateArgs().asArray()) {
                        if (arg.getKind() == TemplateArgument::Type &&
                            !pointer_free(arg.getAsType(), seen, found, owners_own)) {
                            return false;
                        }
                    }
                    return true;
                }
            }
        }
        if (t->isPointerType() || t->isReferenceType() || t->isMemberPointerType() ||
            t->isNullPtrType() || t->isFunctionType() || t->isBlockPointerType()) {
            found = t.getAsString();
            return false;
        }
        if (!seen.insert(t.getTypePtr()).second) {
            return true;
        }
        if (const ArrayType* a = context_.getAsArrayType(t)) {
            return pointer_free(a->getElementType(), seen, found, owners_own);
        }
        const CXXRecordDecl* record = t->getAsCXXRecordDecl();
        if (record == nullptr || !record->hasDefinition()) {
            return true;
        }
        record = record->getDefinition();
        for (const CXXBaseSpecifier& base : record->bases()) {
            if (!pointer_free(base.getType(), seen, found, owners_own)) {
                return false;
            }
        }
        for (const FieldDecl* f : record->fields()) {
            if (!pointer_free(f->getType(), seen, found, owners_own)) {
                return false;
            }
        }
        return true;
    }

    // A constant's type reaches nothing mutable: every pointer or reference in it (its fields,
    // its bases, what those point to) is to const, except through the framework's types for
    // shared state (gate.conf `shared-state`: Global, Atomic, ...), which guard their own.
    bool deeply_const(QualType t, llvm::SmallPtrSet<const Type*, 16>& seen, std::string& found) {
        t = t.getCanonicalType();
        if (t->isPointerType() || t->isReferenceType()) {
            QualType pointee = t->getPointeeType();
            if (pointee->isFunctionType()) {
                return true;
            }
            if (!pointee.isConstQualified()) {
                found = t.getAsString();
                return false;
            }
            return deeply_const(pointee, seen, found);
        }
        if (!seen.insert(t.getTypePtr()).second) {
            return true;
        }
        if (const ArrayType* a = context_.getAsArrayType(t)) {
            return deeply_const(a->getElementType(), seen, found);
        }
        const CXXRecordDecl* record = t->getAsCXXRecordDecl();
        if (record == nullptr || !record->hasDefinition()) {
            return true;
        }
        const auto* spec = dyn_cast<ClassTemplateSpecializationDecl>(record);
        std::string name = spec != nullptr
                               ? spec->getSpecializedTemplate()->getQualifiedNameAsString()
                               : record->getQualifiedNameAsString();
        if (config_.shared_state.count(name) != 0) {
            return true;
        }
        record = record->getDefinition();
        for (const CXXBaseSpecifier& base : record->bases()) {
            if (!deeply_const(base.getType(), seen, found)) {
                return false;
            }
        }
        for (const FieldDecl* f : record->fields()) {
            if (!deeply_const(f->getType(), seen, found)) {
                return false;
            }
        }
        return true;
    }

    ASTContext& context_;
    const Locations& where_;
    const Config& config_;
    Reporter& report_;
    std::vector<const ClassTemplateDecl*> pointer_free_templates_;
};

} // namespace

void check_translation_unit(ASTContext& context, const Locations& where, Reporter& report) {
    Checker checker(context, where, report);
    checker.TraverseDecl(context.getTranslationUnitDecl());
    checker.check_pointer_free_uses();
}

} // namespace keel_gate
