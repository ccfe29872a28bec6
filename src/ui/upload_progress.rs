//! An island around a page's upload forms: a progress bar while a file travels.
//!
//! Without JavaScript each form is a plain multipart POST that answers with a redirect; nothing
//! here runs. With JavaScript the island sends the same form data itself (XMLHttpRequest, the
//! only browser API that reports upload progress), shows how much has gone in a `<progress>`
//! announced in a live region, and when the server answers, opens the page its redirect leads
//! to, exactly where the plain form would have. If the request cannot be made, or fails on
//! the way, the form is submitted the plain way.

use super::island_data::{WithIslandData, island_data};
use crate::island_texts;
use leptos::prelude::*;

#[derive(Clone)]
struct Label {
    /// "Uploading…", in the page's language.
    sending: String,
}
island_texts!(Label, "upload-progress", [sending]);

/// The page's upload forms in the island (one per page).
#[component]
pub fn UploadProgress(
    /// Shown with the bar while a file is sent, in the page's language.
    sending: String,
    children: Children,
) -> impl IntoView {
    view! {
        <WithIslandData data=Label { sending }>
            <Uploader>{children()}</Uploader>
        </WithIslandData>
    }
}

#[island(lazy)]
fn Uploader(children: Children) -> impl IntoView {
    crate::ui::hydration::needed("Uploader");
    let sending = island_data::<Label>()
        .map(|l| l.sending)
        .unwrap_or_default();
    // Percent sent, while a file is on its way.
    let sent = RwSignal::new(None::<u32>);
    #[cfg(feature = "hydrate")]
    let on_submit = browser::wire(sent);
    #[cfg(not(feature = "hydrate"))]
    let on_submit = |_: leptos::ev::SubmitEvent| {};
    view! {
        <div class="upload-progress" on:submit=on_submit>
            {children()}
            <p class="form-status" role="status">
                {move || {
                    sent.get()
                        .map(|p| {
                            view! {
                                <span>{sending.clone()} " " <bdi dir="ltr">{p} "%"</bdi></span>
                                <progress class="upload-progress__bar" max="100" value=p></progress>
                            }
                        })
                }}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::{ev::SubmitEvent, prelude::*};
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};

    /// The submit handler: a multipart form is sent by XMLHttpRequest with its progress shown.
    pub fn wire(sent: RwSignal<Option<u32>>) -> impl Fn(SubmitEvent) + 'static {
        move |ev: SubmitEvent| {
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            if form.enctype() != "multipart/form-data" {
                return;
            }
            let (Ok(data), Ok(xhr)) = (FormData::new_with_form(&form), XmlHttpRequest::new())
            else {
                return;
            };
            if xhr.open("POST", &form.action()).is_err() {
                return;
            }
            ev.prevent_default();
            if let Ok(upload) = xhr.upload() {
                let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        sent.set(Some((e.loaded() * 100.0 / e.total()) as u32));
                    }
                });
                upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
                // The page is left when the answer comes: nothing to free before that.
                progress.forget();
            }
            let (done_xhr, done_form) = (xhr.clone(), form.clone());
            let done = Closure::<dyn FnMut()>::new(move || {
                // The redirect was followed: the answer's address is where the plain form
                // would have landed.
                let url = done_xhr.response_url();
                if done_xhr.status().is_ok_and(|s| s == 200) && !url.is_empty() {
                    let location = window().location();
                    let here = location.href().unwrap_or_default();
                    let here = here.split('#').next().unwrap_or_default();
                    if url == here {
                        // The same page again (the address lost its fragment on the way): to
                        // the document's section, then reloaded to show the new file.
                        if let Some(kind) = done_form.action().rsplit('/').next() {
                            let _ = location.set_hash(kind);
                        }
                        let _ = location.reload();
                    } else {
                        let _ = location.assign(&url);
                    }
                } else {
                    sent.set(None);
                    let _ = done_form.submit();
                }
            });
            let failed_form = form.clone();
            let failed = Closure::<dyn FnMut()>::new(move || {
                sent.set(None);
                let _ = failed_form.submit();
            });
            xhr.set_onload(Some(done.as_ref().unchecked_ref()));
            xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
            done.forget();
            failed.forget();
            sent.set(Some(0));
            if xhr.send_with_opt_form_data(Some(&data)).is_err() {
                sent.set(None);
                let _ = form.submit();
            }
        }
    }
}
