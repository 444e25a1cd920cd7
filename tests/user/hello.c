// Prints "hello from <machine>" and exits 0: the smallest program Keel can run
// (`./keel run --initrd build/user/ARCH/hello.cpio -- init=/hello`). Built -static as /hello and
// -static-pie as /hello-pie.
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    if (uname(&u) != 0) {
        perror("uname");
        return 1;
    }
    printf("hello from %s\n", u.machine);
    return fflush(stdout) == 0 ? 0 : 1;
}
