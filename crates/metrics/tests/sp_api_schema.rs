//! The SP-API export and the Amazon documents `reconcile` reads, held to
//! Amazon's own JSON Schema of GET_V2_SELLER_PERFORMANCE_REPORT
//! (`schemas/reports/accountHealthReport-2020-11-18.json` in
//! amzn/selling-partner-api-models, draft-07), so the format cannot drift from
//! the real one; and documents that break it refused by our reader, naming where.
//!
//! The schema is read from `$SELLERHEALTH_SP_API_SCHEMA`, else from
//! `../shared/schemas/accountHealthReport-2020-11-18.json` beside the project (as
//! `../shared/SPEC.md` is). Without it the schema checks are skipped, saying so;
//! with `SELLERHEALTH_REQUIRE_SP_API_SCHEMA` set, a missing schema fails them.
//! Everything else here (the figures, our reader's refusals) runs always.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::sp_api::{self, AccountStatus, Document, Status};
use sellerhealth_metrics::{book_counters, evaluate};
use serde_json::{Value, json};

const M: &str = "ATVPDKIKX0DER";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../cli/tests/fixtures");
/// The one fixture that keeps the spellings real reports use instead of the
/// schema's, on purpose: `reconcile` must read it all the same.
const VARIANTS_FIXTURE: &str = "amazon-report-variants.json";

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

/// Amazon's schema, compiled; `None` (the check skipped, saying why) when it is
/// not there.
fn validator() -> Option<jsonschema::Validator> {
    let schema = amazon_schema()?;
    Some(jsonschema::draft7::new(&schema).unwrap())
}

fn amazon_schema() -> Option<Value> {
    let configured = std::env::var_os("SELLERHEALTH_SP_API_SCHEMA").map(PathBuf::from);
    let path = configured.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/accountHealthReport-2020-11-18.json")
    });
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(error) => {
            let why = format!("Amazon's schema is not at {} ({error})", path.display());
            assert!(configured.is_none(), "SELLERHEALTH_SP_API_SCHEMA is set, but {why}");
            assert!(std::env::var_os("SELLERHEALTH_REQUIRE_SP_API_SCHEMA").is_none(), "required, but {why}");
            eprintln!("schema check skipped: {why}");
            None
        }
    }
}

/// Every place `document` breaks the schema, as `path: message`, sorted.
fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    let mut errors: Vec<String> =
        validator.iter_errors(document).map(|e| format!("{}: {e}", e.instance_path())).collect();
    errors.sort();
    errors
}

/// A seller's facts, built up fact by fact, all known by 2026-07-01.
struct Seller {
    book: SellerBook,
    next: usize,
}

impl Seller {
    fn new() -> Self {
        Seller { book: SellerBook::new("s"), next: 0 }
    }

    fn add(&mut self, fact: Fact) -> &mut Self {
        self.next += 1;
        let event = Event { event_id: format!("e{}", self.next), seller_id: "s".into(), fact };
        self.book.apply(&event, at(7, 1, 0), &Policy::amazon()).unwrap();
        self
    }

    /// One unit bought at `purchased`, due to ship a day later, promised 3.5 days later.
    fn order(&mut self, id: &str, purchased: DateTime<Utc>, channel: FulfillmentChannel, business: bool) -> &mut Self {
        self.add(Fact::Order(Order {
            order_id: id.into(),
            marketplace_id: M.into(),
            purchased_at: purchased,
            fulfillment_channel: channel,
            latest_ship_at: purchased + Duration::days(1),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: Some(purchased + Duration::hours(84)),
            units: 1,
            business_order: business,
            shipping_unknown: false,
        }))
    }

