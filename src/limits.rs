//! Resource limits for one statement: a memory budget and a time limit, enforced inside
//! execution so every shell or server running statements through `Session` gets them.
//!
//! Memory is counted where the bytes are: `CountingAlloc` wraps the global allocator and
//! keeps a per-thread running total of live bytes (a thread-local add, no atomics, so
//! the hot allocation path stays cheap). A statement runs on one thread, so its usage is
//! that thread's total now minus the total when it started. Execution compares it with
//! the budget at the same points where it polls the cancel flag (`check`), and operators
//! about to make one large allocation ask first (`reserve`). Without `CountingAlloc` as
//! global allocator (e.g. a library user with their own), the memory budget is not
//! enforced; the time limit always is.
//!
//! This module does not parse sizes for the command line only: `parse_size` and
//! `parse_duration` are shared by `:set` and any server setting.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::error::QueryError;

/// Limits applied to each statement a `Session` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes a statement may hold at once beyond what was live when it started; `None`
    /// means no limit.
    pub max_memory: Option<u64>,
    /// Wall-clock time a statement may run; `None` means no limit.
    pub timeout: Option<Duration>,
}

impl Limits {
    /// No memory limit, no timeout.
    pub fn unlimited() -> Self {
        Limits {
            max_memory: None,
            timeout: None,
        }
    }

    /// The default: a memory budget of half the machine's physical memory, no timeout.
    pub fn standard() -> Self {
        Limits {
            max_memory: physical_memory().map(|bytes| bytes / 2),
            timeout: None,
        }
    }
}

impl Default for Limits {
    /// `Limits::standard()`.
    fn default() -> Self {
        Limits::standard()
    }
}

/// The machine's physical memory in bytes, when the OS says.
pub fn physical_memory() -> Option<u64> {
    // SAFETY: sysconf only reads system configuration.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && page_size > 0).then(|| pages as u64 * page_size as u64)
}

/// Parses a size such as `512MB`, `2GiB`, `1.5G`, `100000` (bytes), `KB`/`MB`/`GB`/`TB`
/// are powers of 1000, `KiB`/`MiB`/`GiB`/`TiB` (and the bare `K`/`M`/`G`/`T`) powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 512MB or 2GiB)"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` (use B, KB, MB, GB, KiB, MiB, GiB)"
            ));
        }
    };
    let bytes = number * factor;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}` is not a usable size"));
    }
    Ok(bytes as u64)
}

/// Parses a duration such as `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 500ms, 30s or 2m)"))?;
    let seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{text}` is not a usable duration"))
}

/// Prints a byte count the way `parse_size` reads it back: a whole number of the largest
/// unit it is an exact multiple of, binary or decimal (`1GiB`, `512MB`: a limit shows as it
/// was typed), anything else in powers of 1000 with one decimal (`1.1GB`).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, &str, u32); 4] = [
        ("TB", "TiB", 4),
        ("GB", "GiB", 3),
        ("MB", "MiB", 2),
        ("KB", "KiB", 1),
    ];
    for (decimal, binary, power) in UNITS {
        for (unit, size) in [(decimal, 1000u64.pow(power)), (binary, 1024u64.pow(power))] {
            if bytes >= size && bytes.is_multiple_of(size) {
                return format!("{}{unit}", bytes / size);
            }
        }
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for (next, _, _) in UNITS.iter().rev() {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    if unit == "B" {
        format!("{bytes}B")
    } else {
        format!("{value:.1}{unit}")
    }
}

/// Whether the statement running on this thread has a memory budget. Without one, code
/// about to build something huge applies its own cap instead (an allocation failure would
/// abort the process).
pub fn memory_budget_active() -> bool {
    ACTIVE
        .with(Cell::get)
        .is_some_and(|active| active.max.is_some() || active.shared.is_some())
}

thread_local! {
    /// Live bytes allocated minus freed on this thread (it may go negative on a thread
    /// that frees what another allocated; only differences are used).
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// The budget of the statement running on this thread.
    static ACTIVE: Cell<Option<Active>> = const { Cell::new(None) };
}

/// A global allocator that counts live bytes per thread, wrapping `A`.
///
/// ```ignore
/// #[global_allocator]
/// static GLOBAL: kg::limits::CountingAlloc<std::alloc::System> =
///     kg::limits::CountingAlloc(std::alloc::System);
/// ```
pub struct CountingAlloc<A>(pub A);

fn count(delta: i64) {
    // `try_with`: during thread teardown the slot may be gone; a lost count is harmless.
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(delta)));
}

// SAFETY: every method forwards to the inner allocator unchanged; counting touches only
// a const-initialised thread-local Cell, which neither allocates nor unwinds.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Whether the global allocator is a `CountingAlloc` (so the memory budget can work).
pub fn counting() -> bool {
    static COUNTING: OnceLock<bool> = OnceLock::new();
    *COUNTING.get_or_init(|| {
        let before = LIVE.with(Cell::get);
        let probe = std::hint::black_box(vec![0u8; 4096]);
        let after = LIVE.with(Cell::get);
        drop(probe);
        after - before >= 4096
    })
}

/// Bytes allocated on this thread and still live, relative to an arbitrary origin.
fn live() -> i64 {
    LIVE.with(Cell::get)
}

