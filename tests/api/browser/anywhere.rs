//! The connect page as a platform embeds it: brand marks, theme and accent colour, the
//! browser's language, the error return, the popup flow, and screenshots for a person to see.

use super::Browser;
use super::linking::sandbox_app;
use crate::fakes;
use crate::helpers::TestApp;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const DARK_BG: &str = "rgb(18, 21, 28)";
const LIGHT_BG: &str = "rgb(246, 247, 251)";

/// A new profile's link with `options`, opened in the browser up to the page itself.
fn open_page(browser: &Browser, app: &TestApp, options: &Value) -> (String, String) {
    let key = app.key("acme");
    let id = app.new_profile(&key, "Browser user")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, options);
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.wait_for_url(&format!("{}/connect/app", app.base));
    browser.wait_for("#platforms li");
    (key, id)
}

fn background(browser: &Browser) -> String {
    browser.eval("return getComputedStyle(document.body).backgroundColor", json!([])).as_str().unwrap().to_string()
}

#[test]
fn every_platform_shows_its_mark_on_its_colour_with_its_name_for_screen_readers() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    open_page(&browser, &app, &json!({}));
    let marks = browser.eval(
        r#"return Array.from(document.querySelectorAll('#platforms li')).map((li) => {
             const tile = li.querySelector(".mark");
             const use = tile.querySelector("use");
             const symbol = document.querySelector(use.getAttribute("href"));
             const box = tile.querySelector("svg").getBoundingClientRect();
             return { platform: li.dataset.platform, name: li.querySelector(".name").textContent,
                      role: tile.getAttribute("role"), label: tile.getAttribute("aria-label"),
                      drawn: !!symbol && symbol.querySelector("path").getAttribute("d").length > 50,
                      width: box.width, height: box.height, background: getComputedStyle(tile).backgroundColor };
           })"#,
        json!([]),
    );
    let marks = marks.as_array().unwrap();
    assert_eq!(marks.len(), 10, "{marks:?}");
    let colours: HashMap<&str, &str> = [
        ("linkedin", "rgb(10, 102, 194)"),
        ("x", "rgb(0, 0, 0)"),
        ("facebook", "rgb(8, 102, 255)"),
        ("instagram", "rgb(255, 0, 105)"),
        ("youtube", "rgb(255, 0, 0)"),
        ("bluesky", "rgb(17, 133, 254)"),
    ]
    .into();
    for m in marks {
        let platform = m["platform"].as_str().unwrap();
        assert_eq!(m["role"], "img", "{m}");
        assert_eq!(m["label"], m["name"], "the mark is named as the platform: {m}");
        assert_eq!(m["drawn"], true, "{m}");
        assert!(m["width"].as_f64().unwrap() >= 20.0 && m["height"].as_f64().unwrap() >= 20.0, "{m}");
        if let Some(colour) = colours.get(platform) {
            assert_eq!(m["background"], *colour, "{m}");
        }
    }
    let labels: Vec<&str> = marks.iter().map(|m| m["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"LinkedIn") && labels.contains(&"TikTok") && labels.contains(&"Bluesky"), "{labels:?}");
    // The sandbox button carries the sandbox mark; a linked account adds its picture.
    let sandbox = r#"li[data-platform="bluesky"] button[data-action="sandbox"] use"#;
    assert_eq!(
        browser.eval(&format!("return document.querySelector('{sandbox}').getAttribute('href')"), json!([])),
        "#mark-sandbox"
    );
    browser.click(r#"li[data-platform="x"] button[data-action="connect"]"#);
    browser.wait_for(r#"li[data-platform="x"][data-state="linked"] img.avatar"#);
    let broken = r#"return new Promise((done) => setTimeout(() => done(Array.from(document.images)
        .filter((i) => !i.hidden && !(i.complete && i.naturalWidth > 0)).map((i) => i.src)), 300))"#;
    let script = format!("return (async () => {{ {broken} }})()");
    assert_eq!(browser.eval(&script, json!([])), json!([]), "no broken images");
}

