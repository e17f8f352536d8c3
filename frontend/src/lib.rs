//! Browser entry: hydrates the HTML the server rendered.

/// Hydrates asynchronously: a page whose code is split off (`cargo leptos build --split`)
/// loads its chunk first. Browser tests wait for `data-hydrated`, set only once the whole
/// page is live (a click before that is lost).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), agente_app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
