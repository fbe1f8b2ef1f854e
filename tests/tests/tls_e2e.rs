//! gRPC over TLS (rustls) when a certificate and key are configured: a client
//! trusting the certificate is served, a plaintext client is not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{free_port, server_binary};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

#[tokio::test]
async fn tls_is_served_with_a_certificate_and_plaintext_is_not() {
    let data = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (data.path().join("cert.pem"), data.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let port = free_port();
    let mut child = Command::new(server_binary())
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data.path())
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();

    let tls =
        ClientTlsConfig::new().ca_certificate(Certificate::from_pem(certified.cert.pem())).domain_name("localhost");
    let endpoint = Channel::from_shared(format!("https://localhost:{port}")).unwrap().tls_config(tls).unwrap();
    let channel = loop {
        if let Ok(channel) = endpoint.connect().await {
            break channel;
        }
        assert!(child.try_wait().unwrap().is_none(), "the server exited");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let request = pb::GetAccountHealthRequest { seller_id: "nobody".into(), marketplace_id: "US".into(), as_of: None };
    let mut secure = AccountHealthServiceClient::new(channel);
    // Served (and answered: nothing stored for that seller).
    assert_eq!(secure.get_account_health(request.clone()).await.unwrap_err().code(), tonic::Code::NotFound);

    let plain = Channel::from_shared(format!("http://127.0.0.1:{port}")).unwrap().connect().await;
    let refused = match plain {
        Err(_) => true,
        Ok(channel) => AccountHealthServiceClient::new(channel)
            .get_account_health(request)
            .await
            .is_err_and(|s| s.code() != tonic::Code::NotFound),
    };
    assert!(refused, "a plaintext call was answered");
    drop(secure);
    child.kill().unwrap();
    child.wait().unwrap();
}
