// How figures read on the page: the same names, percentages and dates as the
// command line's report table (crates/cli/src/table.rs).

import { Metric, AccountStatus, AccountHealthRatingBand } from "./gen/sellerhealth/v1/account_health_pb";
import { MetricStatus, TargetCondition, type Date as WireDate, type DateRange } from "./gen/sellerhealth/v1/common_pb";
import { PolicyCategory } from "./gen/sellerhealth/v1/facts_pb";

/** A metric's readable name. */
export function metricLabel(metric: Metric): string {
  switch (metric) {
    case Metric.ORDER_DEFECT_RATE_MFN: return "Order defect rate (MFN)";
    case Metric.ORDER_DEFECT_RATE_AFN: return "Order defect rate (AFN)";
    case Metric.PRE_FULFILLMENT_CANCEL_RATE: return "Cancellation rate";
    case Metric.LATE_SHIPMENT_RATE_10D: return "Late shipment rate (10 days)";
    case Metric.LATE_SHIPMENT_RATE_30D: return "Late shipment rate (30 days)";
    case Metric.VALID_TRACKING_RATE: return "Valid tracking rate";
    case Metric.ON_TIME_DELIVERY_RATE: return "On-time delivery rate";
    case Metric.UNIT_ON_TIME_DELIVERY_RATE: return "Unit on-time delivery rate";
    case Metric.CONTACT_RESPONSE_TIME_7D: return "Contact response (7 days)";
    case Metric.CONTACT_RESPONSE_TIME_30D: return "Contact response (30 days)";
    case Metric.CONTACT_RESPONSE_TIME_90D: return "Contact response (90 days)";
    case Metric.RETURN_DISSATISFACTION_RATE: return "Return dissatisfaction rate";
    case Metric.REFUND_RATE: return "Refund rate";
    case Metric.CUSTOMER_SERVICE_DISSATISFACTION_RATE: return "Customer service dissatisfaction";
    case Metric.INVOICE_DEFECT_RATE: return "Invoice defect rate";
    case Metric.ACCOUNT_HEALTH_RATING: return "Account Health Rating";
    case Metric.UNSPECIFIED: return "Metric";
  }
}

/** The wire name of a metric (`METRIC_ORDER_DEFECT_RATE_MFN`), as grpcurl prints it: the cards' key. */
export function metricKey(metric: Metric): string {
  return `METRIC_${Metric[metric]}`;
}

/** What a rate's numerator and denominator count. */
export function counted(metric: Metric): [string, string] {
  switch (metric) {
    case Metric.ORDER_DEFECT_RATE_MFN:
    case Metric.ORDER_DEFECT_RATE_AFN: return ["defective", "orders"];
    case Metric.PRE_FULFILLMENT_CANCEL_RATE: return ["cancelled by the seller", "orders"];
    case Metric.LATE_SHIPMENT_RATE_10D:
    case Metric.LATE_SHIPMENT_RATE_30D: return ["late", "orders"];
    case Metric.VALID_TRACKING_RATE: return ["with valid tracking", "shipments"];
    case Metric.ON_TIME_DELIVERY_RATE: return ["on time", "tracked shipments"];
    case Metric.UNIT_ON_TIME_DELIVERY_RATE: return ["on time", "units"];
    case Metric.CONTACT_RESPONSE_TIME_7D:
    case Metric.CONTACT_RESPONSE_TIME_30D:
    case Metric.CONTACT_RESPONSE_TIME_90D: return ["answered in time", "messages"];
    case Metric.RETURN_DISSATISFACTION_RATE: return ["dissatisfied", "return requests"];
    case Metric.REFUND_RATE: return ["refunded", "orders"];
    case Metric.CUSTOMER_SERVICE_DISSATISFACTION_RATE: return ["dissatisfied", "survey answers"];
    case Metric.INVOICE_DEFECT_RATE: return ["with an invoice defect", "business orders"];
    default: return ["counted", "in all"];
  }
}

/** `50.00%` (ratios on the wire, percentages for people: SPEC §2). */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

/** `< 1.00%`, `> 95.00%`, `= 0`. */
export function target(condition: TargetCondition, value: number, asCount = false): string {
  const shown = asCount ? String(value) : percent(value);
  switch (condition) {
    case TargetCondition.LESS_THAN: return `< ${shown}`;
    case TargetCondition.GREATER_THAN: return `> ${shown}`;
    case TargetCondition.EQUALS: return `= ${shown}`;
    case TargetCondition.UNSPECIFIED: return shown;
  }
}

/** A status in words, so colour is never its only carrier. */
export function statusLabel(status: MetricStatus): string {
  switch (status) {
    case MetricStatus.GOOD: return "Good";
    case MetricStatus.BAD: return "Bad";
    case MetricStatus.NONE: return "No data";
    case MetricStatus.UNSPECIFIED: return "Not computed";
  }
}

/** The CSS class of a status (its colour and icon). */
export function statusClass(status: MetricStatus): string {
  switch (status) {
    case MetricStatus.GOOD: return "good";
    case MetricStatus.BAD: return "bad";
    default: return "none";
  }
}

export function accountStatusLabel(status: AccountStatus): string {
  switch (status) {
    case AccountStatus.HEALTHY: return "Healthy";
    case AccountStatus.AT_RISK: return "At risk";
    case AccountStatus.CRITICAL: return "Critical";
    case AccountStatus.UNSPECIFIED: return "Not computed";
  }
}

export function accountStatusClass(status: AccountStatus): string {
  switch (status) {
    case AccountStatus.HEALTHY: return "good";
    case AccountStatus.AT_RISK: return "risk";
    case AccountStatus.CRITICAL: return "bad";
    case AccountStatus.UNSPECIFIED: return "none";
  }
}

export function ahrBandLabel(band: AccountHealthRatingBand): string {
  switch (band) {
    case AccountHealthRatingBand.HEALTHY: return "Healthy (200–1000)";
    case AccountHealthRatingBand.AT_RISK: return "At risk (100–199)";
    case AccountHealthRatingBand.CRITICAL: return "Critical (0–99)";
    case AccountHealthRatingBand.UNSPECIFIED: return "Not computed";
  }
}

/** The SP-API name of a policy category, split into words. */
export function categoryLabel(category: PolicyCategory): string {
  const words = PolicyCategory[category].toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `2026-06-30`. */
export function isoDay(date: WireDate | undefined): string {
  if (date === undefined) return "";
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** `2026-04-18 to 2026-06-16`. */
export function dayRange(range: DateRange | undefined): string {
  return range === undefined ? "" : `${isoDay(range.start)} to ${isoDay(range.end)}`;
}

/** Days from `from` to `to` (negative when `to` is earlier), by UTC calendar days. */
export function daysBetween(from: WireDate, to: WireDate): number {
  const epochDay = (d: WireDate) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
  return Math.round(epochDay(to) - epochDay(from));
}

/** The calendar day `days` after an ISO day (`2026-06-30`). */
export function shiftDay(iso: string, days: number): string {
  const at = new Date(`${iso}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** `true` for a `YYYY-MM-DD` string that is a real day. */
export function isIsoDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
    new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/** The wire date of an ISO day. */
export function wireDay(iso: string): { year: number; month: number; day: number } {
  const [year, month, day] = iso.split("-").map(Number);
  return { year: year ?? 1970, month: month ?? 1, day: day ?? 1 };
}

/** `1 day`, `18 days`. */
export function days(n: number): string {
  return `${n} ${Math.abs(n) === 1 ? "day" : "days"}`;
}
