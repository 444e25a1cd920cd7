// The gate's rules on the preprocessor, which the AST no longer shows: includes, pragmas,
// conditionals on the architecture, line directives, macros that would change what a
// framework macro expands to, and token sequences the AST does not keep (an explicit
// instantiation of a function, GNU attribute syntax).
#include "gate.h"

#include <clang/Basic/CharInfo.h>
#include <clang/Basic/IdentifierTable.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/MacroInfo.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>

#include <cstring>
#include <memory>

namespace keel_gate {
namespace {

using namespace clang;

class Rules : public PPCallbacks {
public:
    Rules(Preprocessor& pp, const Locations& where, Reporter& report)
        : pp_(pp), where_(where), report_(report) {}

    void InclusionDirective(SourceLocation hash, const Token&, StringRef name, bool,
                            CharSourceRange range, OptionalFileEntryRef file, StringRef, StringRef,
                            const Module*, SrcMgr::CharacteristicKind) override {
        if (where_.trusted(hash)) {
            return;
        }
        if (!file) {
            return; // FileNotFound said what there is to say
        }
        std::string path = Locations::real_path(file->getFileEntry());
        const Config& config = where_.config();
        for (const std::string& prefix : config.includable) {
            if (llvm::StringRef(path).startswith(config.root + prefix)) {
                return;
            }
        }
        report_.report(range.getBegin(), "no-private-includes",
                       "'" + name.str() +
                           "': only <keel/...> (framework/include) and services/drivers headers "
                           "may be included");
    }

    // A header outside the include path stops the compiler at once (before InclusionDirective
    // runs); name the rule when it looks like a reach into the framework's private headers.
    bool FileNotFound(StringRef name) override {
        if (name.contains("../") || name.startswith("arch/") || name.contains("framework/")) {
            report_.report({}, "no-private-includes",
                           "'" + name.str() + "' is not a public framework header");
        }
        return false;
    }

    void PragmaDirective(SourceLocation at, PragmaIntroducerKind) override {
        if (!where_.trusted(at) && !is_pragma_once(at)) {
            report_.report(at, "no-pragmas", "pragmas could switch the gate or a warning off");
        }
    }

    // `#pragma once` (written as a directive, alone on its line) only guards a header.
    bool is_pragma_once(SourceLocation at) const {
        const SourceManager& sm = where_.sources();
        if (at.isMacroID()) {
            return false; // _Pragma from a macro
        }
        bool invalid = false;
        const char* text = sm.getCharacterData(at, &invalid);
        if (invalid) {
            return false;
        }
        llvm::StringRef line(text, strcspn(text, "\n"));
        line = line.trim();
        if (!line.consume_front("#")) {
            return false;
        }
        line = line.ltrim();
        if (!line.consume_front("pragma")) {
            return false;
        }
        return line.trim() == "once";
    }

    void FileChanged(SourceLocation at, FileChangeReason reason, SrcMgr::CharacteristicKind,
                     FileID) override {
        if (reason == RenameFile && !where_.trusted(at)) {
            report_.report(at, "no-line-directives",
                           "a line directive would make code look as if written elsewhere");
        }
    }

    void Ifdef(SourceLocation at, const Token& name, const MacroDefinition& macro) override {
        check_conditional(at, name.getIdentifierInfo()->getName());
        check_checked_macro_in_framework(name, macro);
    }
    void Ifndef(SourceLocation at, const Token& name, const MacroDefinition& macro) override {
        check_conditional(at, name.getIdentifierInfo()->getName());
        check_checked_macro_in_framework(name, macro);
    }
    void Defined(const Token& name, const MacroDefinition& macro, SourceRange range) override {
        check_conditional(name.getLocation(), name.getIdentifierInfo()->getName());
        check_checked_macro_in_framework(name, macro);
    }

    // A macro checked code defines, expanded (or tested) inside a framework header included
    // after it: the header's trusted text would say what the services file wants (a
    // `friend struct DmaAccess;` naming the file's own type, an annotation renamed away).
    void MacroExpands(const Token& name, const MacroDefinition& macro, SourceRange,
                      const MacroArgs*) override {
        check_checked_macro_in_framework(name, macro);
    }
    void If(SourceLocation at, SourceRange condition, ConditionValueKind) override {
        check_condition_text(at, condition);
    }
    void Elif(SourceLocation at, SourceRange condition, ConditionValueKind,
              SourceLocation) override {
        check_condition_text(at, condition);
    }

