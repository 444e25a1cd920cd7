// What execve hands a new program: argc/argv and envp exactly as the runner (init) passed them,
// laid out as Linux does (envp right after argv's NULL, auxv right after envp's NULL), and the
// auxiliary vector's entries. Built twice: -static (/tests/argv_envp_auxv, an ET_EXEC) and
// -static-pie (/tests/argv_envp_auxv_pie, an ET_DYN loaded at a base of the kernel's choosing).
#include "check.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

#ifdef KEEL_PIE
#define SELF "/tests/argv_envp_auxv_pie"
#define SELF_TYPE ET_DYN
#else
#define SELF "/tests/argv_envp_auxv"
#define SELF_TYPE ET_EXEC
#endif

// The linker defines __ehdr_start at the executable's ELF header when the headers are mapped
// (both -static and -static-pie), so the program can find its own program headers independently
// of what the kernel says.
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));
extern char _start[];

// getauxval with an errno check: glibc sets ENOENT when the entry is absent.
static unsigned long auxval(unsigned long type, int* present) {
    errno = 0;
    unsigned long v = getauxval(type);
    *present = errno == 0;
    return v;
}

#define CHECK_AUX_EQ(type, expected)                                                               \
    do {                                                                                           \
        int present_;                                                                              \
        unsigned long v_ = auxval(type, &present_);                                                \
        CHECK(present_&& #type " is present");                                                     \
        CHECK_EQ(v_, (expected));                                                                  \
    } while (0)

static void check_argv_envp(int argc, char** argv, char** envp) {
    static const char* const extra[] = {TEST_ARGV_EXTRA};
    const int nextra = (int)(sizeof extra / sizeof extra[0]);

    CHECK_EQ(argc, 1 + nextra);
    CHECK(argv[argc] == NULL);
    CHECK(argv[0] != NULL && strcmp(argv[0], test_path(SELF)) == 0);
    for (int i = 0; i < nextra && i + 1 < argc; i++) {
        if (!CHECK(argv[i + 1] != NULL && strcmp(argv[i + 1], extra[i]) == 0))
            fprintf(stderr, "  argv[%d] is \"%s\", expected \"%s\"\n", i + 1,
                    argv[i + 1] ? argv[i + 1] : "(null)", extra[i]);
    }

    // envp: the fixed list, then KEEL_TEST_ROOT and KEEL_TEST_EXEC when this is a host run.
    static const char* const fixed[] = {TEST_ENV_FIXED};
    const int nfixed = (int)(sizeof fixed / sizeof fixed[0]);
    const char* expected[8];
    char root[4096], exec[4096];
    int n = 0;
    for (int i = 0; i < nfixed; i++)
        expected[n++] = fixed[i];
    if (getenv("KEEL_TEST_ROOT")) {
        snprintf(root, sizeof root, "KEEL_TEST_ROOT=%s", getenv("KEEL_TEST_ROOT"));
        expected[n++] = root;
    }
    if (getenv("KEEL_TEST_EXEC")) {
        snprintf(exec, sizeof exec, "KEEL_TEST_EXEC=%s", getenv("KEEL_TEST_EXEC"));
        expected[n++] = exec;
    }
    int count = 0;
    while (envp[count])
        count++;
    CHECK_EQ(count, n);
    // qemu-user (7.2) hands its guest the environment in reverse order (it builds a list by
    // prepending); Linux keeps execve's order. Accept the reverse only on a qemu-user host run.
    int reversed = getenv("KEEL_TEST_EXEC") != NULL && count == n;
    for (int i = 0; reversed && i < n; i++)
        reversed = strcmp(envp[i], expected[n - 1 - i]) == 0;
    for (int i = 0; !reversed && i < n && i < count; i++) {
        if (!CHECK(strcmp(envp[i], expected[i]) == 0))
            fprintf(stderr, "  envp[%d] is \"%s\", expected \"%s\"\n", i, envp[i], expected[i]);
    }
    for (int i = n; i < count; i++)
        fprintf(stderr, "  unexpected envp[%d] \"%s\"\n", i, envp[i]);

    // Linux's initial stack: argc, argv[], NULL, envp[], NULL, auxv.
    CHECK(envp == argv + argc + 1);
}

// The auxiliary vector as the kernel left it on the stack, right after envp's NULL.
typedef ElfW(auxv_t) auxv_entry;

static const auxv_entry* stack_auxv(char** envp) {
    char** p = envp;
    while (*p)
        p++;
    return (const auxv_entry*)(p + 1);
}

static int stack_auxval(char** envp, unsigned long type, unsigned long* value) {
    for (const auxv_entry* av = stack_auxv(envp); av->a_type != AT_NULL; av++) {
        if (av->a_type == type) {
            *value = av->a_un.a_val;
            return 1;
        }
    }
    return 0;
}

static void check_auxv(char** envp, const char* argv0) {
    // Walk the vector and compare it with glibc's view.
    const auxv_entry* av = stack_auxv(envp);
    int entries = 0, seen_pagesz = 0;
    for (; av->a_type != AT_NULL && entries < 256; av++, entries++) {
        if (av->a_type == AT_PAGESZ)
            seen_pagesz++;
        // glibc's getauxval(AT_HWCAP) on x86_64 answers its own HWCAP_X86_64 bits, not the
        // kernel's entry: compare that one on the stack only.
        if (av->a_type == AT_IGNORE || av->a_type == AT_HWCAP || av->a_type == AT_HWCAP2)
            continue;
        int present;
        unsigned long v = auxval(av->a_type, &present);
        if (!present || v != av->a_un.a_val) {
            // glibc keeps the first of duplicated entries; Linux never duplicates them.
            CHECK(present && v == av->a_un.a_val && "getauxval agrees with the auxv on the stack");
            fprintf(stderr, "  auxv type %lu: stack 0x%lx, getauxval 0x%lx\n",
                    (unsigned long)av->a_type, (unsigned long)av->a_un.a_val, v);
        }
    }
    CHECK(av->a_type == AT_NULL && "auxv ends with AT_NULL");
    CHECK_EQ(seen_pagesz, 1);

    CHECK_AUX_EQ(AT_PAGESZ, 4096);
    CHECK_AUX_EQ(AT_CLKTCK, 100);
    CHECK_AUX_EQ(AT_SECURE, 0);
    CHECK_AUX_EQ(AT_UID, getuid());
    CHECK_AUX_EQ(AT_EUID, geteuid());
    CHECK_AUX_EQ(AT_GID, getgid());
    CHECK_AUX_EQ(AT_EGID, getegid());
    CHECK_AUX_EQ(AT_ENTRY, (unsigned long)_start);
    // No program interpreter: AT_BASE is 0 for -static and -static-pie alike.
    CHECK_AUX_EQ(AT_BASE, 0);

    // The program headers, found through our own ELF header.
    const ElfW(Ehdr)* eh = &__ehdr_start;
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
    CHECK_EQ(eh->e_type, SELF_TYPE);
    CHECK_AUX_EQ(AT_PHDR, (unsigned long)eh + eh->e_phoff);
    CHECK_AUX_EQ(AT_PHNUM, eh->e_phnum);
    CHECK_AUX_EQ(AT_PHENT, eh->e_phentsize);
    CHECK_EQ(eh->e_phentsize, sizeof(ElfW(Phdr)));
    // AT_ENTRY is e_entry moved by the load bias; the bias is where the header sits minus the
    // vaddr of the first PT_LOAD (which maps the header at file offset 0).
    const ElfW(Phdr)* ph = (const ElfW(Phdr)*)((const char*)eh + eh->e_phoff);
    unsigned long first_load = ~0ul;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first_load)
            first_load = ph[i].p_vaddr;
    }
    CHECK(first_load != ~0ul);
    unsigned long bias = (unsigned long)eh - first_load;
    if (SELF_TYPE == ET_EXEC)
        CHECK_EQ(bias, 0);
    else
        CHECK(bias != 0 && bias % 4096 == 0);
    CHECK_EQ(getauxval(AT_ENTRY), eh->e_entry + bias);

    // AT_RANDOM: 16 readable bytes, not all zero.
    int present;
    const unsigned char* rnd = (const unsigned char*)auxval(AT_RANDOM, &present);
    CHECK(present && rnd != NULL);
    if (rnd) {
        unsigned any = 0;
        for (int i = 0; i < 16; i++)
            any |= rnd[i];
        CHECK(any != 0 && "AT_RANDOM bytes are not all zero");
    }

    // AT_EXECFN: the path the program was executed by.
    const char* execfn = (const char*)auxval(AT_EXECFN, &present);
    CHECK(present && execfn != NULL);
    if (execfn && !CHECK(strcmp(execfn, argv0) == 0))
        fprintf(stderr, "  AT_EXECFN is \"%s\", argv[0] \"%s\"\n", execfn, argv0);

    // AT_HWCAP: present and non-zero on all three (x86 CPUID.1:EDX, aarch64 FP|ASIMD, riscv
    // the base ISA letters).
    unsigned long hwcap = 0;
    auxval(AT_HWCAP, &present);
    CHECK(present && "AT_HWCAP is present");
    CHECK(stack_auxval(envp, AT_HWCAP, &hwcap) && "AT_HWCAP is on the stack");
    CHECK(hwcap != 0);

    // An absent entry reads as 0 with ENOENT (glibc), so the errno checks above mean something.
    auxval(0x7fffffff, &present);
    CHECK(!present);
}

int main(int argc, char** argv, char** envp) {
    check_argv_envp(argc, argv, envp);
    check_auxv(envp, argv[0]);
    return check_result();
}