    fn ship(&mut self, id: &str, confirmed: DateTime<Utc>, scan: Option<(DateTime<Utc>, DateTime<Utc>)>) -> &mut Self {
        self.add(Fact::ShipmentConfirmed(ShipmentConfirmed {
            shipment_id: format!("S{id}").into(),
            order_id: id.into(),
            confirmed_at: confirmed,
            carrier: "UPS".into(),
            tracking_number: format!("T{id}").into(),
            units: 1,
            carrier_data_unknown: false,
            whole_order: false,
        }));
        if let Some((first_scan, delivered)) = scan {
            self.add(Fact::CarrierScan(CarrierScan {
                tracking_number: format!("T{id}").into(),
                first_scan_at: Some(first_scan),
                delivered_at: Some(delivered),
            }));
        }
        self
    }

    fn violation(&mut self, id: &str, category: PolicyCategory, severity: ViolationSeverity) -> &mut Self {
        self.add(Fact::PolicyViolation(PolicyViolation {
            violation_id: id.into(),
            marketplace_id: M.into(),
            category,
            severity,
            occurred_at: at(6, 1, 0),
            resolved_at: None,
            description: String::new(),
        }))
    }

    /// The SP-API export as of 2026-07-01 00:00 in Los Angeles (07:00 UTC), parsed.
    fn export(&self) -> Value {
        let policy = Policy::amazon();
        // Midnight of 07-01 in Los Angeles, whose days the US marketplace counts.
        let as_of = at(7, 1, 7);
        let counters = book_counters(&self.book, &policy, M, as_of);
        let report = evaluate(&counters, self.book.violations(), &policy, "s", M, as_of);
        serde_json::from_str(&sp_api::to_json(&report, &counters, policy.calendar(M)).unwrap()).unwrap()
    }
}

/// Three AFN orders and nothing else: every seller-fulfilled metric has no data.
fn new_afn_seller() -> Seller {
    let mut s = Seller::new();
    for n in 0..3 {
        s.order(&format!("afn-{n}"), at(5, 20, 9), FulfillmentChannel::Afn, false);
    }
    s
}

/// A seller missing most targets (figures in `a_seller_at_risk`).
fn seller_at_risk() -> Seller {
    let mut s = Seller::new();
    // ODR window (as of 07-01: 04-19..06-17): four MFN orders of 05-20, never
    // shipped; 1 star on o1, an A-to-z claim on o2; two AFN orders.
    for n in 0..4 {
        s.order(&format!("o{n}"), at(5, 20, 9), FulfillmentChannel::Mfn, false);
    }
    s.order("afn-0", at(5, 20, 9), FulfillmentChannel::Afn, false);
    s.order("afn-1", at(5, 20, 9), FulfillmentChannel::Afn, false);
    s.add(Fact::SellerFeedback(SellerFeedback {
        order_id: "o1".into(),
        left_at: at(5, 25, 9),
        stars: 1,
        comment: String::new(),
        fulfillment_related: false,
    }));
    s.add(Fact::AtozClaim(AtozClaim {
        claim_id: "c2".into(),
        order_id: "o2".into(),
        filed_at: at(5, 26, 9),
        outcome: ClaimOutcome::Pending,
        decided_at: None,
    }));
    // Friday 06-26 08:00, due to ship 06-27 08:00, promised by 06-29 20:00:
    // a (a business order, no invoice) on time, b delivered late, c shipped late
    // and never scanned, d cancelled by the seller.
    for id in ["a", "b", "c", "d"] {
        s.order(id, at(6, 26, 8), FulfillmentChannel::Mfn, id == "a");
    }
    s.ship("a", at(6, 26, 15), Some((at(6, 26, 18), at(6, 28, 12))));
    s.ship("b", at(6, 26, 15), Some((at(6, 26, 18), at(6, 30, 12))));
    s.ship("c", at(6, 28, 9), None);
    s.add(Fact::Cancellation(Cancellation {
        order_id: "d".into(),
        cancelled_at: at(6, 26, 12),
        initiator: CancellationInitiator::Seller,
        reason: String::new(),
    }));
    s.violation("v1", PolicyCategory::ListingPolicyViolations, ViolationSeverity::Low);
    s
}

