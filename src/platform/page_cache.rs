//! Pages that are the same for every anonymous visitor in a language (the home page, the
//! services' start pages, the information pages, the calculator before any answer), served
//! from memory (issue 23). Rendering such a page and compressing it with brotli on every request
//! cost 20 times what sending it does.
//!
//! - **Who gets it.** A `GET` of one of the listed paths, without a query string, whose only
//!   cookie (if any) is the language's. Anything else, a session cookie above all, goes to the
//!   router as before: the cache can never answer a signed-in person, whatever the page.
//! - **What is kept.** The page as the router rendered it for an anonymous visitor (status 200,
//!   no cookie set, in the language asked), plain, gzip and brotli (quality 11), keyed by path
//!   and language. Each process keeps its own: a release starts with an empty cache.
//! - **A fresh nonce per response.** The page's inline scripts carry the Content-Security-Policy
//!   nonce, which must differ on every response. The compressed forms are built so that each
//!   place the nonce stands is stored *uncompressed* (a stored deflate block, an uncompressed
//!   brotli meta-block): a response is the kept bytes with the new nonce copied over those places
//!   (and, for gzip, the checksum redone), which costs a copy, not a compression.
//! - **How long.** `BAWABA_PAGE_CACHE_SECONDS` (a minute unless set; 0 turns the cache off).
//!   Reference data (tariffs, fees, campaigns, centres) changes with a release, which starts new
//!   processes; a change made around the portal (directly in the database, or the counters of
//!   `bawaba centres counters`, which order the centres) and what depends on the clock (the
//!   campaign on sale) show within that time.

use axum::{body::Body, extract::Request, middleware::Next, response::Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// The largest page kept (a public page is a few tens of KiB).
const MAX_PAGE: usize = 512 * 1024;

/// The per-process cache of public pages.
pub struct PageCache {
    paths: &'static [&'static str],
    https: bool,
    fresh_for: Duration,
    entries: RwLock<HashMap<(&'static str, &'static str), Arc<Entry>>>,
}

impl PageCache {
    /// `paths`: the pages that are the same for every anonymous visitor in a language, kept for
    /// `fresh_for` (zero: none is).
    pub fn new(paths: &'static [&'static str], https: bool, fresh_for: Duration) -> Self {
        Self {
            paths,
            https,
            fresh_for,
            entries: RwLock::default(),
        }
    }

    /// The cache key of a request it may answer: (path, language).
    fn key_of(&self, req: &Request) -> Option<(&'static str, &'static str)> {
        if self.fresh_for.is_zero() || req.method() != Method::GET || req.uri().query().is_some() {
            return None;
        }
        let path = *self.paths.iter().find(|p| **p == req.uri().path())?;
        if !only_the_language_cookie(req.headers()) {
            return None;
        }
        // Belt and braces: the cookie check above already refuses any session cookie.
        if super::session::token_from(req.headers(), self.https).is_some() {
            return None;
        }
        let locale = leptos_i18n::Locale::as_str(super::locale::from_headers(req.headers()));
        Some((path, locale))
    }

    /// The kept page to answer with, or `None` when this request is to render it: there is none
    /// yet, or it is older than `fresh_for` and no other request is rendering it already (the
    /// others keep getting the old page meanwhile, rather than all rendering at once).
    fn answer(&self, key: &(&'static str, &'static str)) -> Option<Arc<Entry>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let renew =
            entry.made.elapsed() >= self.fresh_for && !entry.renewing.swap(true, Ordering::Relaxed);
        (!renew).then(|| entry.clone())
    }

    /// A render that could not be kept: the old page (if any) may be renewed by the next request.
    fn not_renewed(&self, key: &(&'static str, &'static str)) {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get(key) {
            entry.renewing.store(false, Ordering::Relaxed);
        }
    }

    fn keep(&self, key: (&'static str, &'static str), entry: Arc<Entry>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(key, entry);
    }
}

/// Whether every cookie the request carries is the language's (or it carries none).
fn only_the_language_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().all(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .all(|c| c.split('=').next() == Some(super::locale::LOCALE_COOKIE))
        })
    })
}

