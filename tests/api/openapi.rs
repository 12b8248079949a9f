//! `GET /openapi.json`.

use crate::helpers::spawn_app;

#[test]
fn openapi_json_describes_every_native_route_with_its_errors() {
    let app = spawn_app();
    let res = app.openapi();
    assert_eq!(res.status, 200);
    let doc = &res.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let expected: &[(&str, &str, &[&str])] = &[
        ("/v1/profiles", "post", &["201", "400", "401", "402", "409", "413", "415"]),
        ("/v1/profiles", "get", &["200", "400", "401"]),
        ("/v1/profiles/{id}", "get", &["200", "401", "404"]),
        ("/v1/profiles/{id}", "patch", &["200", "400", "401", "404", "409", "413", "415"]),
        ("/v1/profiles/{id}", "delete", &["204", "401", "404"]),
        ("/healthz", "get", &["200"]),
        ("/v1/profiles/{id}/connect-links", "post", &["201", "400", "401", "404"]),
        ("/v1/profiles/{id}/connect-links", "get", &["200", "401", "404"]),
        ("/v1/connect-links/{linkId}", "delete", &["204", "401", "404"]),
        ("/v1/connect-links/validate", "post", &["200", "400", "401"]),
        ("/v1/profiles/{id}/accounts", "get", &["200", "401", "404"]),
        ("/v1/profiles/{id}/accounts", "post", &["201", "400", "401", "404", "502"]),
        ("/v1/profiles/{id}/accounts/{account}", "get", &["200", "400", "401", "403", "404"]),
        ("/v1/profiles/{id}/accounts/{account}", "delete", &["204", "400", "401", "403", "404"]),
        ("/v1/profiles/{id}/accounts/{account}/refresh", "post", &["200", "400", "401", "403", "404"]),
        ("/v1/profiles/{id}/accounts/{account}/credentials", "get", &["200", "400", "401", "403", "404", "409", "502"]),
        (
            "/v1/profiles/{id}/accounts/{account}/proxy/{path}",
            "post",
            &["200", "400", "401", "403", "404", "409", "429", "502"],
        ),
        (
            "/v1/profiles/{id}/accounts/{account}/proxy/{path}",
            "get",
            &["200", "400", "401", "403", "404", "409", "429", "502"],
        ),
    ];
    for (path, method, codes) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        for code in *codes {
            assert!(op["responses"][code].is_object(), "{method} {path} lacks {code}");
        }
    }
    for schema in [
        "Problem",
        "ProfileBody",
        "CreateProfile",
        "UpdateProfile",
        "ProfileList",
        "CreateConnectLink",
        "ConnectLinkBody",
        "ValidationBody",
        "AccountBody",
        "LinkAccount",
        "CredentialsBody",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
    }
    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn a_documented_route_called_with_another_method_returns_405_with_allow() {
    let app = crate::helpers::spawn_app();
    let key = app.key("acme");
    for (method, path, allow) in [
        ("TRACE", "/v1/profiles", "GET, POST"),
        ("PUT", "/v1/profiles/abc", "GET, PATCH, DELETE"),
        ("DELETE", "/healthz", "GET"),
        ("GET", "/v1/connect-links/validate", "POST"),
    ] {
        let res = app.send(method, path, &[("x-api-key", &key)], None);
        assert_eq!(res.status, 405, "{method} {path}: {}", res.text);
        assert_eq!(res.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        assert_eq!(res.body["type"], "urn:hitchpost:problem:method-not-allowed");
    }
    let res = app.send("GET", "/v1/nothing-here", &[("x-api-key", &key)], None);
    assert_eq!(res.status, 404);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:not-found");
}