fn counts(metric: &Value, numerator: &str, denominator: &str) -> (i64, i64, String) {
    let count = |name: &str| {
        let value = &metric[name];
        value.as_i64().or_else(|| value["count"].as_i64()).unwrap()
    };
    (count(numerator), count(denominator), metric["status"].as_str().unwrap().to_owned())
}

fn days(metric: &Value) -> (String, String) {
    let range = &metric["reportingDateRange"];
    (range["reportingDateFrom"].as_str().unwrap().to_owned(), range["reportingDateTo"].as_str().unwrap().to_owned())
}

fn triple(numerator: i64, denominator: i64, status: &str) -> (i64, i64, String) {
    (numerator, denominator, status.to_owned())
}

#[test]
fn a_new_afn_seller() {
    let export = new_afn_seller().export();
    assert_eq!(export["accountStatuses"], json!([{ "marketplaceId": M, "status": "NORMAL" }]));
    let metrics = &export["performanceMetrics"][0];
    // ODR, 04-19..06-17: the three AFN orders, no defect; no MFN order at all.
    let odr = &metrics["orderDefectRate"];
    assert_eq!(counts(&odr["afn"], "orderWithDefects", "orderCount"), triple(0, 3, "GOOD"));
    assert_eq!(counts(&odr["mfn"], "orderWithDefects", "orderCount"), triple(0, 0, "NONE"));
    assert_eq!((&odr["mfn"]["rate"], &odr["mfn"]["fulfillmentType"]), (&json!(0.0), &json!("mfn")));
    assert_eq!(days(&odr["afn"]), ("2026-04-19T07:00Z".to_owned(), "2026-06-18T06:59Z".to_owned()));
    assert_eq!(metrics["unitOnTimeDeliveryRate"]["status"], "NONE");
    // AHR: 200, no order fulfilled toward the next 4 points, no violation.
    assert_eq!(
        metrics["accountHealthRating"],
        json!({ "ahrStatus": "GREAT", "ahrScore": 200,
                "reportingDateRange": { "reportingDateFrom": "2026-01-03T08:00Z", "reportingDateTo": "2026-07-02T06:59Z" } })
    );
    assert_eq!(metrics["warningStates"], json!([]));
    if let Some(validator) = validator() {
        assert_eq!(schema_errors(&validator, &export), Vec::<String>::new());
    }
}

