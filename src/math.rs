//! The float rounding the SDK needs. Without the standard library `f64` has no `floor` or
//! `ceil`; `libm` has them for `no_std`.

/// The largest whole number not above `x`.
pub fn floor(x: f64) -> f64 {
    libm::floor(x)
}

/// The smallest whole number not below `x`.
pub fn ceil(x: f64) -> f64 {
    libm::ceil(x)
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
