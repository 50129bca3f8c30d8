//! The float rounding the SDK needs. Without the standard library `f64` has no `floor` or
//! `ceil`. In the browser they are JavaScript's `Math.floor` and `Math.ceil` (one import
//! each, where `libm`'s software versions are about 280 bytes of the wasm); native builds
//! (unit tests, the fuzz targets) use `libm`.

/// The largest whole number not above `x`.
pub fn floor(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    let floor = js_sys::Math::floor;
    #[cfg(not(target_arch = "wasm32"))]
    let floor = libm::floor;
    floor(x)
}

/// The smallest whole number not below `x`.
pub fn ceil(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    let ceil = js_sys::Math::ceil;
    #[cfg(not(target_arch = "wasm32"))]
    let ceil = libm::ceil;
    ceil(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_down_and_up_to_whole_numbers() {
        assert_eq!((floor(2.5), ceil(2.5)), (2.0, 3.0));
        assert_eq!((floor(-2.5), ceil(-2.5)), (-3.0, -2.0));
        assert_eq!((floor(7.0), ceil(7.0)), (7.0, 7.0));
    }
}