#[test]
fn a_seller_at_risk() {
    let export = seller_at_risk().export();
    // Penalised metrics BAD, none past its 60 days: AT_RISK.
    assert_eq!(export["accountStatuses"][0]["status"], "AT_RISK");
    let metrics = &export["performanceMetrics"][0];
    let mfn = &metrics["orderDefectRate"]["mfn"];
    // o1 and o2 defective of o0..o3: 2/4.
    assert_eq!(counts(mfn, "orderWithDefects", "orderCount"), triple(2, 4, "BAD"));
    assert_eq!((mfn["claims"]["count"].as_i64(), mfn["negativeFeedback"]["count"].as_i64()), (Some(1), Some(1)));
    assert_eq!(mfn["chargebacks"], json!({ "count": 0, "status": "NONE" }));
    assert_eq!(counts(&metrics["orderDefectRate"]["afn"], "orderWithDefects", "orderCount"), triple(0, 2, "GOOD"));
    // Cancellations, 06-25..07-01 by purchase day: d of a..d.
    let cancel = &metrics["preFulfillmentCancellationRate"];
    assert_eq!(counts(cancel, "cancellationCount", "orderCount"), triple(1, 4, "BAD"));
    assert_eq!(days(cancel), ("2026-06-25T07:00Z".to_owned(), "2026-07-02T06:59Z".to_owned()));
    // Late shipment, 06-02..07-01 by ship-by day (06-27): c of a, b, c (d is
    // cancelled); the 05-21 ship-by day of o0..o3 is outside. The 10-day list
    // entry (06-22..07-01) counts the same orders.
    let late = &metrics["lateShipmentRate"];
    assert_eq!(counts(late, "lateShipmentCount", "orderCount"), triple(1, 3, "BAD"));
    let list = metrics["lateShipmentRateList"].as_array().unwrap();
    assert_eq!(
        list.iter().map(days).map(|(from, _)| from).collect::<Vec<_>>(),
        ["2026-06-22T07:00Z", "2026-06-02T07:00Z"]
    );
    assert_eq!(counts(&list[0], "lateShipmentCount", "orderCount"), triple(1, 3, "BAD"));
    // Valid tracking by confirmation day: a and b scanned, c not.
    assert_eq!(counts(&metrics["validTrackingRate"], "validTrackingCount", "shipmentCount"), triple(2, 3, "BAD"));
    // On time (promised 06-29 20:00): a delivered 06-28 of the tracked a and b;
    // units: a's of a, b, c.
    let on_time = &metrics["onTimeDeliveryRate"];
    assert_eq!(counts(on_time, "onTimeDeliveryCount", "shipmentCountWithValidTracking"), triple(1, 2, "BAD"));
    let units = &metrics["unitOnTimeDeliveryRate"];
    assert_eq!(counts(units, "unitOnTimeDeliveryCount", "totalUnitCount"), triple(1, 3, "BAD"));
    // a shipped Friday 06-26, no invoice by Tuesday 06-30: missing, a defect.
    let invoice = &metrics["invoiceDefectRate"];
    assert_eq!(counts(invoice, "invoiceDefect", "orderCount"), triple(1, 1, "BAD"));
    assert_eq!(
        (invoice["missingInvoice"]["count"].as_i64(), invoice["lateInvoice"]["count"].as_i64()),
        (Some(1), Some(0))
    );
    // One LOW violation: 200 − 20 = 180, at risk: WARNED; listing policy BAD.
    assert_eq!(metrics["accountHealthRating"]["ahrScore"], 180);
    assert_eq!(metrics["accountHealthRating"]["ahrStatus"], "WARNED");
    assert_eq!(
        metrics["listingPolicyViolations"],
        json!({ "reportingDateRange": { "reportingDateFrom": "2026-01-03T08:00Z", "reportingDateTo": "2026-07-02T06:59Z" },
                "defectsCount": 1, "status": "BAD", "targetValue": 0.0, "targetCondition": "EQUALS" })
    );
    assert_eq!(metrics["documentRequests"]["status"], "GOOD");
    // One state per warned property: both late shipment windows are one.
    let warned: Vec<&str> =
        metrics["warningStates"].as_array().unwrap().iter().map(|w| w["warningType"].as_str().unwrap()).collect();
    assert_eq!(
        warned,
        [
            "orderDefectRate",
            "preFulfillmentCancellationRate",
            "lateShipmentRate",
            "validTrackingRate",
            "invoiceDefectRate"
        ]
    );
    if let Some(validator) = validator() {
        assert_eq!(schema_errors(&validator, &export), Vec::<String>::new());
    }
}

#[test]
fn a_deactivated_seller() {
    let mut s = new_afn_seller();
    s.violation("v1", PolicyCategory::ProductSafetyCustomerComplaints, ViolationSeverity::Critical);
    let export = s.export();
    // 200 − 200 = 0: critical, so DEACTIVATED, and the AHR WARNED.
    assert_eq!(export["accountStatuses"][0]["status"], "DEACTIVATED");
    let metrics = &export["performanceMetrics"][0];
    assert_eq!(
        (&metrics["accountHealthRating"]["ahrScore"], &metrics["accountHealthRating"]["ahrStatus"]),
        (&json!(0), &json!("WARNED"))
    );
    assert_eq!(metrics["productSafetyCustomerComplaints"]["defectsCount"], 1);
    if let Some(validator) = validator() {
        assert_eq!(schema_errors(&validator, &export), Vec::<String>::new());
    }
}

