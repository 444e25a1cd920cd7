/* The symbol table of the first link pass: empty. scripts/gen-ksyms.sh writes the real one in
 * the same format, and the second link pass places it in the same section. */
    .section .ksyms, "a"
    .balign 8
    .globl keel_ksyms
keel_ksyms:
    .quad 0
