//! A party card file: parsing and self-signature checking must never panic.
#![no_main]
use detente_proto::card::SignedCard;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = SignedCard::parse(data);
});
