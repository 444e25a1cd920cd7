#include "services/kernel/init.h"

#include <keel/clock.h>
#include <keel/initrd.h>
#include <keel/log.h>
#include <keel/power.h>
#include <keel/task.h>

#include "linux_abi.h"
#include "services/exec/exec.h"
#include "services/fs/file.h"
#include "services/initramfs/unpack.h"
#include "services/proc/system.h"

namespace keel::services {

namespace {

constexpr u32 console_rdev = (5 << 8) | 1;
constexpr u32 o_rdwr = 2;

[[noreturn]] void fail(StringView why, Errno error) {
    log::error("init: {} ({})", why, error);
    power_off(1);
}

Result<Box<fs::Ramfs>> make_root() {
    Box<fs::Ramfs> root = TRY(fs::Ramfs::create());
    TRY(root->create("/dev", fs::mode_directory | 0755));
    RefPtr<fs::Inode> console = TRY(root->create("/dev/console", fs::mode_char_device | 0600));
    console->rdev = console_rdev;
    TRY(root->create("/root", fs::mode_directory | 0700));
    return root;
}

// The words of `text`, split at spaces.
Result<void> split_words(StringView text, Vector<String>& out) {
    usize start = 0;
    for (usize i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ' ') {
            if (i > start) {
                TRY(out.push_back(TRY(String::from(text.substr(start, i - start)))));
            }
            start = i + 1;
        }
    }
    return {};
}

Result<RefPtr<proc::Process>> start_init(proc::System& system, StringView path,
                                         const CommandLine& cmdline) {
    RefPtr<fs::Inode> inode = TRY(system.root().lookup(path));
    if (!inode->is_regular() || (inode->mode() & 0111) == 0) {
        return Errno::eacces;
    }
    Vector<String> argv;
    TRY(argv.push_back(TRY(String::from(path))));
    TRY(split_words(cmdline.init_arguments(), argv));
    Vector<String> envp; // Linux's envp_init
    TRY(envp.push_back(TRY(String::from("HOME=/"))));
    TRY(envp.push_back(TRY(String::from("TERM=linux"))));
    exec::Program program = TRY(exec::load(inode->data(), path, argv.span(), envp.span()));

    RefPtr<proc::Process> init = TRY(system.new_process(0));
    init->memory = move(program.memory);
    init->thread = move(program.thread);
    init->set_comm(path);
    // As Linux's console_on_rootfs: /dev/console opened once, then duplicated onto 1 and 2.
    RefPtr<fs::File> console = TRY(make_ref<fs::ConsoleFile>());
    console->flags = o_rdwr | abi::open_flags.largefile;
    for (i32 fd = 0; fd < 3; ++fd) {
        TRY(init->files.add(console, false));
    }
    TRY(proc::start(init));
    return init;
}

} // namespace

void run_init(const CommandLine& cmdline) {
    Result<Box<fs::Ramfs>> root = make_root();
    if (root.is_error()) {
        fail("cannot make the root filesystem", root.error());
    }
    Bytes archive = initrd::contents();
    if (archive.empty()) {
        log::info("initramfs: none given");
    } else {
        Result<initramfs::UnpackReport> unpacked = initramfs::unpack(archive, *root.value());
        if (unpacked.ok()) {
            log::info("initramfs: unpacked {} entries ({} KiB)", unpacked.value().entries,
                      archive.size() / 1024);
        } // a damaged archive was logged; what came before the damage is kept
    }

    Result<u64> wall = clock::wall_clock_seconds();
    u64 now = clock::monotonic_ns();
    u64 wall_ns = wall.ok() ? wall.value() * 1000000000 : 0;
    Result<Box<proc::System>> made =
        make_box<proc::System>(move(root.value()), wall_ns > now ? wall_ns - now : 0);
    if (made.is_error()) {
        fail("out of memory", made.error());
    }
    proc::System& system = *made.value();
    system.trace_syscalls = cmdline.has("keel.strace");

    // rdinit= names the initramfs's program, init= the root's; with only an initramfs both
    // mean PID 1. Without either, /init, then the places Linux tries.
    Optional<StringView> named = cmdline.value("rdinit");
    named = named ? named : cmdline.value("init");
    const Array<StringView, 5> fallbacks{
        {"/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh"}};
    Result<RefPtr<proc::Process>> started = Errno::enoent;
    if (named) {
        started = start_init(system, *named, cmdline);
        if (started.is_error()) {
            fail("cannot run the requested init program", started.error());
        }
    } else {
        for (StringView path : fallbacks) {
            started = start_init(system, path, cmdline);
            if (started.ok() || started.error() != Errno::enoent) {
                break;
            }
        }
        if (started.is_error()) {
            fail("no init found (tried /init, /sbin/init, /etc/init, /bin/init, /bin/sh); pass "
                 "rdinit= or init=",
                 started.error());
        }
    }
    log::info("init: started {} as pid {}", started.value()->comm.view(), started.value()->pid);
    // The boot task's work is done; PID 1's exit powers the machine off.
    for (;;) {
        this_task::sleep_for(u64{3600} * 1000000000);
    }
}

} // namespace keel::services
