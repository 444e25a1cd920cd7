// FrameworkKey: the passkey of every privileged constructor and accessor in the public headers.
//
// Handles (IoMem, IrqLine, Frame, PciDevice, DeviceRange, TaskHandle, ...) are safe only if
// services and drivers cannot make one out of a number. Granting the framework access by `friend
// struct XAccess;` does not hold: any file can define a struct of that name itself and reach the
// handle's private constructor. Instead, whatever only the framework may do is a public member
// that takes a FrameworkKey *by value*, and the type is only declared here. Calling such a
// member, or making a key, needs the complete type; its definition lives in a framework-private
// header (framework/private/framework_key.h) that services and drivers cannot include (the gate
// lets them include only the public API, rule no-private-includes; tests/gate/
// bad_include_framework_key.cc), and a services file cannot define it either: the gate (tools/gate,
// rule no-foreign-namespace) rejects any declaration in keel:: outside the file's own namespace.
//
// Members that take the key are declared here and defined in framework code, where the type is
// complete (a definition with an incomplete by-value parameter does not compile).
#pragma once

namespace keel {

class FrameworkKey;

} // namespace keel
