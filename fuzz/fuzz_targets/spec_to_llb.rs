//! `gostage::fuzzing::spec_to_llb` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = gostage::fuzzing::spec_to_llb(data);
});
