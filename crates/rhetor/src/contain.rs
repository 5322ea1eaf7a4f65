//! Panics contained to the one document (or request) that caused them.
//!
//! Every document is analysed under [`std::panic::catch_unwind`]: a bug
//! becomes that document's error line ("internal error: …, please report")
//! and the batch goes on. This is the safety net, not the fix: every panic
//! found this way is a bug to remove.
//!
//! The message names where the panic happened when the binary installed
//! [`install_quiet_hook`], which also keeps the default hook's multi-line
//! report off stderr (set `RUST_BACKTRACE` to get it back).

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// The last panic's message and location on this thread (set by the hook).
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that records "message at file:line" for
/// [`catch`] instead of printing it. With `RUST_BACKTRACE` set, the
/// default hook's report is printed as well.
pub fn install_quiet_hook() {
    let default = std::panic::take_hook();
    let verbose = std::env::var_os("RUST_BACKTRACE").is_some();
    std::panic::set_hook(Box::new(move |info| {
        let message = payload_message(info.payload());
        let located = match info.location() {
            Some(l) => format!("{message} at {}:{}", l.file(), l.line()),
            None => message,
        };
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(located));
        if verbose {
            default(info);
        }
    }));
}

/// Runs `f`; a panic inside it comes back as `Err(message)`.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| payload_message(payload.as_ref()))
    })
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let r: Result<(), String> = catch(|| panic!("boom {}", 1));
        assert!(r.unwrap_err().contains("boom 1"));
        assert_eq!(catch(|| 2), Ok(2));
    }
}
