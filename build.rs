//! Generates the `i18n` module from `locales/*.json` (compile-time checked keys for ar, fr, en).
use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::{error::Error, path::PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    // sqlx::migrate! embeds the migrations: rebuild when one is added or edited.
    println!("cargo::rerun-if-changed=migrations");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Arabic first: it is the default locale (no cookie, no matching Accept-Language).
    // `interpolate_display`: messages with a number ("try again in 5 minutes", with Arabic's
    // plural forms) can be made as strings, for error summaries and e-mails.
    let cfg = Config::new("ar")?
        .add_locale("fr")?
        .add_locale("en")?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
