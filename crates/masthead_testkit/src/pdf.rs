//! PDFs for tests, written by hand: the meeting desk's minutes with a text layer, a page
//! with none (as a scan), and the hostile ones, each built from the few objects it needs.

/// A minimal PDF, written by hand so each test says what its file holds: each page a list of
/// (x, y, text) in Helvetica, a page with no text a filled rectangle; `catalog_extra` and
/// `trailer_extra` go into those dictionaries.
pub fn pdf(pages: &[Vec<(u32, u32, &str)>], catalog_extra: &str, trailer_extra: &str) -> Vec<u8> {
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>"),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let mut stream = String::new();
        for (x, y, text) in page {
            let text = text.replace('(', "\\(").replace(')', "\\)");
            stream.push_str(&format!("BT /F1 11 Tf {x} {y} Td ({text}) Tj ET\n"));
        }
        if page.is_empty() {
            stream.push_str("0 0 1 rg 72 72 200 200 re f\n");
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}endstream",
            stream.len()
        ));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