/// The outermost layer: answers from the cache, or lets every layer and the router render the
/// page, keeps it with the headers they gave it, and answers.
pub async fn serve(cache: Arc<PageCache>, req: Request, next: Next) -> Response {
    let Some(key) = cache.key_of(&req) else {
        return next.run(req).await;
    };
    let encoding = Encoding::accepted(req.headers());
    if let Some(entry) = cache.answer(&key) {
        return entry.respond(encoding, request_id(req.headers()));
    }
    let mut req = req;
    // The plain page is kept; the cache compresses it itself.
    req.headers_mut().insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    let res = next.run(req).await;
    let id = res.headers().get(REQUEST_ID).cloned();
    let (parts, body) = res.into_parts();
    let storable = parts.status == StatusCode::OK
        && !parts.headers.contains_key(header::SET_COOKIE)
        && !parts.headers.contains_key(header::CONTENT_ENCODING)
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        // Only a page over `MAX_PAGE` (none of the listed ones is near it) or a failed render.
        tracing::error!(
            path = key.0,
            "a public page could not be read for the cache"
        );
        return axum::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR);
    };
    if !storable {
        cache.not_renewed(&key);
        return Response::from_parts(parts, Body::from(bytes));
    }
    let lang_attr = format!("<html lang=\"{}\"", key.1);
    let made = tokio::task::spawn_blocking({
        let bytes = bytes.clone();
        let headers = parts.headers.clone();
        move || {
            // A page in another language than the key says is not kept (the language is worked
            // out here as the pages work it out; this checks that they agree).
            let body = std::str::from_utf8(&bytes).ok()?;
            body.contains(&lang_attr).then_some(())?;
            Entry::new(&bytes, &headers)
        }
    })
    .await;
    match made {
        Ok(Some(entry)) => {
            let entry = Arc::new(entry);
            cache.keep(key, entry.clone());
            let id = id.unwrap_or_else(|| request_id(&HeaderMap::new()));
            entry.respond(encoding, id)
        }
        _ => {
            cache.not_renewed(&key);
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

const REQUEST_ID: &str = super::telemetry::REQUEST_ID_HEADER;

/// The request id of an answer from the cache, as the telemetry layers (which it does not go
/// through) would give it: the one the request brought if it is well formed, else a new one.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    let mut given = headers.get_all(REQUEST_ID).iter();
    match (given.next(), given.next()) {
        (Some(id), None) if super::telemetry::is_well_formed_request_id(id.as_bytes()) => {
            id.clone()
        }
        _ => HeaderValue::try_from(uuid::Uuid::new_v4().to_string())
            .unwrap_or(HeaderValue::from_static("-")),
    }
}

/// The content coding a response is sent in, from `Accept-Encoding` (brotli first).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn accepted(headers: &HeaderMap) -> Self {
        let accepts = |name: &str| {
            headers.get_all(header::ACCEPT_ENCODING).iter().any(|v| {
                v.to_str().unwrap_or_default().split(',').any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    parts.next().is_some_and(|n| n.eq_ignore_ascii_case(name))
                        && parts.all(|p| {
                            p.strip_prefix("q=")
                                .is_none_or(|q| q.parse::<f32>().is_ok_and(|q| q > 0.0))
                        })
                })
            })
        };
        if accepts("br") {
            Self::Brotli
        } else if accepts("gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }
}

/// One kept page: its headers and its three forms, each with the places of the nonce.
struct Entry {
    made: Instant,
    /// A request is rendering this page again (it is older than `fresh_for`).
    renewing: AtomicBool,
    headers: HeaderMap,
    plain: Spliced,
    gzip: Gzip,
    brotli: Option<Spliced>,
}

impl Entry {
    /// `None` when the page has no page policy with a nonce to replace.
    fn new(page: &[u8], headers: &HeaderMap) -> Option<Self> {
        let policy = headers
            .get(header::CONTENT_SECURITY_POLICY)?
            .to_str()
            .ok()?;
        let nonce = nonce_of(policy)?;
        if nonce.len() != leptos::nonce::Nonce::new().len() {
            return None;
        }
        let segments = split_at(page, nonce.as_bytes());
        let mut kept = HeaderMap::new();
        for (name, value) in headers {
            let own = [
                header::CONTENT_SECURITY_POLICY,
                header::CONTENT_LENGTH,
                header::CONTENT_ENCODING,
                header::VARY,
                http::HeaderName::from_static(REQUEST_ID),
            ];
            if !own.contains(name) {
                kept.append(name, value.clone());
            }
        }
        Some(Self {
            made: Instant::now(),
            renewing: AtomicBool::new(false),
            headers: kept,
            plain: splice::plain(&segments, nonce.len()),
            gzip: splice::gzip(&segments, nonce.len()),
            brotli: splice::brotli(&segments, nonce.len()),
        })
    }

