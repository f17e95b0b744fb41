//! `gostage::fuzzing::options` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    gostage::fuzzing::options(data);
});