/// A memory budget that many statements draw on at once: a server's limit for all the
/// queries it runs together (`kg serve --max-memory-total`), beside each one's own.
/// Statements publish what they hold at each `check`, so the total is as fresh as the
/// checks are frequent.
#[derive(Debug)]
pub struct SharedBudget {
    max: u64,
    held: AtomicI64,
}

impl SharedBudget {
    pub fn new(max: u64) -> Arc<SharedBudget> {
        Arc::new(SharedBudget {
            max,
            held: AtomicI64::new(0),
        })
    }

    /// Bytes the running statements held at their latest checks.
    pub fn held(&self) -> u64 {
        u64::try_from(self.held.load(Ordering::Relaxed)).unwrap_or(0)
    }

    pub fn max(&self) -> u64 {
        self.max
    }
}

/// The limits of the statement running on this thread, made concrete.
#[derive(Debug, Clone, Copy)]
struct Active {
    started: Instant,
    deadline: Option<(Instant, Duration)>,
    /// `live()` when the statement started (when the allocator counts and some budget
    /// applies).
    base: Option<i64>,
    /// The statement's own budget in bytes.
    max: Option<u64>,
    /// The shared budget it also draws on (kept alive by the `Guard`), and what it last
    /// published there.
    shared: Option<(*const SharedBudget, i64)>,
}

/// While alive, the statement on this thread runs under `limits` (see `check`). Dropping
/// it restores the enclosing statement's limits, if any.
pub struct Guard {
    previous: Option<Active>,
    shared: Option<Arc<SharedBudget>>,
}

/// Starts enforcing `limits` on this thread until the guard is dropped.
pub fn enter(limits: Limits) -> Guard {
    enter_shared(limits, None)
}

/// Like `enter`, and the statement's memory also counts against `shared` with every other
/// statement drawing on it.
pub fn enter_shared(limits: Limits, shared: Option<Arc<SharedBudget>>) -> Guard {
    let started = Instant::now();
    let shared = shared.filter(|_| counting());
    let max = limits.max_memory.filter(|_| counting());
    let active = Active {
        started,
        deadline: limits
            .timeout
            .and_then(|t| Some((started.checked_add(t)?, t))),
        base: (max.is_some() || shared.is_some()).then(live),
        max,
        shared: shared.as_ref().map(|s| (Arc::as_ptr(s), 0)),
    };
    Guard {
        previous: ACTIVE.with(|a| a.replace(Some(active))),
        shared,
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let ended = ACTIVE.with(|a| a.replace(self.previous));
        if let (
            Some(budget),
            Some(Active {
                shared: Some((_, published)),
                ..
            }),
        ) = (&self.shared, ended)
        {
            budget.held.fetch_sub(published, Ordering::Relaxed);
        }
    }
}

/// Fails once the running statement is past its deadline or over its memory budget.
/// Cheap enough to call every few thousand rows: a thread-local read and a clock read.
pub fn check() -> Result<(), QueryError> {
    reserve(0)
}

/// Like `check`, and also fails if `bytes` more would not fit the budget: called before
/// one large allocation (e.g. `range()` building a list), which could otherwise exhaust
/// the machine before the next check.
pub fn reserve(bytes: u64) -> Result<(), QueryError> {
    let Some(mut active) = ACTIVE.with(Cell::get) else {
        return Ok(());
    };
    if let Some(base) = active.base {
        let used = u64::try_from(live() - base).unwrap_or(0);
        let wanted = used.saturating_add(bytes);
        if let Some(max) = active.max
            && wanted > max
        {
            return Err(QueryError::memory_limit_exceeded(
                &format_size(max),
                &format_size(wanted),
            ));
        }
        if let Some((budget, published)) = active.shared {
            // SAFETY: the `Guard` that installed `active` holds an `Arc` of the budget
            // until it restores the previous state, so the pointer is live here.
            let budget = unsafe { &*budget };
            let now = used as i64;
            let total = budget.held.fetch_add(now - published, Ordering::Relaxed) + now - published;
            active.shared = Some((budget, now));
            ACTIVE.with(|a| a.set(Some(active)));
            if u64::try_from(total).unwrap_or(0).saturating_add(bytes) > budget.max {
                return Err(QueryError::shared_memory_limit_exceeded(
                    &format_size(budget.max),
                    &format_size(wanted),
                ));
            }
        }
    }
    if let Some((deadline, timeout)) = active.deadline
        && Instant::now() >= deadline
    {
        return Err(QueryError::timed_out(
            &format!("{timeout:?}"),
            active.started.elapsed(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("512MB"), Ok(512_000_000));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("3 parsecs").is_err());
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(format_size(3_000_000_000), "3GB");
        assert_eq!(format_size(3_100_000_123), "3.1GB");
        assert_eq!(format_size(10), "10B");
        assert_eq!(format_size(1 << 30), "1GiB");
        assert_eq!(format_size(512_000_000), "512MB");
        assert_eq!(format_size(3 << 20), "3MiB");
    }

    #[test]
    fn a_past_deadline_fails_the_check() {
        let _guard = enter(Limits {
            max_memory: None,
            timeout: Some(Duration::from_nanos(1)),
        });
        std::thread::sleep(Duration::from_millis(2));
        let err = check().expect_err("past the deadline");
        assert_eq!(err.kind, crate::error::ErrorKind::Timeout);
    }

    #[test]
    fn no_statement_no_limits() {
        assert!(reserve(u64::MAX).is_ok());
    }
}
