//! The tray's icons (one per state, differing in shape as well as colour; a monochrome set for panels
//! that show symbolic icons).

use crate::model::view::IconState;

/// Which set the tray uses: the system's convention (template images in the macOS menu bar, colour
/// elsewhere); `IDBRIDGE_TRAY_ICONS=symbolic` (or `colour`) picks another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Colour,
    Symbolic,
    /// Black shapes the macOS menu bar recolours for light and dark mode.
    Template,
}

impl Style {
    pub fn from_env() -> Self {
        match std::env::var("IDBRIDGE_TRAY_ICONS").as_deref() {
            Ok("symbolic") => Self::Symbolic,
            Ok("colour") => Self::Colour,
            _ if cfg!(target_os = "macos") => Self::Template,
            _ => Self::Colour,
        }
    }
}

pub fn icon_for(state: IconState, style: Style) -> tray_icon::Icon {
    decode(icon_bytes(state, style))
        .and_then(|(rgba, width, height)| tray_icon::Icon::from_rgba(rgba, width, height).ok())
        .unwrap_or_else(blank)
}

fn icon_bytes(state: IconState, style: Style) -> &'static [u8] {
    match (style, state) {
        (Style::Colour, IconState::SignedOut) => include_bytes!("../../../icons/tray-signed-out.png"),
        (Style::Colour, IconState::Ok) => include_bytes!("../../../icons/tray-ok.png"),
        (Style::Colour, IconState::Expiring) => include_bytes!("../../../icons/tray-expiring.png"),
        (Style::Colour, IconState::Error) => include_bytes!("../../../icons/tray-error.png"),
        (Style::Symbolic, IconState::SignedOut) => include_bytes!("../../../icons/symbolic/tray-signed-out.png"),
        (Style::Symbolic, IconState::Ok) => include_bytes!("../../../icons/symbolic/tray-ok.png"),
        (Style::Symbolic, IconState::Expiring) => include_bytes!("../../../icons/symbolic/tray-expiring.png"),
        (Style::Symbolic, IconState::Error) => include_bytes!("../../../icons/symbolic/tray-error.png"),
        (Style::Template, IconState::SignedOut) => include_bytes!("../../../icons/template/tray-signed-out.png"),
        (Style::Template, IconState::Ok) => include_bytes!("../../../icons/template/tray-ok.png"),
        (Style::Template, IconState::Expiring) => include_bytes!("../../../icons/template/tray-expiring.png"),
        (Style::Template, IconState::Error) => include_bytes!("../../../icons/template/tray-error.png"),
    }
}

/// An RGBA PNG (every icon here: the test below) as its pixels.
fn decode(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut reader = png::Decoder::new(bytes).read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).ok()?;
    let ok = info.color_type == png::ColorType::Rgba && info.bit_depth == png::BitDepth::Eight;
    ok.then(|| (pixels[..info.buffer_size()].to_vec(), info.width, info.height))
}

#[allow(clippy::expect_used)] // one transparent pixel is always a valid icon
fn blank() -> tray_icon::Icon {
    tray_icon::Icon::from_rgba(vec![0; 4], 1, 1).expect("a 1x1 RGBA icon")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 16-bit PNGs render as noise as window icons: every source is 8 bits per channel, RGBA.
    #[test]
    fn every_icon_is_an_8_bit_rgba_png_that_decodes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons");
        let mut files: Vec<_> = ["", "symbolic", "template"]
            .iter()
            .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        files.sort();
        assert!(files.len() >= 15, "{files:?}");
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            // IHDR: bit depth at byte 24, colour type at 25 (6 = RGBA)
            assert_eq!((bytes[24], bytes[25]), (8, 6), "{}", f.display());
        }
        for style in [Style::Colour, Style::Symbolic, Style::Template] {
            for state in [IconState::SignedOut, IconState::Ok, IconState::Expiring, IconState::Error] {
                let (_, width, height) = decode(icon_bytes(state, style)).unwrap();
                assert_eq!((width, height), (64, 64), "{state:?} {style:?}");
            }
        }
    }
}
