// Private to framework/arch/aarch64: GIC register offsets and bits (IHI 0069 chapter 12, IHI 0048
// chapter 4), for gic.cc and gic_ops.cc.
#pragma once

#include <keel/ktl/types.h>

namespace keel::arch {

// Distributor (GICD_*). The per-line arrays are also the layout of a GICv3 redistributor's SGI
// frame for lines 0-31 (GICR_IGROUPR0, GICR_ISENABLER0, ...).
namespace gicd {
inline constexpr usize ctlr = 0x000;
inline constexpr usize typer = 0x004;
inline constexpr usize igroupr = 0x080;
inline constexpr usize isenabler = 0x100;
inline constexpr usize icenabler = 0x180;
inline constexpr usize ispendr = 0x200;
inline constexpr usize icpendr = 0x280;
inline constexpr usize icactiver = 0x380;
inline constexpr usize ipriorityr = 0x400; // one byte per line
inline constexpr usize itargetsr = 0x800;  // v2: one byte per line, a CPU mask
inline constexpr usize icfgr = 0xc00;      // two bits per line; the upper one set = edge
inline constexpr usize sgir = 0xf00;       // v2: CPU target list in bits 23:16, the SGI in 3:0
inline constexpr usize irouter = 0x6000;   // v3: 64 bits per line, the target affinity
inline constexpr usize pidr2_v2 = 0xfe8;
inline constexpr usize pidr2_v3 = 0xffe8;

inline constexpr u32 ctlr_enable_v2 = 1u << 0; // forward group 0 (all lines, no security ext.)
inline constexpr u32 ctlr_enable_g1 = 1u << 0; // v3: group 0 (single security state) or 1 (NS)
inline constexpr u32 ctlr_enable_g1a = 1u << 1;
inline constexpr u32 ctlr_are = 1u << 4; // v3: affinity routing (IROUTER, not ITARGETSR)
inline constexpr u32 ctlr_rwp = 1u << 31;

// Linux's choices: every line at 0xa0, the CPU's mask at 0xf0 lets them all through, and
// leaves room for a higher priority (IPIs, pseudo-NMIs) later.
inline constexpr u8 default_priority = 0xa0;
inline constexpr u8 priority_mask = 0xf0;
} // namespace gicd

// GICv3 redistributor (GICR_*): per CPU an RD frame, then the SGI frame 64 KiB above it.
namespace gicr {
inline constexpr usize ctlr = 0x0000;
inline constexpr usize typer = 0x0008; // 64 bits: affinity in 63:32
inline constexpr usize waker = 0x0014;
inline constexpr usize pidr2 = 0xffe8;
inline constexpr usize sgi_frame = 0x10000;
inline constexpr usize frames_v3 = 0x20000; // RD + SGI
inline constexpr usize frames_v4 = 0x40000; // + VLPI + reserved

inline constexpr u32 ctlr_rwp = 1u << 3;
inline constexpr u64 typer_vlpis = 1u << 1;
inline constexpr u64 typer_last = 1u << 4;
inline constexpr u32 waker_processor_sleep = 1u << 1;
inline constexpr u32 waker_children_asleep = 1u << 2;
} // namespace gicr

// GICv2 CPU interface (GICC_*).
namespace gicc {
inline constexpr usize ctlr = 0x00;
inline constexpr usize pmr = 0x04;
inline constexpr usize bpr = 0x08;
inline constexpr usize iar = 0x0c;
inline constexpr usize eoir = 0x10;

inline constexpr u32 ctlr_enable = 1u << 0;
} // namespace gicc

} // namespace keel::arch
