//! Page-wide state: what the SDK remembers between calls (the configuration, the
//! interaction log, uploads under way).
//!
//! [`page_local!`] declares it with `thread_local!`'s syntax and API (`NAME.with(…)`,
//! `replace`, `set`). With the standard library (tests, debug builds) it *is*
//! `thread_local!`. The size build leaves the standard library out (see `lib.rs`), and
//! there it is a plain `static` of [`Local`], which is sound because that build only
//! exists for `wasm32-unknown-unknown` without the `atomics` feature: a wasm module without
//! shared memory runs on one thread, so a value in a `static` can never be reached from two
//! threads at once.

#[cfg(not(feature = "std"))]
use core::cell::Cell;

/// A value in a `static`, for a target that has no threads.
#[cfg(not(feature = "std"))]
pub struct Local<T>(T);

// SAFETY: `Sync` lets a `static` hold `T`, which may be neither `Send` nor `Sync` (JS
// values are not). That is sound only where no second thread exists to share it with:
// wasm32 without the `atomics` target feature has no shared memory, hence no threads. The
// impl exists for that target only, and no other build of the SDK uses `Local`.
#[cfg(all(
    not(feature = "std"),
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[allow(unsafe_code)]
unsafe impl<T> Sync for Local<T> {}

#[cfg(not(feature = "std"))]
impl<T> Local<T> {
    /// Wraps the initial value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Runs `f` with the value, like `LocalKey::with`.
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

#[cfg(not(feature = "std"))]
impl<T: Copy> Local<Cell<T>> {
    /// Sets the value and returns the old one, like `LocalKey::replace`.
    pub fn replace(&'static self, value: T) -> T {
        self.0.replace(value)
    }

    /// Sets the value, like `LocalKey::set`.
    pub fn set(&'static self, value: T) {
        self.0.set(value);
    }
}

/// `thread_local!` with the standard library, a `static` [`Local`] without it (see the
/// module documentation). Takes `thread_local!`'s `const` form only.
macro_rules! page_local {
    ($(static $name:ident: $t:ty = const { $init:expr };)*) => {
        #[cfg(feature = "std")]
        std::thread_local! {
            $(static $name: $t = const { $init };)*
        }
        $(
            #[cfg(not(feature = "std"))]
            static $name: $crate::local::Local<$t> = $crate::local::Local::new($init);
        )*
    };
}

pub(crate) use page_local;
