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

inline constexpr u32 typer_lpis = 1u << 17; // v3: the GIC supports LPIs
constexpr u32 typer_id_bits(u32 typer) { return ((typer >> 19) & 0x1f) + 1; } // INTID width

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
inline constexpr usize propbaser = 0x0070; // 64 bits: the LPI configuration table
inline constexpr usize pendbaser = 0x0078; // 64 bits: this CPU's LPI pending table
inline constexpr usize pidr2 = 0xffe8;
inline constexpr usize sgi_frame = 0x10000;
inline constexpr usize frames_v3 = 0x20000; // RD + SGI
inline constexpr usize frames_v4 = 0x40000; // + VLPI + reserved

inline constexpr u32 ctlr_enable_lpis = 1u << 0;
inline constexpr u32 ctlr_rwp = 1u << 3;
inline constexpr u64 typer_plpis = 1u << 0;
inline constexpr u64 typer_vlpis = 1u << 1;
inline constexpr u64 typer_last = 1u << 4;
inline constexpr u32 waker_processor_sleep = 1u << 1;
inline constexpr u32 waker_children_asleep = 1u << 2;
} // namespace gicr

// GICv3 Interrupt Translation Service (GITS_*, IHI 0069 chapter 12): a control frame, then
// the translation frame whose GITS_TRANSLATER devices write their event IDs to.
namespace gits {
inline constexpr usize ctlr = 0x0000;
inline constexpr usize typer = 0x0008;   // 64 bits
inline constexpr usize cbaser = 0x0080;  // 64 bits: the command queue
inline constexpr usize cwriter = 0x0088; // 64 bits: offset of the next command software writes
inline constexpr usize creadr = 0x0090;  // 64 bits: offset of the next command the ITS reads
inline constexpr usize baser = 0x0100;   // 8 x 64 bits: the ITS's memory tables
inline constexpr usize translater = 0x10040;
inline constexpr usize frames_size = 0x20000;

inline constexpr u32 ctlr_enabled = 1u << 0;
inline constexpr u32 ctlr_quiescent = 1u << 31;
inline constexpr u64 creadr_stalled = 1u << 0;
inline constexpr u64 queue_offset_mask = 0xfffe0; // CWRITER/CREADR bits 19:5

// GITS_TYPER fields.
inline constexpr u64 typer_physical = 1u << 0;
inline constexpr u64 typer_pta = 1u << 19; // MAPC/SYNC name a redistributor by address, not number
constexpr u32 typer_itt_entry_size(u64 t) { return static_cast<u32>((t >> 4) & 0xf) + 1; }
constexpr u32 typer_id_bits(u64 t) { return static_cast<u32>((t >> 8) & 0x1f) + 1; }
constexpr u32 typer_dev_bits(u64 t) { return static_cast<u32>((t >> 13) & 0x1f) + 1; }

// GITS_BASER<n> fields (GITS_CBASER shares Valid, the cache and shareability fields and Size).
inline constexpr u64 baser_valid = u64{1} << 63;
inline constexpr u64 baser_indirect = u64{1} << 62;
constexpr u32 baser_type(u64 b) { return static_cast<u32>((b >> 56) & 7); }
constexpr u32 baser_entry_size(u64 b) { return static_cast<u32>((b >> 48) & 0x1f) + 1; }
inline constexpr u64 baser_page_size_shift = 8; // 0: 4 KiB, 1: 16 KiB, 2: 64 KiB
inline constexpr u64 baser_page_size_mask = u64{3} << baser_page_size_shift;
inline constexpr u64 baser_address_mask = 0x0000fffffffff000; // bits 47:12
inline constexpr u32 baser_type_device = 1;
inline constexpr u32 baser_type_collection = 4;
inline constexpr u64 baser_max_pages = 256; // Size, bits 7:0, is pages - 1

// Memory attributes, in the encoding GITS_BASER/CBASER and GICR_PROPBASER/PENDBASER share:
// Inner Shareable, Normal Inner Write-Back Read- and Write-Allocate (outer: the same), as the
// kernel's linear map holds RAM.
inline constexpr u64 shareability_shift = 10;
inline constexpr u64 shareability_mask = u64{3} << shareability_shift;
inline constexpr u64 inner_shareable = u64{1} << shareability_shift;
inline constexpr u64 inner_wb_its = u64{7} << 59;  // GITS_BASER/CBASER InnerCache, bits 61:59
inline constexpr u64 inner_wb_gicr = u64{7} << 7;  // GICR_PROPBASER/PENDBASER InnerCache, 9:7
inline constexpr u64 pendbaser_ptz = u64{1} << 62; // the pending table is all zeroes

// Commands (IHI 0069 5.3): 32 bytes, the command number in DW0 bits 7:0.
inline constexpr usize command_bytes = 32;
inline constexpr u64 cmd_sync = 0x05;
inline constexpr u64 cmd_mapd = 0x08;
inline constexpr u64 cmd_mapc = 0x09;
inline constexpr u64 cmd_mapti = 0x0a;
inline constexpr u64 cmd_inv = 0x0c;
inline constexpr u64 cmd_discard = 0x0f;
} // namespace gits

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
