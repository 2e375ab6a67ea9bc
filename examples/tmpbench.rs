use std::time::Instant;
fn main() {
    let n = 7_000_000usize;
    for huge in [false, true, false, true] {
        let t = Instant::now();
        let mut v = vec![0.0f64; n];
        if huge {
            let start = v.as_mut_ptr() as usize;
            let end = start + n * 8;
            let first = start.next_multiple_of(2 << 20);
            let len = (end - first) / (2 << 20) * (2 << 20);
            let r = unsafe { libc::madvise(first as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
            assert_eq!(r, 0);
        }
        for (i, x) in v.iter_mut().enumerate() {
            *x = i as f64;
        }
        let e = t.elapsed();
        let thp = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap();
        let line = thp
            .lines()
            .find(|l| l.starts_with("AnonHugePages"))
            .unwrap()
            .to_string();
        println!("huge {huge}: {e:?} {line} {}", v[n - 1]);
    }
}
