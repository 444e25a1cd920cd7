// The whole public framework API, force-included first in every services/drivers file. Framework
// headers may use unsafe constructs internally: the gate (tools/gate) trusts code by where it is
// spelled, so what these headers write is the framework's, and what a services file writes,
// including through the headers' macros' arguments, is checked.
#pragma once

#include <keel/boot_info.h>
#include <keel/box.h>
#include <keel/civil_time.h>
#include <keel/clock.h>
#include <keel/cmdline.h>
#include <keel/console_input.h>
#include <keel/console_output.h>
#include <keel/frame.h>
#include <keel/hwreg.h>
#include <keel/initrd.h>
#include <keel/io_mem.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/ktl/assert.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string.h>
#include <keel/ktl/string_view.h>
#include <keel/ktl/types.h>
#include <keel/ktl/utility.h>
#include <keel/ktl/vector.h>
#include <keel/log.h>
#include <keel/main.h>
#include <keel/meminfo.h>
#include <keel/mutex.h>
#include <keel/page.h>
#include <keel/panic.h>
#include <keel/per_cpu.h>
#include <keel/power.h>
#include <keel/random.h>
#include <keel/spin_lock.h>
#include <keel/task.h>
#include <keel/timer.h>
#include <keel/user_mode.h>
#include <keel/user_ptr.h>
#include <keel/vm_space.h>
#include <keel/wait_queue.h>
