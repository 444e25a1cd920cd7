// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-union
union U { int i; float f; };
float f(U u) { return u.f; }
