//! Checks pages with the Nu HTML Checker (vnu.jar, run with Java), the validator behind the
//! W3C's own service. `scripts/test.sh` installs it and sets `MASTHEAD_TEST_VNU_JAR`.

use std::process::Command;

/// Validates each `(name, html)` page; panics with the checker's messages on any error.
pub fn assert_valid_html(pages: &[(&str, String)]) {
    assert!(!pages.is_empty(), "no pages to validate");
    let jar = std::env::var("MASTHEAD_TEST_VNU_JAR").unwrap_or_else(|_| {
        panic!("MASTHEAD_TEST_VNU_JAR is not set. Run the suite with scripts/test.sh, which installs the Nu HTML Checker.")
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let files: Vec<String> = pages
        .iter()
        .map(|(name, html)| {
            let path = dir.path().join(format!("{name}.html"));
            std::fs::write(&path, html).expect("write page");
            path.display().to_string()
        })
        .collect();
    let out = Command::new("java")
        .args(["-Xss4m", "-jar", &jar, "--errors-only", "--format", "gnu"])
        // The checker refuses `allow-scripts` with `allow-same-origin` on any iframe, since
        // a frame of the page's own origin could then lift its sandbox. Ours frame only the
        // video players' own origins (the CSP's frame-src allows nothing else), which need
        // both to play; for a cross-origin frame the pair grants nothing over our page.
        .args([
            "--filterpattern",
            ".*Setting both .allow-scripts. and .allow-same-origin. is not recommended.*",
        ])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run java for the HTML checker: {e}"));
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the HTML checker found errors:\n{report}"
    );
}
