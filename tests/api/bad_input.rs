//! Hostile and malformed input: always a clear 4xx, never a 5xx, never lost data.

use crate::helpers::spawn_app;

/// What is sent, with which headers, and the status it must get.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16);
/// The same, for PATCH.
type PatchCase<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, u16);

#[test]
fn malformed_bodies_get_the_right_4xx_and_never_a_5xx() {
    let app = spawn_app();
    let key = app.key("acme");
    let auth = format!("Bearer {key}");
    let json_ct = ("content-type", "application/json");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_meta = format!(r#"{{"name":"a","metadata":{}{}}}"#, r#"{"a":"#.repeat(5000), "}".repeat(5000));
    let mut invalid_utf8 = br#"{"name":""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    invalid_utf8.extend_from_slice(br#""}"#);
    let two_mib = format!(r#"{{"name":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let cases: Vec<Case> = vec![
        ("malformed JSON", vec![json_ct], br#"{"name": "a",}"#.to_vec(), 400),
        ("truncated JSON", vec![json_ct], br#"{"name": "#.to_vec(), 400),
        ("trailing garbage", vec![json_ct], br#"{"name": "a"} xyz"#.to_vec(), 400),
        ("wrong type", vec![json_ct], br#"{"name": true}"#.to_vec(), 400),
        ("number as body", vec![json_ct], b"42".to_vec(), 400),
        ("null body", vec![json_ct], b"null".to_vec(), 400),
        ("invalid UTF-8", vec![json_ct], invalid_utf8, 400),
        ("2 MiB body", vec![json_ct], two_mib.into_bytes(), 413),
        ("deep nesting", vec![json_ct], deep.into_bytes(), 400),
        ("deep metadata", vec![json_ct], deep_meta.into_bytes(), 400),
        ("unknown nested field", vec![json_ct], br#"{"name":{"first":"a"}}"#.to_vec(), 400),
        ("empty body", vec![json_ct], Vec::new(), 400),
        ("whitespace body", vec![json_ct], b"  \n ".to_vec(), 400),
        ("no content type", vec![], br#"{"name":"a"}"#.to_vec(), 415),
        ("text/plain", vec![("content-type", "text/plain")], br#"{"name":"a"}"#.to_vec(), 415),
        ("form", vec![("content-type", "application/x-www-form-urlencoded")], b"name=a".to_vec(), 415),
        ("garbage content type", vec![("content-type", ";;;")], br#"{"name":"a"}"#.to_vec(), 415),
    ];
    for (what, mut headers, body, expected) in cases {
        headers.push(("authorization", &auth));
        {
            let res = app.send("POST", "/v1/profiles", &headers, Some(body));
            assert_eq!(res.status, expected, "{what}: {}", &res.text[..res.text.len().min(300)]);
            assert_eq!(res.header("content-type"), Some("application/problem+json"), "{what}");
            assert_eq!(res.body["status"], expected, "{what}");
        }
    }
    // None of it created anything.
    assert_eq!(app.list_profiles(&key, "").body["data"], serde_json::json!([]));
}

#[test]
fn malformed_patch_bodies_get_a_4xx_and_change_nothing() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Original")["id"].as_str().unwrap().to_string();
    let path = format!("/v1/profiles/{id}");
    let json_ct = ("content-type", "application/json");
    let cases: Vec<PatchCase> = vec![
        (vec![json_ct], b"{".to_vec(), 400),
        (vec![json_ct], br#"{"metadata": 5}"#.to_vec(), 400),
        (vec![json_ct], Vec::new(), 400),
        (vec![("content-type", "text/plain")], br#"{"name":"x"}"#.to_vec(), 415),
        (vec![json_ct], vec![b' '; 2 * 1024 * 1024], 413),
    ];
    for (mut headers, body, expected) in cases {
        headers.push(("x-api-key", &key));
        let res = app.send("PATCH", &path, &headers, Some(body));
        assert_eq!(res.status, expected, "{}", res.text);
    }
    assert_eq!(app.get_profile(&key, &id).body["name"], "Original");
}

#[test]
fn metadata_with_odd_keys_is_stored_as_given() {
    let app = spawn_app();
    let key = app.key("acme");
    let metadata = serde_json::json!({"__proto__": {"x": 1}, "": null, "ünï": [true, 1.5, {"deep": {"er": []}}]});
    let res = app.create_profile(&key, &serde_json::json!({"name": "odd", "metadata": metadata}));
    assert_eq!(res.status, 201, "{}", res.text);
    let got = app.get_profile(&key, res.body["id"].as_str().unwrap());
    assert_eq!(got.body["metadata"], metadata);
}

#[test]
fn unknown_routes_and_methods_under_v1_are_problem_documents() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = app.send("GET", "/v1/nothing-here", &[("x-api-key", &key)], None);
    assert_eq!(res.status, 404);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    let res = app.send("PUT", "/v1/profiles", &[("x-api-key", &key)], None);
    assert!((400..500).contains(&res.status), "{}", res.status);
}

/// `{"name":"a","metadata":{"a":{"a":...}}}` nested to `depth` levels in all.
fn nested_metadata(depth: usize) -> Vec<u8> {
    let inner = depth - 1;
    format!(r#"{{"name":"a","metadata":{}1{}}}"#, r#"{"a":"#.repeat(inner), "}".repeat(inner)).into_bytes()
}

#[test]
fn create_profile_returns_400_naming_the_body_when_it_nests_deeper_than_32_levels() {
    let app = spawn_app();
    let key = app.key("acme");
    let headers = [("content-type", "application/json"), ("x-api-key", key.as_str())];
    let res = app.send("POST", "/v1/profiles", &headers, Some(nested_metadata(33)));
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["errors"][0]["field"], "body", "{}", res.text);
    assert!(res.body["errors"][0]["message"].as_str().unwrap().contains("32 levels"), "{}", res.text);
    // Brackets inside strings are text, not nesting.
    let stringy = format!(r#"{{"name":"{}","metadata":{{"s":"{}\"]}}"}}}}"#, "[".repeat(60), "{".repeat(60));
    let res = app.send("POST", "/v1/profiles", &headers, Some(stringy.into_bytes()));
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app.send("POST", "/v1/profiles", &headers, Some(nested_metadata(32)));
    assert_eq!(res.status, 201, "{}", res.text);
}

#[test]
fn a_malformed_query_string_is_a_400_in_the_callers_dialect() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = app.send("GET", "/v1/audit-log?limit=1&limit=2", &[("x-api-key", &key)], None);
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    assert_eq!(res.problem_field(), "query");
    let bearer = format!("Bearer {key}");
    let res = app.send("GET", "/api/profiles?limit=1&limit=2", &[("authorization", &bearer)], None);
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["status"], "error", "Ayrshare's error shape: {}", res.text);
}
