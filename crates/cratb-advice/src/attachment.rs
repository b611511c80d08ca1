//! The documents a requester attaches (an antibiogram, a report): PDF or image, 10 MB at most,
//! their kind read from their first bytes, never from their name.

use cratb_domain::FieldError;

/// The largest attachment, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The media type of `bytes` if it is a PDF, PNG, JPEG or WebP image, else the error to show.
pub fn check(bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(
            "attachment",
            "le fichier est vide",
            "the file is empty",
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new(
            "attachment",
            "le fichier dépasse 10 Mo",
            "the file is larger than 10 MB",
        ));
    }
    let kind = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        return Err(FieldError::new(
            "attachment",
            "joignez un PDF ou une image (PNG, JPEG, WebP)",
            "attach a PDF or an image (PNG, JPEG, WebP)",
        ));
    };
    Ok(kind)
}

/// A file name safe to send back in a `Content-Disposition` (no path, no quote, no control).
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "piece-jointe".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_comes_from_the_content() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(check(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert!(check(b"<html>%PDF-").is_err());
        assert!(check(b"").is_err());
        assert!(check(&vec![b'%'; MAX_BYTES + 1]).is_err());
        assert_eq!(safe_name("C:\\docs\\\"ab\";x.pdf"), "abx.pdf");
        assert_eq!(safe_name("/"), "piece-jointe");
    }
}
