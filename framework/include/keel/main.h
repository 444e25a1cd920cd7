// The contract between the framework and the services: once the framework has brought the
// machine up (boot info, console, log, clock), it calls keel_main(), which the services define.
// Like a program's main, it is declared here and defined on the other side of the boundary; the
// annotation lets the gate accept that one definition outside the services' own namespaces.
#pragma once

#include <keel/boot_info.h>

[[noreturn, clang::annotate("keel::defined_by_services")]] void
keel_main(const keel::BootInfo& boot);