/// What we write we read back, field for field, for each seller.
#[test]
fn exports_read_back_as_written() {
    for seller in [new_afn_seller(), seller_at_risk()] {
        let export = seller.export();
        let document: Document = sp_api::from_value(&export).unwrap();
        assert_eq!(serde_json::to_value(&document).unwrap(), export);
    }
}

fn fixtures() -> Vec<(String, Value)> {
    let mut found: Vec<(String, Value)> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap())
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Every Amazon document the command line's tests read follows the schema —
/// except the variants fixture, which breaks it in exactly the ways real
/// reports do and our reader tolerates; all of them are read.
#[test]
fn reconcile_fixtures_follow_amazons_schema() {
    let fixtures = fixtures();
    let names: Vec<&str> = fixtures.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["amazon-report-variants.json", "amazon-report.json"]);
    for (name, document) in &fixtures {
        sp_api::from_value(document).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let Some(validator) = validator() else { return };
    for (name, document) in &fixtures {
        let errors = schema_errors(&validator, document);
        if name == VARIANTS_FIXTURE {
            // Three kinds, each read as documented: spelled as real reports spell
            // them (documentRequest, prefulfillmentCancelRate, warningState),
            // components left out when zero, and metrics left out altogether.
            let required = |place: &str, property: &str| format!("{place}: \"{property}\" is a required property");
            let spelled_otherwise = ["documentRequests", "preFulfillmentCancellationRate", "warningStates"];
            let left_out = [
                "foodAndProductSafetyIssues",
                "invoiceDefectRate",
                "listingPolicyViolations",
                "onTimeDeliveryRate",
                "otherPolicyViolations",
                "productAuthenticityCustomerComplaints",
                "productConditionCustomerComplaints",
                "productSafetyCustomerComplaints",
                "receivedIntellectualPropertyComplaints",
                "restrictedProductPolicyViolations",
                "suspectedIntellectualPropertyViolations",
                "unitOnTimeDeliveryRate",
                "validTrackingRate",
            ];
            let components = [
                ("afn", "chargebacks"),
                ("afn", "claims"),
                ("afn", "negativeFeedback"),
                ("mfn", "chargebacks"),
                ("mfn", "claims"),
            ];
            let mut expected: Vec<String> = spelled_otherwise
                .iter()
                .chain(&left_out)
                .map(|property| required("/performanceMetrics/0", property))
                .chain(components.iter().map(|(channel, component)| {
                    required(&format!("/performanceMetrics/0/orderDefectRate/{channel}"), component)
                }))
                .collect();
            expected.sort();
            assert_eq!(errors, expected, "{name}");
        } else {
            assert_eq!(errors, Vec::<String>::new(), "{name}");
        }
    }
}

/// The schema's own example uses the spellings of real reports, not its own
/// (and an account status its enum lacks): the schema refuses it, we read it.
#[test]
fn amazons_own_example_is_read_though_it_breaks_the_schema() {
    let (Some(schema), Some(validator)) = (amazon_schema(), validator()) else { return };
    let example = &schema["examples"][0];
    let errors = schema_errors(&validator, example);
    assert_eq!(
        errors,
        [
            "/accountStatuses/2/status: \"SUSPENDED\" is not one of \"NORMAL\", \"AT_RISK\" or \"DEACTIVATED\"",
            "/performanceMetrics/0: \"documentRequests\" is a required property",
            "/performanceMetrics/0: \"preFulfillmentCancellationRate\" is a required property",
            "/performanceMetrics/0: \"restrictedProductPolicyViolations\" is a required property",
            "/performanceMetrics/0: \"suspectedIntellectualPropertyViolations\" is a required property",
            "/performanceMetrics/0: \"warningStates\" is a required property",
        ]
    );
    let document = sp_api::from_value(example).unwrap();
    assert_eq!(document.account_status_of("A1AM78C64UM0Y8"), Some(AccountStatus::Suspended));
    let metrics = document.metrics_of(M).unwrap();
    let cancel = metrics.pre_fulfillment_cancellation_rate.as_ref().unwrap();
    assert_eq!((cancel.cancellation_count, cancel.order_count), (551, 17197));
    assert_eq!(cancel.reporting_date_range.days_text(Calendar::UTC), "2020-11-12..2020-11-18");
    let warnings = metrics.warning_states.as_ref().unwrap();
    assert_eq!((warnings.len(), warnings[0].status), (1, Status::Bad));
    assert_eq!(metrics.document_requests.as_ref().map(|d| d.defects_count), Some(8));
    assert_eq!(metrics.restricted_product_policy_violations, None);
    assert_eq!(metrics.account_health_rating.as_ref().map(|a| a.ahr_status.as_str()), Some("WARNED"));
}

