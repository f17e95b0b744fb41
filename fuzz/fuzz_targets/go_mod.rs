//! `gostage::fuzzing::go_mod` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    gostage::fuzzing::go_mod(data);
});