    void MacroDefined(const Token& name, const MacroDirective* directive) override {
        SourceLocation at = name.getLocation();
        if (where_.trusted(at)) {
            // Remember what the framework's macros expand to: checked code may not redefine
            // those words and so change a trusted expansion.
            if (const MacroInfo* info = directive->getMacroInfo()) {
                for (const Token& t : info->tokens()) {
                    if (const IdentifierInfo* id = t.getIdentifierInfo()) {
                        framework_macro_words_.insert(id->getName().str());
                    }
                }
            }
            framework_macros_.insert(name.getIdentifierInfo()->getName().str());
            return;
        }
        check_macro_name(name, "defining");
    }

    void MacroUndefined(const Token& name, const MacroDefinition&, const MacroDirective*) override {
        if (!where_.trusted(name.getLocation())) {
            check_macro_name(name, "undefining");
        }
    }

    // Every token the parser sees, after macro expansion.
    void on_token(const Token& token) {
        SourceLocation at = token.getLocation();
        if (pending_template_.isValid()) {
            if (!token.is(tok::less)) {
                report_.report(pending_template_, "no-explicit-instantiation",
                               "an explicit instantiation skips access checks on its arguments");
            }
            pending_template_ = SourceLocation();
        }
        bool trusted = where_.trusted(at);
        if (!trusted && token.is(tok::kw_template) &&
            !(previous_.is(tok::coloncolon) || previous_.is(tok::period) ||
              previous_.is(tok::arrow))) {
            pending_template_ = at;
        }
        if (!trusted && (token.is(tok::kw___attribute) || token.is(tok::kw___declspec))) {
            report_.report(at, "no-gnu-attributes",
                           "GNU attribute syntax is not checked; write [[...]] attributes");
        }
        previous_ = token;
    }

private:
    void check_checked_macro_in_framework(const Token& name, const MacroDefinition& macro) {
        const MacroInfo* info = macro.getMacroInfo();
        if (info == nullptr || info->isBuiltinMacro() || !where_.trusted(name.getLocation()) ||
            where_.trusted(info->getDefinitionLoc())) {
            return;
        }
        std::string word = name.getIdentifierInfo()->getName().str();
        report_.report(info->getDefinitionLoc(), "no-macro-into-framework",
                       "'" + word +
                           "' is defined here and then used by a framework header included "
                           "later, changing the framework's own code; include framework "
                           "headers first or rename the macro");
    }

    void check_conditional(SourceLocation at, llvm::StringRef macro) {
        if (where_.trusted(at)) {
            return;
        }
        for (const std::string& arch : where_.config().arch_macros) {
            if (macro == arch ||
                (arch.back() == '*' && macro.startswith(llvm::StringRef(arch).drop_back()))) {
                report_.report(at, "no-arch-conditionals",
                               "services and drivers build unchanged for every architecture ('" +
                                   macro.str() + "')");
                return;
            }
        }
    }

    void check_condition_text(SourceLocation at, SourceRange condition) {
        if (where_.trusted(at)) {
            return;
        }
        StringRef text = Lexer::getSourceText(CharSourceRange::getTokenRange(condition),
                                              pp_.getSourceManager(), pp_.getLangOpts());
        // Words of the condition as written (defined() is seen by Defined above as well).
        size_t i = 0;
        while (i < text.size()) {
            if (isAsciiIdentifierStart(text[i])) {
                size_t j = i;
                while (j < text.size() && isAsciiIdentifierContinue(text[j])) {
                    ++j;
                }
                check_conditional(at, text.slice(i, j));
                i = j;
            } else {
                ++i;
            }
        }
    }

    void check_macro_name(const Token& name, const char* what) {
        const IdentifierInfo* id = name.getIdentifierInfo();
        std::string word = id->getName().str();
        if (id->isKeyword(pp_.getLangOpts())) {
            report_.report(name.getLocation(), "no-macro-shadowing",
                           std::string(what) + " the keyword '" + word + "' as a macro");
        } else if (framework_macros_.count(word) || framework_macro_words_.count(word)) {
            report_.report(name.getLocation(), "no-macro-shadowing",
                           std::string(what) + " '" + word +
                               "' would change what a framework macro expands to");
        }
    }

    Preprocessor& pp_;
    const Locations& where_;
    Reporter& report_;
    std::set<std::string> framework_macros_;
    std::set<std::string> framework_macro_words_;
    SourceLocation pending_template_;
    Token previous_{};
};

} // namespace

void watch_preprocessor(Preprocessor& pp, const Locations& where, Reporter& report) {
    auto rules = std::make_unique<Rules>(pp, where, report);
    Rules* raw = rules.get();
    pp.addPPCallbacks(std::move(rules));
    pp.setTokenWatcher([raw](const Token& token) { raw->on_token(token); });
}

} // namespace keel_gate
