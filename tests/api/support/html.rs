//! Reading the portal's HTML as a person or a screen reader would: the language and
//! direction, the visible text, hidden form fields.

/// The `lang` and `dir` attributes of the `<html>` element.
pub fn html_lang_dir(html: &str) -> (String, String) {
    let start = html.find("<html").expect("an <html> element");
    let tag = &html[start..start + html[start..].find('>').unwrap()];
    let attr = |name: &str| {
        let key = format!("{name}=\"");
        tag.find(&key)
            .map(|i| {
                let rest = &tag[i + key.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .unwrap_or_default()
    };
    (attr("lang"), attr("dir"))
}

/// The page as a reader sees its text: Leptos's hydration markers (`<!>`, `<!--…-->`) removed,
/// so that "Campaign <!>2026" reads "Campaign 2026".
pub fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else {
            rest.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &rest[e..],
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// A page without its islands' data (`ui::island_data`): it holds every sentence the browser
/// may need, which would match any assertion about what the page shows.
pub fn without_island_data(html: &str) -> String {
    // `<div hidden id=… data-…=… class="island-data"></div>`: values are escaped, so no `<`
    // comes between the element's start and its end.
    const END: &str = r#"class="island-data"></div>"#;
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(end) = rest.find(END) {
        let start = rest[..end].rfind("<div hidden").unwrap_or(end);
        out.push_str(&rest[..start]);
        rest = &rest[end + END.len()..];
    }
    out.push_str(rest);
    out
}

/// The value of the hidden input `name` in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

pub(crate) fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}
