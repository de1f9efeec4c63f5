//! The tray's icons (one per state, differing in shape as well as colour; a monochrome set for panels
//! that show symbolic icons).

use tauri::image::Image;

use crate::tray::model::view::IconState;

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

pub fn tray_image(state: IconState, style: Style) -> Image<'static> {
    let bytes: &'static [u8] = match (style, state) {
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
    };
    Image::from_bytes(bytes).unwrap_or_else(|_| Image::new(&[0, 0, 0, 0], 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 16-bit PNGs render as noise as window icons: every source is 8 bits per channel, RGBA.
    #[test]
    fn every_icon_is_an_8_bit_rgba_png_that_decodes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../icons");
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
                let image = tray_image(state, style);
                assert_eq!((image.width(), image.height()), (64, 64), "{state:?} {style:?}");
            }
        }
    }
}
