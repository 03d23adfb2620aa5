//! Contract code passed as raw call input (`store_code`, `upgrade`).

/// The 8 bytes every wasm (MVP, version 1) module starts with: `\0asm`, then version 1.
pub const WASM_HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";

/// Refusal of code that does not start with the wasm header.
pub const ERR_NOT_WASM: &str = "code is not a wasm module (it must start with \\0asm, version 1)";

/// Checks that `code` starts like a wasm module, so that bytes that are not
/// wasm (JSON args, a truncated file, another binary format) are refused with
/// a clear error instead of failing later in the deploy action.
pub fn validate_wasm(code: &[u8]) -> Result<(), &'static str> {
    if code.starts_with(&WASM_HEADER) {
        Ok(())
    } else {
        Err(ERR_NOT_WASM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_wasm_header_passes() {
        assert_eq!(validate_wasm(b"\0asm\x01\0\0\0"), Ok(()));
        assert_eq!(validate_wasm(b"\0asm\x01\0\0\0\x01\x04"), Ok(()));
        for bad in [&b""[..], b"\0asm", b"\0asm\x02\0\0\0", b"{\"code\":1}", b"\x7fELF\x02\x01\x01\0"] {
            assert_eq!(validate_wasm(bad), Err(ERR_NOT_WASM), "{bad:?}");
        }
    }
}
