// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-arch-conditionals
#ifdef __riscv
int riscv_only;
#endif