    fn respond(&self, encoding: Encoding, request_id: HeaderValue) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let n = nonce.as_bytes();
        let (body, coding) = match (encoding, &self.brotli) {
            (Encoding::Brotli, Some(br)) => (br.with(n), Some("br")),
            (Encoding::Brotli | Encoding::Gzip, _) => (self.gzip.with(n), Some("gzip")),
            (Encoding::Identity, _) => (self.plain.with(n), None),
        };
        let mut res = Response::new(Body::from(body));
        let h = res.headers_mut();
        h.clone_from(&self.headers);
        if let Ok(csp) = HeaderValue::from_str(&super::security::page_csp(&nonce)) {
            h.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        h.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Encoding, Accept-Language, Cookie"),
        );
        if let Some(coding) = coding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        h.insert(REQUEST_ID, request_id);
        res
    }
}

/// The nonce of a page policy (`script-src 'nonce-…'`).
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len])
}

/// The page cut at each occurrence of the nonce: the parts between them, in order.
fn split_at<'a>(page: &'a [u8], nonce: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.windows(nonce.len()).position(|w| w == nonce) {
        parts.push(&rest[..at]);
        rest = &rest[at + nonce.len()..];
    }
    parts.push(rest);
    parts
}

/// Bytes with holes of the nonce's length at known offsets.
struct Spliced {
    bytes: Bytes,
    holes: Vec<usize>,
}

impl Spliced {
    fn with(&self, nonce: &[u8]) -> Bytes {
        if self.holes.is_empty() {
            return self.bytes.clone();
        }
        let mut out = self.bytes.to_vec();
        for &at in &self.holes {
            out[at..at + nonce.len()].copy_from_slice(nonce);
        }
        out.into()
    }
}

/// The gzip form, and each part's checksum: gzip ends with the CRC-32 of the whole page, which
/// a new nonce changes.
struct Gzip {
    spliced: Spliced,
    crcs: Vec<crc32fast::Hasher>,
}

impl Gzip {
    fn with(&self, nonce: &[u8]) -> Bytes {
        if self.spliced.holes.is_empty() {
            return self.spliced.bytes.clone();
        }
        let mut out: Vec<u8> = self.spliced.with(nonce).into();
        let mut crc = self.crcs[0].clone();
        for part in &self.crcs[1..] {
            let mut n = crc32fast::Hasher::new();
            n.update(nonce);
            crc.combine(&n);
            crc.combine(part);
        }
        let at = out.len() - 8;
        out[at..at + 4].copy_from_slice(&crc.finalize().to_le_bytes());
        out.into()
    }
}

/// Building the three forms with the nonce's places left uncompressed.
mod splice {
    use super::{Gzip, Spliced};

