//! A rate setting (`N/minute` and the rest, or `off`): parsed without a panic, and every rate
//! that parses shows as text that parses back to it.
#![no_main]

use flowforge_core::throttle::{Rate, parse_optional_rate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = text.parse::<Rate>();
    if let Ok(Some(rate)) = parse_optional_rate(text) {
        assert_eq!(
            parsed.as_ref().ok(),
            Some(&rate),
            "{text:?} parses alike both ways"
        );
        assert!(rate.limit > 0, "{text:?} parsed to a zero limit");
        let shown = rate.to_string();
        assert_eq!(
            shown.parse::<Rate>().ok(),
            Some(rate),
            "{text:?} shows as {shown:?}"
        );
    } else if parsed.is_ok() {
        panic!("{text:?} parses as a rate but not as a rate setting");
    }
});
