//! Contract code passed as raw call input (`store_code`, `upgrade`).

/// The magic number every wasm module starts with.
pub const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// Refusal of code that does not start with the wasm magic number.
pub const ERR_NOT_WASM: &str = "code is not a wasm module";

/// Checks that `code` starts like a wasm module, so that bytes that are not
/// wasm (JSON args, a truncated file, another binary format) are refused with
/// a clear error instead of being stored, or failing later in the deploy
/// action. It does not validate the module: the deploy does.
pub fn validate_wasm(code: &[u8]) -> Result<(), &'static str> {
    if code.starts_with(&WASM_MAGIC) {
        Ok(())
    } else {
        Err(ERR_NOT_WASM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_wasm_magic_passes() {
        assert_eq!(validate_wasm(b"\0asm\x01\0\0\0"), Ok(()));
        assert_eq!(validate_wasm(b"\0asm"), Ok(()));
        for bad in [&b""[..], b"\0as", b"\0ASM\x01\0\0\0", b"{\"code\":1}", b"\x7fELF\x02\x01\x01\0"] {
            assert_eq!(validate_wasm(bad), Err(ERR_NOT_WASM), "{bad:?}");
        }
    }
}
