//! The `kg` binary: the command line and the REPL, over the `kg` library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// A query allocates and frees a row per matched pattern; after a large load glibc's heap is
// fragmented and its malloc slow. mimalloc keeps per-row allocation cheap (q04 of the
// benchmark at scale 100000: 54 → 44 ms; the load: 2.1 → 0.8 s).
// Wrapped in kg's counter of live bytes per thread, which the statement memory budget
// (`--max-memory`) reads. The `uncounted-alloc` feature leaves the counter out, only so
// that `.ci/alloc-overhead` can measure what it costs.
#[cfg(not(feature = "uncounted-alloc"))]
#[global_allocator]
static GLOBAL: kg::limits::CountingAlloc<mimalloc::MiMalloc> =
    kg::limits::CountingAlloc(mimalloc::MiMalloc);
#[cfg(feature = "uncounted-alloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's C API (mimalloc.h): the Rust bindings expose options only behind a feature
// that needs one more crate. `mi_option_t` is a C enum; its values are ABI, kept stable
// across mimalloc versions (retired options keep their slot).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay`: milliseconds before freed memory goes back to the OS.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Allocator settings, before the first large allocation. A CSV load frees large parse
/// buffers and id tables while the graph is still growing: returned to the OS at once
/// instead of after mimalloc's default 10 ms, they no longer add to the peak (scale
/// 100000: 335-353 -> 299-304 MB peak RSS).
fn tune_allocator() {
    // SAFETY: a plain setter of mimalloc's, called before any other thread exists;
    // mimalloc reads options afresh where it uses them.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    tune_allocator();
    match cli::run(cli::Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kg: {err:#}");
            ExitCode::from(2)
        }
    }
}