#[test]
fn the_dark_theme_applies_when_asked_and_auto_follows_the_browsers_colour_scheme() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    open_page(&browser, &app, &json!({"theme": "dark"}));
    assert_eq!(background(&browser), DARK_BG);
    open_page(&browser, &app, &json!({}));
    assert_eq!(background(&browser), LIGHT_BG, "auto, in a browser that prefers light");
    browser.prefer_color_scheme("dark");
    assert_eq!(background(&browser), DARK_BG, "auto, once the browser prefers dark");
    open_page(&browser, &app, &json!({"theme": "light"}));
    assert_eq!(background(&browser), LIGHT_BG, "light stays light in a dark browser");
    // A light brand colour keeps its buttons' text readable.
    open_page(&browser, &app, &json!({"accentColor": "#ffd400", "platforms": ["x"]}));
    let button = browser.eval(
        r#"const b = getComputedStyle(document.querySelector("button.primary"));
           return [b.backgroundColor, b.color]"#,
        json!([]),
    );
    assert_eq!(button, json!(["rgb(255, 212, 0)", "rgb(17, 17, 17)"]));
}

#[test]
fn a_browser_that_prefers_german_gets_the_german_page_when_the_link_names_no_language() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    browser.accept_language("de-DE,de;q=0.9");
    let key = app.key("acme");
    let id = app.new_profile(&key, "Deutsch")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"platforms": ["x"]}));
    browser.goto(link["url"].as_str().unwrap());
    assert_eq!(browser.text("#continue"), "Weiter");
    browser.click("#continue");
    assert_eq!(browser.text("#title"), "Verbinde deine Konten");
    assert_eq!(browser.text(r#"li[data-platform="x"] button[data-action="connect"]"#), "Verbinden");
    assert_eq!(browser.eval("return document.documentElement.lang", json!([])), "de");
    // The link's own language wins.
    let link = app.new_link(&key, &id, &json!({"platforms": ["x"], "language": "fr"}));
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    assert_eq!(browser.text("#title"), "Connectez vos comptes");
}

#[test]
fn declining_at_the_provider_and_pressing_done_lands_on_the_error_redirect_url() {
    let Some(browser) = Browser::start() else { return };
    let Some(rig) = crate::real_oauth::Rig::start() else { return };
    rig.decline();
    let app = &rig.app;
    let id = app.new_profile(&rig.key, "Says no")["id"].as_str().unwrap().to_string();
    let ok = format!("{}/healthz?went=well", app.base);
    let failed = format!("{}/openapi.json?went=badly", app.base);
    let link = app.new_link(
        &rig.key,
        &id,
        &json!({"platforms": ["linkedin"], "redirectUrl": ok, "errorRedirectUrl": failed, "buttonText": "Back to Acme"}),
    );
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.click(r#"li[data-platform="linkedin"] button[data-action="connect"]"#);
    // To oidc-provider's consent, which declines, and back to the page with the reason.
    assert_eq!(browser.text("#error"), "You declined access at LinkedIn. Nothing was connected.");
    browser.click("#done");
    let landed = url::Url::parse(&browser.wait_for_url(&format!("{}/openapi.json", app.base))).unwrap();
    let q: HashMap<_, _> = landed.query_pairs().into_owned().collect();
    assert_eq!(q["went"], "badly");
    assert_eq!(q["profileId"], id);
    assert_eq!(q["platform"], "linkedin");
    assert_eq!(q["error"], "declined");
    assert_eq!(q["status"], "error");
    assert_eq!(app.list_accounts(&rig.key, &id).body["data"], json!([]));
}

/// The platform's web app: a page that opens the link in a popup and writes down every
/// message it receives (origin and data), one JSON line each, in `#got`.
const OPENER: &str = r#"<!doctype html>
<html><body>
<button id="open">Connect accounts</button>
<pre id="got"></pre>
<script>
const link = new URLSearchParams(location.search).get("link");
window.addEventListener("message", (e) => {
  document.getElementById("got").textContent += JSON.stringify({ origin: e.origin, data: e.data }) + "\n";
});
document.getElementById("open").addEventListener("click", () => {
  window.open(link, "hitchpost-connect", "popup,width=480,height=720");
});
</script>
</body></html>"#;

fn opener_site() -> fakes::Fake<()> {
    fakes::run((), |cfg| {
        cfg.route("/opener", web::get().to(|| async { HttpResponse::Ok().content_type("text/html").body(OPENER) }));
    })
}

/// Opens `link` in a popup from the opener page, links X there and presses Done; returns
/// what the opener received once the popup has closed itself.
fn run_popup(browser: &Browser, opener: &str, link: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("link", link).finish();
    browser.goto(&format!("{opener}/opener?{q}"));
    let home = browser.windows()[0].clone();
    browser.click("#open");
    let deadline = Instant::now() + Duration::from_secs(10);
    let popup = loop {
        if let Some(w) = browser.windows().into_iter().find(|w| *w != home) {
            break w;
        }
        assert!(Instant::now() < deadline, "no popup opened");
        std::thread::sleep(Duration::from_millis(50));
    };
    browser.switch_to(&popup);
    browser.click("#continue");
    browser.click(r#"li[data-platform="x"] button[data-action="connect"]"#);
    browser.wait_for(r#"li[data-platform="x"][data-state="linked"]"#);
    browser.click("#done");
    while browser.windows().len() > 1 {
        assert!(Instant::now() < deadline + Duration::from_secs(10), "the popup did not close itself");
        std::thread::sleep(Duration::from_millis(50));
    }
    browser.switch_to(&home);
    // A message, when one comes, is written at once; give a wrong-origin one time to arrive.
    std::thread::sleep(Duration::from_millis(500));
    browser.eval(r#"return document.getElementById("got").textContent"#, json!([])).as_str().unwrap().to_string()
}

#[test]
fn the_popup_posts_its_result_to_an_opener_on_another_origin_and_closes_itself() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    let site = opener_site();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Popup user")["id"].as_str().unwrap().to_string();
    let link = app.new_link(
        &key,
        &id,
        &json!({"mode": "popup", "redirectUrl": format!("{}/connected", site.base), "platforms": ["x"]}),
    );
    let got = run_popup(&browser, &site.base, link["url"].as_str().unwrap());
    let lines: Vec<Value> = got.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{got}");
    assert_eq!(lines[0]["origin"], app.base, "sent from hitchpost's origin");
    assert_eq!(
        lines[0]["data"],
        json!({"type": "hitchpost:connect", "profileId": id, "connected": ["x"], "status": "success"})
    );
    assert_eq!(app.list_accounts(&key, &id).body["data"][0]["platform"], "x");
}

#[test]
fn the_popup_sends_nothing_to_an_opener_whose_origin_is_not_the_redirect_urls() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    let site = opener_site();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Popup user")["id"].as_str().unwrap().to_string();
    // The same server by another name is another origin: the message is not delivered.
    let elsewhere = site.base.replace("127.0.0.1", "localhost");
    let link = app.new_link(
        &key,
        &id,
        &json!({"mode": "popup", "redirectUrl": format!("{elsewhere}/connected"), "platforms": ["x"]}),
    );
    let got = run_popup(&browser, &site.base, link["url"].as_str().unwrap());
    assert_eq!(got, "", "a message reached an opener at another origin");
    assert_eq!(app.list_accounts(&key, &id).body["data"][0]["platform"], "x", "the linking itself stood");
}

#[test]
fn screenshots_at_phone_and_desktop_width_in_light_and_dark_do_not_overflow() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    for theme in ["light", "dark"] {
        for (device, width, height) in [("phone", 390, 844), ("desktop", 1280, 900)] {
            browser.resize(width, height);
            let options = json!({"theme": theme, "title": "Connect to Acme",
                "description": "Link the accounts Acme may post to.",
                "platforms": ["linkedin", "x", "instagram", "tiktok", "youtube", "bluesky"]});
            open_page(&browser, &app, &options);
            browser.click(r#"li[data-platform="linkedin"] button[data-action="connect"]"#);
            browser.wait_for(r#"li[data-platform="linkedin"][data-state="linked"]"#);
            let fits = browser.eval("return [document.documentElement.scrollWidth, window.innerWidth]", json!([]));
            let (scroll, inner) = (fits[0].as_i64().unwrap(), fits[1].as_i64().unwrap());
            assert!(scroll <= inner, "{device} {theme}: the page is {scroll}px wide in a {inner}px window");
            let path = browser.screenshot(&format!("connect-{device}-{theme}"));
            println!("screenshot: {}", path.display());
        }
    }
}
