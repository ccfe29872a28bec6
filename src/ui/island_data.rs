//! What an island needs from the server, handed over through the page as text instead of as
//! props.
//!
//! Leptos sends an island's props as JSON in `data-props`: the browser then parses them with
//! serde_json, and each island's wrapper serialises them too (it is the same function on both
//! sides). That brought serde_json's parser, printer and error messages into the WebAssembly
//! every island page loads. Here the server writes each datum into a `data-` attribute of one
//! hidden element and gives the datum to the island through the context; in the browser the
//! island reads the attributes back with its own small parser (`form::wire`'s line format, or
//! plain text). The islands themselves then take no props, only `children`.
//!
//! Each kind of data names its element, so a page holds at most one island of each kind.

use leptos::{
    attr::custom::custom_attribute,
    prelude::*,
    tachys::html::attribute::any_attribute::{AnyAttribute, IntoAnyAttribute},
};

/// Data an island receives from the server. `write` and `read` are each other's inverse.
pub trait IslandData: Sized + Clone + Send + Sync + 'static {
    /// The id of the element that carries it.
    const ID: &'static str;

    /// The data as named texts; each becomes the attribute `data-{name}`.
    fn write(&self) -> Vec<(&'static str, String)>;

    /// The data from its texts (`text(name)`); `None` if one is missing or damaged.
    fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self>;
}

/// Writes `data` into the page and gives it to the island(s) in `children` (on the server).
#[component]
pub fn WithIslandData<T: IslandData>(data: T, children: Children) -> impl IntoView {
    let attrs: Vec<AnyAttribute> = data
        .write()
        .into_iter()
        .map(|(name, text)| custom_attribute(format!("data-{name}"), text).into_any_attr())
        .collect();
    provide_context(data);
    view! {
        <div hidden class="island-data" id={T::ID} {..attrs}></div>
        {children()}
    }
}

/// The island's data: on the server from the enclosing `WithIslandData`, in the browser from
/// the element it wrote. `None` (an island used without it, or a damaged page) leaves the
/// island inert, the server's markup working as it does without JavaScript.
pub fn island_data<T: IslandData>() -> Option<T> {
    #[cfg(feature = "hydrate")]
    {
        let element = document().get_element_by_id(T::ID)?;
        T::read(&|name| element.get_attribute(&format!("data-{name}")))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<T>()
    }
}

/// `IslandData` for a struct of `String` fields, each written under its own name.
#[macro_export]
macro_rules! island_texts {
    ($ty:ty, $id:literal, [$($field:ident),+ $(,)?]) => {
        impl $crate::ui::island_data::IslandData for $ty {
            const ID: &'static str = $id;

            fn write(&self) -> Vec<(&'static str, String)> {
                vec![$((stringify!($field), self.$field.clone())),+]
            }

            fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
                Some(Self { $($field: text(stringify!($field))?),+ })
            }
        }
    };
}

/// What an island would read of what the server wrote (for tests).
#[cfg(test)]
pub fn through_page<T: IslandData>(data: &T) -> Option<T> {
    let texts = data.write();
    T::read(&|name| {
        texts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| text.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Sentences {
        hello: String,
        bye: String,
    }
    crate::island_texts!(Sentences, "sentences", [hello, bye]);

    /// Stands for an island on the server: shows what it was given.
    #[component]
    fn Reader() -> impl IntoView {
        let s = island_data::<Sentences>();
        view! { <p>{s.map(|s| format!("given {}", s.bye))}</p> }
    }

    #[test]
    fn the_server_writes_what_the_island_reads() {
        let s = Sentences {
            hello: "مرحبا \"<b>\" & <script>".into(),
            bye: "bye".into(),
        };
        let html = Owner::new().with(|| {
            view! { <WithIslandData data=s.clone()><Reader /></WithIslandData> }.to_html()
        });
        assert!(
            html.starts_with(r#"<div hidden id="sentences" data-hello="#),
            "{html}"
        );
        assert!(html.contains(r#"class="island-data"></div>"#), "{html}");
        assert!(html.contains("<p>given bye</p>"), "{html}");
        let alone = Owner::new().with(|| view! { <Reader /> }.to_html());
        assert!(
            !alone.contains("given"),
            "no data outside WithIslandData: {alone}"
        );
        assert!(!html.contains("<script>"), "escaped: {html}");
        // What the browser's `getAttribute` would give back.
        let attr = |name: &str| {
            let start = html.find(&format!("data-{name}=\""))? + name.len() + 7;
            let end = start + html[start..].find('"')?;
            Some(
                html[start..end]
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        };
        assert_eq!(Sentences::read(&attr), Some(s));
        assert_eq!(Sentences::read(&|_| None), None);
    }
}