    /// The page as it is, with the nonce's places.
    pub(super) fn plain(parts: &[&[u8]], nonce_len: usize) -> Spliced {
        let mut bytes = Vec::new();
        let mut holes = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                holes.push(bytes.len());
                bytes.resize(bytes.len() + nonce_len, b'-');
            }
            bytes.extend_from_slice(part);
        }
        Spliced {
            bytes: bytes.into(),
            holes,
        }
    }

    /// gzip (RFC 1952) around raw deflate (RFC 1951): each part compressed on its own and ended
    /// with a sync flush (byte aligned, not final), each nonce in a stored block, then a final
    /// empty stored block, the CRC-32 and the length.
    pub(super) fn gzip(parts: &[&[u8]], nonce_len: usize) -> Gzip {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
        let mut holes = Vec::new();
        let mut crcs = Vec::new();
        let mut total = 0usize;
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                // BFINAL 0, BTYPE 00 (stored), then LEN and its complement.
                let len = nonce_len as u16;
                out.push(0);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&(!len).to_le_bytes());
                holes.push(out.len());
                out.resize(out.len() + nonce_len, b'-');
                total += nonce_len;
            }
            deflate_flushed(&mut out, part);
            let mut crc = crc32fast::Hasher::new();
            crc.update(part);
            crcs.push(crc);
            total += part.len();
        }
        // BFINAL 1, BTYPE 00, LEN 0.
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
        let mut crc = crcs[0].clone();
        for part in &crcs[1..] {
            let mut n = crc32fast::Hasher::new();
            n.update(&vec![b'-'; nonce_len]);
            crc.combine(&n);
            crc.combine(part);
        }
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        Gzip {
            spliced: Spliced {
                bytes: out.into(),
                holes,
            },
            crcs,
        }
    }

    /// Appends `part` as raw deflate ended by a sync flush: byte aligned, no final block, and
    /// nothing after it refers back into it (each part has its own compressor).
    fn deflate_flushed(out: &mut Vec<u8>, part: &[u8]) {
        let mut z = flate2::Compress::new(flate2::Compression::best(), false);
        let mut input = part;
        loop {
            out.reserve(input.len() / 2 + 256);
            let before = z.total_in();
            let status = z.compress_vec(input, out, flate2::FlushCompress::Sync);
            input = &input[(z.total_in() - before) as usize..];
            // Done when all of it went in and the flush had room to finish.
            if status.is_err() || (input.is_empty() && out.len() < out.capacity()) {
                break;
            }
        }
    }

    /// Brotli (RFC 7932) from streams joined by the brotli crate's `BroCatli`: the first part
    /// compressed to be appended to, every later part to be concatenated, and each nonce as a
    /// stream of one uncompressed meta-block. `None` if the joined stream does not hold each
    /// nonce exactly once, uncompressed (it always should).
    pub(super) fn brotli(parts: &[&[u8]], nonce_len: usize) -> Option<Spliced> {
        const LGWIN: i32 = 22;
        let marker: Vec<u8> = (0..nonce_len).map(|i| b"!#$%&*+"[i % 7]).collect();
        let mut streams: Vec<Vec<u8>> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                streams.push(uncompressed_stream(&marker, LGWIN as u8)?);
            }
            let mut params = ::brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: LGWIN,
                ..Default::default()
            };
            if i == 0 {
                params.appendable = true;
            } else {
                params.catable = true;
                params.use_dictionary = false;
            }
            let mut out = Vec::new();
            ::brotli::BrotliCompress(&mut &part[..], &mut out, &params).ok()?;
            streams.push(out);
        }
        let mut joined = vec![0u8; streams.iter().map(Vec::len).sum::<usize>() + 16];
        let mut at = 0usize;
        let mut cat = ::brotli::concat::BroCatli::new();
        for stream in &streams {
            cat.new_brotli_file();
            let mut read = 0usize;
            while read < stream.len() {
                use ::brotli::concat::BroCatliResult;
                match cat.stream(stream, &mut read, &mut joined, &mut at) {
                    BroCatliResult::Success | BroCatliResult::NeedsMoreInput => {}
                    _ => return None,
                }
            }
        }
        if cat.finish(&mut joined, &mut at) != ::brotli::concat::BroCatliResult::Success {
            return None;
        }
        joined.truncate(at);
        let holes = super::split_at(&joined, &marker)
            .iter()
            .scan(0usize, |offset, part| {
                *offset += part.len();
                let hole = *offset;
                *offset += nonce_len;
                Some(hole)
            })
            .collect::<Vec<_>>();
        let holes = holes[..holes.len() - 1].to_vec();
        (holes.len() == parts.len() - 1).then(|| Spliced {
            bytes: joined.into(),
            holes,
        })
    }

    /// A whole brotli stream holding `data` in one uncompressed meta-block: the window size,
    /// the meta-block's header (not last, four length nibbles, uncompressed), the bytes, and
    /// the last, empty meta-block. Window sizes 18 to 24 only.
    fn uncompressed_stream(data: &[u8], lgwin: u8) -> Option<Vec<u8>> {
        if !(18..=24).contains(&lgwin) || data.is_empty() || data.len() > 1 << 16 {
            return None;
        }
        let mlen = (data.len() - 1) as u32;
        // Bits, least significant first: WBITS = 1 then (lgwin - 17) in 3 bits; ISLAST 0;
        // MNIBBLES 00 (four nibbles); MLEN - 1 in 16 bits; ISUNCOMPRESSED 1. 24 bits in all,
        // so the data starts byte aligned.
        let bits: u32 = 1 | (u32::from(lgwin - 17) << 1) | (mlen << 7) | (1 << 23);
        let mut out = bits.to_le_bytes()[..3].to_vec();
        out.extend_from_slice(data);
        // ISLAST 1, ISLASTEMPTY 1.
        out.push(0b11);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    const NONCE: &str = "AbCdEfGhIjKlMnOpQrStUv";

    fn page() -> String {
        let mut body = String::new();
        for i in 0..300 {
            body.push_str(&format!(
                "<li class=\"service-card\">خدمة رقم {i}, service {i}</li>\n"
            ));
        }
        format!(
            "<!DOCTYPE html><html lang=\"ar\"><head><link rel=\"modulepreload\" crossorigin=\"anonymous\">\
             <script type=\"module\" nonce=\"{NONCE}\">register()</script></head><body>{body}\
             <script nonce=\"{NONCE}\">x()</script></body></html>"
        )
    }

    fn gunzip(bytes: &[u8]) -> String {
        let mut out = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut out)
            .expect("valid gzip, checksum included");
        out
    }

    fn unbrotli(bytes: &[u8]) -> String {
        let mut out = String::new();
        ::brotli::Decompressor::new(bytes, 4096)
            .read_to_string(&mut out)
            .expect("valid brotli");
        out
    }

    #[test]
    fn every_form_decodes_to_the_page_with_each_new_nonce() {
        let page = page();
        let parts = split_at(page.as_bytes(), NONCE.as_bytes());
        assert_eq!(parts.len(), 3);
        let plain = splice::plain(&parts, NONCE.len());
        let gzip = splice::gzip(&parts, NONCE.len());
        let brotli = splice::brotli(&parts, NONCE.len()).expect("joined");
        for _ in 0..3 {
            let fresh = leptos::nonce::Nonce::new();
            let expected = page.replace(NONCE, &fresh);
            let n = fresh.as_bytes();
            assert_eq!(String::from_utf8(plain.with(n).to_vec()).unwrap(), expected);
            assert_eq!(gunzip(&gzip.with(n)), expected);
            assert_eq!(unbrotli(&brotli.with(n)), expected);
        }
        // Still compressed: the nonce's places cost a few bytes each, not the page.
        assert!(
            brotli.bytes.len() < page.len() / 5,
            "{} of {}",
            brotli.bytes.len(),
            page.len()
        );
        assert!(gzip.spliced.bytes.len() < page.len() / 4);
    }

    #[test]
    fn a_page_without_a_nonce_is_one_part() {
        let parts = split_at(b"<p>plain</p>", NONCE.as_bytes());
        assert_eq!(parts.len(), 1);
        let brotli = splice::brotli(&parts, NONCE.len()).unwrap();
        assert_eq!(unbrotli(&brotli.with(NONCE.as_bytes())), "<p>plain</p>");
        let gzip = splice::gzip(&parts, NONCE.len());
        assert_eq!(gunzip(&gzip.with(NONCE.as_bytes())), "<p>plain</p>");
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_coding_is_not_used() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            Encoding::accepted(&h)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(with("gzip"), Encoding::Gzip);
        assert_eq!(with("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(with("identity"), Encoding::Identity);
        assert_eq!(Encoding::accepted(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn only_the_language_cookie_lets_a_request_through() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(v).unwrap());
            only_the_language_cookie(&h)
        };
        assert!(only_the_language_cookie(&HeaderMap::new()));
        assert!(with("i18n_pref_locale=fr"));
        assert!(!with("i18n_pref_locale=fr; bawaba_session=abc"));
        assert!(!with("__Host-bawaba_session=abc"));
        assert!(!with("anything=1"));
    }

    #[test]
    fn the_nonce_is_read_from_the_page_policy() {
        let policy = crate::platform::security::page_csp(NONCE);
        assert_eq!(nonce_of(&policy), Some(NONCE));
        assert_eq!(nonce_of(crate::platform::security::DEFAULT_CSP), None);
    }
}
