//! `batchRoot(reads: Buffer, count: number): Buffer`, a Node-API module with no binding
//! crate: the few `napi_*` functions it calls are declared below and resolved from the node
//! binary when the module is loaded (Node-API is ABI-stable across Node versions).
//!
//! `reads` holds each read's canonical JSON (RFC 8785), separated by one 0x0A byte. A
//! canonical JSON text never holds a raw line feed (one in a string is escaped, and there is
//! no whitespace between tokens), so the separator cannot occur inside a read. The result is
//! the RFC 6962 Merkle tree hash over the leaves SHA-256(0x00 ‖ read), with nodes
//! SHA-256(0x01 ‖ left ‖ right), folded left to right with a stack exactly as
//! `batchRootOf`'s node:crypto path in batch-tree.ts does. The gain is the per-call cost of
//! node:crypto, paid here once per batch instead of twice per read; the `sha2` crate uses the
//! CPU's SHA extensions when it has them.
use sha2::{Digest, Sha256};
use std::ffi::{c_char, c_void};
use std::ptr;

type NapiEnv = *mut c_void;
type NapiValue = *mut c_void;
type NapiCallbackInfo = *mut c_void;
type NapiStatus = i32;
type NapiCallback = unsafe extern "C" fn(NapiEnv, NapiCallbackInfo) -> NapiValue;
const NAPI_OK: NapiStatus = 0;
/// NAPI_AUTO_LENGTH: the name is NUL-terminated.
const AUTO_LENGTH: usize = usize::MAX;

extern "C" {
    fn napi_get_cb_info(env: NapiEnv, info: NapiCallbackInfo, argc: *mut usize, argv: *mut NapiValue, this: *mut NapiValue, data: *mut *mut c_void) -> NapiStatus;
    fn napi_get_buffer_info(env: NapiEnv, value: NapiValue, data: *mut *mut c_void, length: *mut usize) -> NapiStatus;
    fn napi_get_value_uint32(env: NapiEnv, value: NapiValue, result: *mut u32) -> NapiStatus;
    fn napi_create_buffer_copy(env: NapiEnv, length: usize, data: *const c_void, result_data: *mut *mut c_void, result: *mut NapiValue) -> NapiStatus;
    fn napi_create_function(env: NapiEnv, name: *const c_char, length: usize, cb: NapiCallback, data: *mut c_void, result: *mut NapiValue) -> NapiStatus;
    fn napi_set_named_property(env: NapiEnv, object: NapiValue, name: *const c_char, value: NapiValue) -> NapiStatus;
    fn napi_throw_range_error(env: NapiEnv, code: *const c_char, msg: *const c_char) -> NapiStatus;
}

fn leaf(read: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(read);
    h.finalize().into()
}

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root over the 0x0A-separated reads, or None when they are not `count` reads.
fn batch_root(reads: &[u8], count: usize) -> Option<[u8; 32]> {
    if count == 0 {
        return if reads.is_empty() { Some(Sha256::digest([]).into()) } else { None };
    }
    let mut stack: Vec<[u8; 32]> = Vec::with_capacity(64);
    let mut seen = 0usize;
    for read in reads.split(|b| *b == b'\n') {
        seen += 1;
        if seen > count {
            return None;
        }
        let mut h = leaf(read);
        let mut merged = seen;
        while merged % 2 == 0 {
            h = node(&stack.pop()?, &h);
            merged /= 2;
        }
        stack.push(h);
    }
    if seen != count {
        return None;
    }
    let mut root = stack.pop()?;
    while let Some(left) = stack.pop() {
        root = node(&left, &root);
    }
    Some(root)
}

unsafe fn throw(env: NapiEnv, msg: &[u8]) -> NapiValue {
    napi_throw_range_error(env, b"IES_ERR_BATCH_ROOT\0".as_ptr() as *const c_char, msg.as_ptr() as *const c_char);
    ptr::null_mut()
}

unsafe extern "C" fn batch_root_js(env: NapiEnv, info: NapiCallbackInfo) -> NapiValue {
    let mut argc: usize = 2;
    let mut argv: [NapiValue; 2] = [ptr::null_mut(); 2];
    if napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut()) != NAPI_OK || argc != 2 {
        return throw(env, b"batchRoot(reads: Buffer, count: number)\0");
    }
    let mut data: *mut c_void = ptr::null_mut();
    let mut len: usize = 0;
    if napi_get_buffer_info(env, argv[0], &mut data, &mut len) != NAPI_OK {
        return throw(env, b"reads must be a Buffer\0");
    }
    let mut count: u32 = 0;
    if napi_get_value_uint32(env, argv[1], &mut count) != NAPI_OK {
        return throw(env, b"count must be a number\0");
    }
    let reads: &[u8] = if len == 0 { &[] } else { std::slice::from_raw_parts(data as *const u8, len) };
    let Some(root) = batch_root(reads, count as usize) else {
        return throw(env, b"reads do not hold count reads separated by line feeds\0");
    };
    let mut out: NapiValue = ptr::null_mut();
    if napi_create_buffer_copy(env, root.len(), root.as_ptr() as *const c_void, ptr::null_mut(), &mut out) != NAPI_OK {
        return throw(env, b"cannot allocate the result\0");
    }
    out
}

/// The Node-API module entry point (what NAPI_MODULE_INIT defines).
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: NapiEnv, exports: NapiValue) -> NapiValue {
    let mut f: NapiValue = ptr::null_mut();
    if napi_create_function(env, b"batchRoot\0".as_ptr() as *const c_char, AUTO_LENGTH, batch_root_js, ptr::null_mut(), &mut f) == NAPI_OK {
        napi_set_named_property(env, exports, b"batchRoot\0".as_ptr() as *const c_char, f);
    }
    exports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn empty_single_and_miscounted() {
        // RFC 6962: the empty tree's hash is SHA-256 of nothing.
        assert_eq!(hex(&batch_root(b"", 0).unwrap()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(batch_root(b"", 1), Some(leaf(b"")));
        assert_eq!(batch_root(b"a\nb", 1), None);
        assert_eq!(batch_root(b"a", 2), None);
        assert_eq!(batch_root(b"a", 0), None);
    }

    #[test]
    fn leaves_fold_left_to_right() {
        let (a, b, c, d, e) = (leaf(b"a"), leaf(b"b"), leaf(b"c"), leaf(b"d"), leaf(b"e"));
        assert_eq!(batch_root(b"a\nb\nc", 3), Some(node(&node(&a, &b), &c)));
        assert_eq!(batch_root(b"a\nb\nc\nd\ne", 5), Some(node(&node(&node(&a, &b), &node(&c, &d)), &e)));
    }
}