/// A status the schema does not allow, a count as text and a date that is not
/// one: each refused by the schema and by our reader, both naming the place.
#[test]
fn a_document_that_breaks_the_schema_is_refused_naming_the_place() {
    let export = seller_at_risk().export();
    let broken = |pointer: &str, value: Value| {
        let mut document = export.clone();
        *document.pointer_mut(pointer).unwrap() = value;
        document
    };
    let cases = [
        (
            broken("/performanceMetrics/0/lateShipmentRate/status", json!("GREAT")),
            "/performanceMetrics/0/lateShipmentRate/status: \"GREAT\" is not one of \"GOOD\", \"BAD\" or \"NONE\"",
            "performanceMetrics[0].lateShipmentRate.status: unknown variant `GREAT`, expected one of `GOOD`, `BAD`, `NONE`",
        ),
        (
            broken("/performanceMetrics/0/orderDefectRate/mfn/orderCount", json!("12")),
            "/performanceMetrics/0/orderDefectRate/mfn/orderCount: \"12\" is not of type \"integer\"",
            "performanceMetrics[0].orderDefectRate.mfn.orderCount: invalid type: string \"12\", expected i64",
        ),
        (
            broken("/accountStatuses/0/status", json!("HEALTHY")),
            "/accountStatuses/0/status: \"HEALTHY\" is not one of \"NORMAL\", \"AT_RISK\" or \"DEACTIVATED\"",
            "accountStatuses[0].status: unknown variant `HEALTHY`, expected one of `NORMAL`, `AT_RISK`, `DEACTIVATED`, \
             `SUSPENDED`",
        ),
    ];
    let validator = validator();
    for (document, schema_says, we_say) in &cases {
        assert_eq!(sp_api::from_value(document).unwrap_err().to_string(), *we_say);
        if let Some(validator) = &validator {
            assert_eq!(schema_errors(validator, document), [*schema_says]);
        }
    }
    // The schema types reporting dates only as strings; we need a date and time.
    let date = broken("/performanceMetrics/0/validTrackingRate/reportingDateRange/reportingDateTo", json!("June 30"));
    assert_eq!(
        sp_api::from_value(&date).unwrap_err().to_string(),
        "performanceMetrics[0].validTrackingRate.reportingDateRange.reportingDateTo: invalid value: string \"June 30\", \
         expected a UTC date and time such as 2020-11-18T23:59Z"
    );
    // A metric without its rate is the wrong shape; a component left out is zero.
    let mut no_rate = export.clone();
    no_rate["performanceMetrics"][0]["validTrackingRate"].as_object_mut().unwrap().remove("rate");
    assert_eq!(
        sp_api::from_value(&no_rate).unwrap_err().to_string(),
        "performanceMetrics[0].validTrackingRate: missing field `rate`"
    );
    let mut no_claims = export.clone();
    no_claims["performanceMetrics"][0]["orderDefectRate"]["afn"].as_object_mut().unwrap().remove("claims");
    let read = sp_api::from_value(&no_claims).unwrap();
    assert_eq!(read.performance_metrics[0].order_defect_rate.as_ref().unwrap().afn.claims.count, 0);
    let root = json!({ "performanceMetrics": [{ "marketplaceId": M }] });
    assert_eq!(sp_api::from_value(&root).unwrap_err().to_string(), "document: missing field `accountStatuses`");
}
