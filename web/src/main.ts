// The Account Health page: a seller's report as Seller Central shows it, from
// the server's gRPC services over gRPC-Web. Every figure comes from the
// contract's answers; the page computes nothing but days left to a deadline.

import { endOfDay, localText, wallClock, zoneOf } from "./zones";
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { clients, serverConfig, type Clients, type ServerConfig } from "./client";
import { historyChart } from "./chart";
import {
  accountStatusClass, accountStatusLabel, ahrBandLabel, categoryLabel, counted, dayRange, days, daysBetween,
  isIsoDay, isoDay, metricKey, metricLabel, percent, shiftDay, statusClass, statusLabel, target, wireDay,
} from "./format";
import { EVENTS_PER_DEFECTIVE_ORDER, EVENTS_PER_GOOD_ORDER, hypotheticalOrders } from "./whatif";
import {
  Metric, type AccountHealthReport, type ContactResponseTime, type MetricDay, type OrderDefectRate, type RateMetric,
  type Warning,
} from "./gen/sellerhealth/v1/account_health_pb";
import { DateSchema, MetricStatus, type Date as WireDate } from "./gen/sellerhealth/v1/common_pb";
import { FeedbackPeriod, type GetFeedbackSummaryResponse } from "./gen/sellerhealth/v1/feedback_pb";
import type { GetReviewSummaryResponse } from "./gen/sellerhealth/v1/reviews_pb";

/** Days of history each card charts, ending on the as-of day. */
const HISTORY_DAYS = 90;

// ---------------------------------------------------------------- DOM helpers

type Child = Node | string | null | undefined | false;

/** An element with attributes and children; text is always text (never markup). */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** The children that are there. */
function present(...children: Child[]): (Node | string)[] {
  return children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false);
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** A status in words with an icon, so colour is never its only carrier. */
function statusBadge(label: string, cls: string): HTMLElement {
  const icon = cls === "good" ? "✓" : cls === "bad" ? "✕" : cls === "risk" ? "!" : "–";
  return h("span", { class: `badge ${cls}` }, h("span", { class: "icon", "aria-hidden": "true" }, icon), ` ${label}`);
}

/** `NOT_FOUND: no facts stored for seller "x"`: what went wrong, in the contract's words. */
function describeError(error: unknown): string {
  if (error instanceof ConnectError) {
    const name = Code[error.code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
    return `${name}: ${error.rawMessage}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function showMessage(text: string): void {
  const message = byId<HTMLParagraphElement>("message");
  message.textContent = text;
  message.hidden = text === "";
}

function announce(text: string): void {
  byId("live").textContent = text;
}

// ---------------------------------------------------------------- state

interface Query {
  seller: string;
  marketplace: string;
  /** An ISO day, or "" for now. */
  asOf: string;
}

/** The zone whose days `marketplace` counts in, by the server's policy. */
function zone(marketplace: string): string {
  return zoneOf(config.timeZones, marketplace);
}

/** The end of an ISO day (23:59:59 in the marketplace's zone, as the command line's --as-of), or now. */
function asOfInstant(day: string, marketplace: string): Timestamp | undefined {
  return day === "" ? undefined : timestampFromDate(endOfDay(day, zone(marketplace)));
}

/** The marketplace's calendar day of an instant (now when unset). */
function dayOf(at: Timestamp | undefined, marketplace: string): WireDate {
  const wall = wallClock(at === undefined ? new Date() : timestampDate(at), zone(marketplace));
  return create(DateSchema, { year: wall.year, month: wall.month, day: wall.day });
}

function instantText(at: Timestamp | undefined, marketplace: string): string {
  return at === undefined ? "" : localText(timestampDate(at), zone(marketplace));
}

let api: Clients;
let config: ServerConfig;
let current: { query: Query; report: AccountHealthReport } | undefined;

// ---------------------------------------------------------------- the report

/** Every rate of a report with its card's extras, in the order of Seller Central's page. */
interface RateCard {
  rate: RateMetric;
  odr?: OrderDefectRate;
}

function customerServiceRates(report: AccountHealthReport): RateCard[] {
  const cards: RateCard[] = [];
  for (const odr of [report.orderDefectRateMfn, report.orderDefectRateAfn]) {
    if (odr?.rate !== undefined) cards.push({ rate: odr.rate, odr });
  }
  for (const rate of [report.returnDissatisfactionRate, report.customerServiceDissatisfactionRate, report.refundRate]) {
    if (rate !== undefined) cards.push({ rate });
  }
  return cards;
}

function shippingRates(report: AccountHealthReport): RateCard[] {
  return [
    report.lateShipmentRate10d, report.lateShipmentRate30d, report.preFulfillmentCancelRate,
    report.validTrackingRate, report.onTimeDeliveryRate, report.unitOnTimeDeliveryRate, report.invoiceDefectRate,
  ].filter((r): r is RateMetric => r !== undefined).map((rate) => ({ rate }));
}

/** Every rate of a report by metric, the contact response windows included: the what-if table's rows. */
function allRates(report: AccountHealthReport): { metric: Metric; rate: number | undefined; status: MetricStatus }[] {
  const rows: { metric: Metric; rate: number | undefined; status: MetricStatus }[] = [];
  for (const { rate } of [...customerServiceRates(report), ...shippingRates(report)]) {
    rows.push({ metric: rate.metric, rate: rate.rate, status: rate.status });
  }
  for (const c of report.contactResponseTimes) rows.push({ metric: c.metric, rate: c.rate, status: c.status });
  return rows;
}

function chartOf(label: string, history: Map<Metric, MetricDay[]>, metric: Metric, rate: { targetValue: number; targetCondition: number }): Child {
  const daysOf = history.get(metric);
  if (daysOf === undefined || daysOf.length === 0) return null;
  if (daysOf.every((d) => d.rate === undefined)) {
    return h("p", { class: "no-history" }, `No data on any of the last ${HISTORY_DAYS} days.`);
  }
  return h(
    "figure",
    { class: "trend" },
    historyChart(label, daysOf, rate.targetValue, rate.targetCondition),
    h("figcaption", {}, `Daily, last ${HISTORY_DAYS} days · dashed line: target · marks: bad days`),
  );
}

/** A metric's card: its name, value and status, then `details` and `extras`. */
function metricCard(metric: Metric, rate: number | undefined, status: MetricStatus, details: HTMLElement, ...extras: Child[]): HTMLElement {
  const key = metricKey(metric);
  const cls = statusClass(status);
  return h(
    "article",
    { class: `card ${cls}`, "data-metric": key, "aria-labelledby": `title-${key}` },
    h("h3", { id: `title-${key}` }, metricLabel(metric)),
    h("p", { class: "figure" },
      h("span", { class: "value" }, rate === undefined ? "No data" : percent(rate)),
      " ", h("span", { class: "status" }, statusBadge(statusLabel(status), cls))),
    details,
    ...extras,
  );
}

function rateCard(card: RateCard, history: Map<Metric, MetricDay[]>): HTMLElement {
  const { rate, odr } = card;
  const [what, of] = counted(rate.metric);
  const lag = rate.lagDays > 0 ? `, ending ${days(rate.lagDays)} before the as-of day` : "";
  const details = h(
    "dl",
    {},
    h("dt", {}, "Target"), h("dd", { class: "target" }, target(rate.targetCondition, rate.targetValue)),
    h("dt", {}, "Counted"),
    h("dd", { class: "counts" }, `${rate.numerator} of ${rate.denominator} ${of} ${what}`),
    h("dt", {}, "Window"),
    h("dd", { class: "window" }, dayRange(rate.reportingDateRange)),
    h("dd", { class: "window-note" }, `${days(rate.windowDays)}${lag}`),
  );
  if (odr !== undefined) {
    details.append(
      h("dt", {}, "Defects"),
      h("dd", { class: "components" },
        `${odr.negativeFeedbackCount} negative feedback · ${odr.atozClaimCount} A-to-z claims · ${odr.chargebackCount} chargebacks`),
    );
  }
  if (rate.ordersWithoutShipmentData > 0n) {
    details.append(h("dt", {}, "Unknown"), h("dd", {}, `${rate.ordersWithoutShipmentData} orders without shipment data`));
  }
  if (rate.shipmentsWithoutCarrierData > 0n) {
    details.append(h("dt", {}, "Unknown"), h("dd", {}, `${rate.shipmentsWithoutCarrierData} shipments without carrier scans`));
  }
  let recovery: Child = null;
  if (rate.recovery !== undefined) {
    const more = rate.recovery.additionalDefectFreeOrders;
    const byOrders = more < 0n
      ? "No number of new defect-free orders would bring it within target now."
      : `${more} more defect-free ${more === 1n ? "order" : "orders"} would bring it within target now.`;
    const back = rate.recovery.backWithinTargetOn;
    const byTime = back === undefined
      ? "Ageing alone does not bring it back."
      : `With nothing new, it is back within target on ${isoDay(back)}.`;
    recovery = h("p", { class: "recovery" }, h("strong", {}, "Recovery: "), `${byOrders} ${byTime}`);
  }
  return metricCard(rate.metric, rate.rate, rate.status, details, recovery,
    chartOf(metricLabel(rate.metric), history, rate.metric, rate));
}

function responseCard(c: ContactResponseTime, history: Map<Metric, MetricDay[]>): HTMLElement {
  const answered = c.respondedWithinSla + c.respondedLate;
  const details = h(
    "dl",
    {},
    h("dt", {}, "Target"), h("dd", { class: "target" }, `${target(c.targetCondition, c.targetValue)} within ${c.slaHours} h`),
    h("dt", {}, "Counted"),
    h("dd", { class: "counts" }, `${c.respondedWithinSla} of ${answered} messages answered in time`),
    h("dt", {}, "Pending"), h("dd", {}, `${c.pending} still inside the ${c.slaHours} h`),
    h("dt", {}, "Window"), h("dd", { class: "window" }, dayRange(c.reportingDateRange)),
    h("dd", { class: "window-note" }, days(c.windowDays)),
  );
  if (c.averageResponseHours !== undefined) {
    details.append(h("dt", {}, "Average"), h("dd", {}, `${c.averageResponseHours.toFixed(1)} h`));
  }
  if (c.p90ResponseHours !== undefined) {
    details.append(h("dt", {}, "90th percentile"), h("dd", {}, `${c.p90ResponseHours} h`));
  }
  return metricCard(c.metric, c.rate, c.status, details, chartOf(metricLabel(c.metric), history, c.metric, c));
}

function warningItem(w: Warning, today: WireDate): HTMLElement {
  const key = metricKey(w.metric);
  const label = metricLabel(w.metric);
  if (!w.open) {
    return h("li", { "data-metric": key, class: "closed" },
      h("strong", {}, label), ` was bad from ${isoDay(w.openedOn)} for ${days(w.daysBad)}; closed on ${isoDay(w.closedOn)}.`);
  }
  const left = w.deadline === undefined ? 0 : daysBetween(today, w.deadline);
  const due = left > 0 ? `${days(left)} left` : left === 0 ? "due today" : `${days(-left)} past the deadline`;
  return h("li", { "data-metric": key, class: w.pastDeadline ? "open past" : "open" },
    statusBadge(w.pastDeadline ? "Past deadline" : "Open", w.pastDeadline ? "bad" : "risk"), " ",
    h("strong", {}, label), ` is bad since ${isoDay(w.openedOn)} (${days(w.daysBad)}). Fix by `,
    h("span", { class: "deadline" }, isoDay(w.deadline)), ": ", h("span", { class: "days-left" }, due), ".");
}

function renderReport(query: Query, report: AccountHealthReport, history: Map<Metric, MetricDay[]> | string): void {
  const charts = typeof history === "string" ? new Map<Metric, MetricDay[]>() : history;
  const today = dayOf(report.asOf, report.marketplaceId);
  const statusCls = accountStatusClass(report.accountStatus);
  const ahr = report.accountHealthRating;
  const summary = h(
    "section",
    { class: "summary", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, `${report.sellerId} in ${report.marketplaceId}`),
    h("p", { class: "as-of" }, "As of ", h("span", { id: "report-as-of" }, instantText(report.asOf, report.marketplaceId)),
      ` · policy ${report.policyProfile}`),
    h("div", { class: "headline" },
      h("div", { class: `status-box ${statusCls}`, id: "account-status" },
        h("span", { class: "caption" }, "Account status"), statusBadge(accountStatusLabel(report.accountStatus), statusCls)),
      h("div", { class: "status-box", id: "ahr" },
        h("span", { class: "caption" }, "Account Health Rating"),
        h("span", { class: "score" }, ahr === undefined ? "–" : String(ahr.score)),
        h("span", { class: "band" }, ahr === undefined ? "" : ahrBandLabel(ahr.band))),
      h("div", { class: `status-box ${report.demotionRisk ? "bad" : "good"}`, id: "demotion" },
        h("span", { class: "caption" }, "Listings"),
        statusBadge(report.demotionRisk ? "At risk of demotion" : "Not at risk of demotion", report.demotionRisk ? "bad" : "good"))),
  );
  if (typeof history === "string") summary.append(h("p", { class: "message" }, `History unavailable: ${history}`));

  const open = report.warnings.filter((w) => w.open);
  const closed = report.warnings.filter((w) => !w.open);
  const warnings = h("section", { class: "warnings", "aria-labelledby": "warnings-title" },
    h("h2", { id: "warnings-title" }, `Warnings (${open.length} open)`),
    open.length === 0 ? h("p", {}, "No open warning.") : h("ul", { id: "open-warnings" }, ...open.map((w) => warningItem(w, today))));
  if (closed.length > 0) {
    warnings.append(h("details", {}, h("summary", {}, `Recently closed (${closed.length})`),
      h("ul", { id: "closed-warnings" }, ...closed.map((w) => warningItem(w, today)))));
  }

  const policy = report.policyCompliance;
  const violations = policy?.categories.filter((c) => c.count > 0n) ?? [];
  const compliance = h("section", { "aria-labelledby": "policy-title" },
    h("h2", { id: "policy-title" }, "Policy compliance"),
    h("p", {}, `Violations from ${dayRange(policy?.reportingDateRange)}: `,
      violations.length === 0 ? "none." : `${violations.length} ${violations.length === 1 ? "category" : "categories"} with violations.`),
    violations.length === 0 ? null : h("table", { id: "violations" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Category"), h("th", { scope: "col" }, "Violations"), h("th", { scope: "col" }, "Status"))),
      h("tbody", {}, ...violations.map((c) => h("tr", {},
        h("th", { scope: "row" }, categoryLabel(c.category)), h("td", {}, String(c.count)),
        h("td", {}, statusBadge(statusLabel(c.status), statusClass(c.status))))))));

  const health = byId("health");
  health.replaceChildren(
    summary,
    warnings,
    h("section", { "aria-labelledby": "customer-title" }, h("h2", { id: "customer-title" }, "Customer service performance"),
      h("div", { class: "cards" }, ...customerServiceRates(report).map((c) => rateCard(c, charts)),
        ...report.contactResponseTimes.map((c) => responseCard(c, charts)))),
    h("section", { "aria-labelledby": "shipping-title" }, h("h2", { id: "shipping-title" }, "Shipping performance"),
      h("div", { class: "cards" }, ...shippingRates(report).map((c) => rateCard(c, charts)))),
    compliance,
    whatIfPanel(query, report),
  );
  health.hidden = false;
  byId("health-empty").hidden = true;
}

// ---------------------------------------------------------------- what-if

function whatIfPanel(query: Query, report: AccountHealthReport): HTMLElement {
  const odrWindow = report.orderDefectRateMfn?.rate?.reportingDateRange;
  const defaultDay = isoDay(odrWindow?.end) || isoDay(dayOf(report.asOf, report.marketplaceId));
  const number = (id: string, label: string) =>
    h("label", {}, label, h("input", { id, type: "number", min: "0", step: "1", value: "0", inputmode: "numeric" }));
  const form = h("form", { id: "whatif-form", class: "inline-form" },
    number("whatif-good", "Extra defect-free orders"),
    number("whatif-defects", "Extra defective orders (1-star feedback)"),
    h("label", {}, "Purchased on", h("input", { id: "whatif-day", type: "date", value: defaultDay, required: "" })),
    h("button", { type: "submit" }, "Evaluate what-if"));
  const result = h("div", { id: "whatif-result", "aria-live": "polite" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void runWhatIf(query, report, result);
  });
  return h("section", { class: "whatif", "aria-labelledby": "whatif-title" },
    h("h2", { id: "whatif-title" }, "What if"),
    h("p", { class: "hint" },
      "Re-evaluates this report with hypothetical orders added to the stored facts; nothing is stored. ",
      "Each order is seller-fulfilled, shipped the next day with tracking and delivered on the third; a defective one ",
      "also gets a 1-star feedback on the fourth. ",
      odrWindow === undefined ? "" : `The order defect rate counts purchases from ${dayRange(odrWindow)}.`),
    form, result);
}

async function runWhatIf(query: Query, report: AccountHealthReport, result: HTMLElement): Promise<void> {
  const read = (id: string) => byId<HTMLInputElement>(id).value.trim();
  const good = Number(read("whatif-good") || "0");
  const defects = Number(read("whatif-defects") || "0");
  const day = read("whatif-day");
  const events = EVENTS_PER_GOOD_ORDER * good + EVENTS_PER_DEFECTIVE_ORDER * defects;
  let problem = "";
  if (!Number.isInteger(good) || !Number.isInteger(defects) || good < 0 || defects < 0) {
    problem = "The numbers of orders must be whole numbers, 0 or more.";
  } else if (good + defects === 0) {
    problem = "Add at least one order.";
  } else if (!isIsoDay(day)) {
    problem = "Pick the purchase day.";
  } else if (events > config.maxBatchEvents) {
    problem = `That is ${events} events; the server takes at most ${config.maxBatchEvents} in one call (--max-batch-events).`;
  }
  if (problem !== "") {
    result.replaceChildren(h("p", { class: "message", role: "alert" }, problem));
    return;
  }
  result.replaceChildren(h("p", {}, "Evaluating…"));
  try {
    const answer = await api.health.evaluateAccountHealth({
      sellerId: query.seller,
      marketplaceId: query.marketplace,
      asOf: report.asOf,
      onStoredFacts: true,
      events: hypotheticalOrders(query.marketplace, day, good, defects),
    });
    const whatIf = answer.report;
    if (whatIf === undefined) throw new Error("the server answered without a report");
    const before = new Map(allRates(report).map((r) => [r.metric, r]));
    const rows = allRates(whatIf).map((after) => {
      const was = before.get(after.metric);
      const shown = (r: { rate: number | undefined; status: MetricStatus } | undefined) =>
        r === undefined ? "" : `${r.rate === undefined ? "No data" : percent(r.rate)} (${statusLabel(r.status)})`;
      const changed = was === undefined || was.rate !== after.rate || was.status !== after.status;
      return h("tr", { "data-metric": metricKey(after.metric), class: changed ? "changed" : "" },
        h("th", { scope: "row" }, metricLabel(after.metric)),
        h("td", { class: "now-value" }, shown(was)),
        h("td", { class: "whatif-value" }, shown(after)),
        h("td", {}, changed ? "changed" : ""));
    });
    const ahrBefore = report.accountHealthRating?.score;
    const ahrAfter = whatIf.accountHealthRating?.score;
    const statusCls = accountStatusClass(whatIf.accountStatus);
    result.replaceChildren(
      h("p", { id: "whatif-status" }, "Account status: ",
        accountStatusLabel(report.accountStatus), " now → ",
        statusBadge(accountStatusLabel(whatIf.accountStatus), statusCls),
        ` with ${good} defect-free and ${defects} defective ${good + defects === 1 ? "order" : "orders"} more.`),
      h("p", { id: "whatif-ahr" }, `Account Health Rating: ${ahrBefore ?? "–"} now → ${ahrAfter ?? "–"}.`),
      h("div", { class: "table-scroll" },
        h("table", { id: "whatif-table" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Metric"), h("th", { scope: "col" }, "Now"),
            h("th", { scope: "col" }, "What if"), h("th", { scope: "col" }, "Change"))),
          h("tbody", {}, ...rows))));
    announce(`What-if evaluated: account status ${accountStatusLabel(whatIf.accountStatus)}.`);
  } catch (error) {
    result.replaceChildren(h("p", { class: "message", role: "alert" }, describeError(error)));
  }
}

// ---------------------------------------------------------------- feedback and reviews

function periodLabel(period: FeedbackPeriod): string {
  switch (period) {
    case FeedbackPeriod.DAYS_30: return "30 days";
    case FeedbackPeriod.DAYS_90: return "90 days";
    case FeedbackPeriod.DAYS_365: return "12 months";
    case FeedbackPeriod.LIFETIME: return "Lifetime";
    case FeedbackPeriod.UNSPECIFIED: return "–";
  }
}

function renderFeedback(summary: GetFeedbackSummaryResponse | string): void {
  const target = byId("feedback");
  if (typeof summary === "string") {
    target.replaceChildren(h("p", { class: "message" }, `Feedback unavailable: ${summary}`));
    return;
  }
  const cell = (count: bigint, pct: number) => h("td", {}, `${pct}% (${count})`);
  target.replaceChildren(
    h("section", { "aria-labelledby": "feedback-title" },
      h("h2", { id: "feedback-title" }, "Seller feedback"),
      h("p", { id: "feedback-rating", class: "rating" },
        h("span", { class: "score" }, `${summary.displayedPositivePercent}% positive`),
        ` over ${periodLabel(summary.displayedPeriod).toLowerCase()} (${summary.displayedCount} ${summary.displayedCount === 1n ? "rating" : "ratings"}), as buyers see it`),
      h("div", { class: "table-scroll" },
        h("table", { id: "feedback-table" },
          h("caption", {}, "Feedback received, by period"),
          h("thead", {}, h("tr", {}, ...["Period", "Positive", "Neutral", "Negative", "Count"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, ...summary.periods.map((p) => h("tr", { "data-period": FeedbackPeriod[p.period] },
            h("th", { scope: "row" }, periodLabel(p.period)),
            cell(p.positiveCount, p.positivePercent), cell(p.neutralCount, p.neutralPercent),
            cell(p.negativeCount, p.negativePercent), h("td", {}, String(p.totalCount)))))))));
}

function renderReviews(summary: GetReviewSummaryResponse): void {
  const stars = summary.displayStars;
  byId("reviews").replaceChildren(...present(
    h("p", { id: "review-mean", class: "rating" },
      summary.displayMean === undefined
        ? `No reviews of ${summary.asin}.`
        : `${summary.displayMean.toFixed(1)} out of 5 (${summary.reviewCount} ${summary.reviewCount === 1n ? "review" : "reviews"})` +
          (stars === undefined ? "" : `, shown as ${stars} stars`)),
    summary.weightedMean === undefined ? null
      : h("p", {}, `Weighted by verified purchase and recency: ${summary.weightedMean.toFixed(2)} out of 5.`),
    h("ul", { class: "histogram" }, ...summary.histogram.map((s) =>
      h("li", {}, h("span", { class: "stars" }, `${s.stars} ${s.stars === 1 ? "star" : "stars"}`),
        h("meter", { min: "0", max: "100", value: String(s.percent), "aria-hidden": "true" }),
        h("span", { class: "pct" }, `${s.percent}% (${s.count})`))))));
}

// ---------------------------------------------------------------- loading

function readQuery(): Query {
  return {
    seller: byId<HTMLInputElement>("seller").value.trim(),
    marketplace: byId<HTMLInputElement>("marketplace").value.trim(),
    asOf: byId<HTMLInputElement>("as-of").value.trim(),
  };
}

function writeQuery(query: Query): void {
  byId<HTMLInputElement>("seller").value = query.seller;
  byId<HTMLInputElement>("marketplace").value = query.marketplace;
  byId<HTMLInputElement>("as-of").value = query.asOf;
}

function queryFromUrl(): Query | undefined {
  const params = new URLSearchParams(window.location.search);
  const seller = params.get("seller") ?? "";
  if (seller === "") return undefined;
  const asOf = params.get("asOf") ?? "";
  return { seller, marketplace: params.get("marketplace") ?? "ATVPDKIKX0DER", asOf: isIsoDay(asOf) ? asOf : "" };
}

function urlOf(query: Query): string {
  const params = new URLSearchParams({ seller: query.seller, marketplace: query.marketplace });
  if (query.asOf !== "") params.set("asOf", query.asOf);
  return `?${params.toString()}`;
}

async function load(query: Query): Promise<void> {
  if (query.seller === "" || query.marketplace === "") {
    showMessage("Enter a seller and a marketplace.");
    return;
  }
  if (query.asOf !== "" && !isIsoDay(query.asOf)) {
    showMessage("The as-of day is not a date (YYYY-MM-DD).");
    return;
  }
  showMessage("");
  document.body.setAttribute("aria-busy", "true");
  const asOf = asOfInstant(query.asOf, query.marketplace);
  const scope = { sellerId: query.seller, marketplaceId: query.marketplace };
  const to = query.asOf === "" ? isoDay(dayOf(undefined, query.marketplace)) : query.asOf;
  try {
    const [reportAnswer, historyAnswer, feedbackAnswer] = await Promise.allSettled([
      api.health.getAccountHealth({ ...scope, ...(asOf === undefined ? {} : { asOf }) }),
      api.health.getMetricHistory({ ...scope, from: wireDay(shiftDay(to, 1 - HISTORY_DAYS)), to: wireDay(to) }),
      api.feedback.getFeedbackSummary({ ...scope, ...(asOf === undefined ? {} : { asOf }) }),
    ]);
    if (reportAnswer.status === "rejected") throw reportAnswer.reason;
    const report = reportAnswer.value.report;
    if (report === undefined) throw new Error("the server answered without a report");
    const history = historyAnswer.status === "fulfilled"
      ? new Map(historyAnswer.value.histories.map((m) => [m.metric, m.days]))
      : describeError(historyAnswer.reason);
    current = { query, report };
    renderReport(query, report, history);
    renderFeedback(feedbackAnswer.status === "fulfilled" ? feedbackAnswer.value : describeError(feedbackAnswer.reason));
    byId("reviews").replaceChildren();
    document.title = `${accountStatusLabel(report.accountStatus)} · ${query.seller} · Account Health`;
    announce(`Account health of ${query.seller} as of ${instantText(report.asOf, report.marketplaceId)}: ${accountStatusLabel(report.accountStatus)}.`);
  } catch (error) {
    current = undefined;
    byId("health").hidden = true;
    byId("health-empty").hidden = false;
    showMessage(describeError(error));
  } finally {
    document.body.removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------- tabs

/** The ARIA tabs pattern: arrow keys, Home and End move between tabs. */
function setUpTabs(): void {
  const tabs = [byId<HTMLButtonElement>("tab-health"), byId<HTMLButtonElement>("tab-feedback")];
  const select = (chosen: HTMLButtonElement, focus: boolean) => {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      byId(tab.getAttribute("aria-controls") ?? "").hidden = !selected;
    }
    if (focus) chosen.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = tabs[(next + tabs.length) % tabs.length];
      if (target !== undefined) select(target, true);
    });
  });
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  config = await serverConfig();
  byId("token-field").hidden = !config.tokens;
  const token = byId<HTMLInputElement>("token");
  api = clients(() => (config.tokens ? token.value : ""));
  setUpTabs();

  byId<HTMLFormElement>("lookup").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = readQuery();
    if (window.location.search !== urlOf(query)) window.history.pushState(null, "", urlOf(query));
    void load(query);
  });
  byId("today").addEventListener("click", () => {
    byId<HTMLInputElement>("as-of").value = "";
    byId<HTMLFormElement>("lookup").requestSubmit();
  });
  byId<HTMLFormElement>("reviews-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const asin = byId<HTMLInputElement>("asin").value.trim();
    if (current === undefined || asin === "") {
      byId("reviews").replaceChildren(h("p", { class: "message", role: "alert" }, "Show a seller first, then enter a listing."));
      return;
    }
    const { query, report } = current;
    api.reviews.getReviewSummary({ sellerId: query.seller, marketplaceId: query.marketplace, asin, ...(report.asOf === undefined ? {} : { asOf: report.asOf }) })
      .then(renderReviews)
      .catch((error: unknown) => byId("reviews").replaceChildren(h("p", { class: "message", role: "alert" }, describeError(error))));
  });
  window.addEventListener("popstate", () => {
    const query = queryFromUrl();
    if (query !== undefined) {
      writeQuery(query);
      void load(query);
    }
  });

  const initial = queryFromUrl();
  if (initial !== undefined) {
    writeQuery(initial);
    // With tokens on, wait for the token: the person presses Show.
    if (!config.tokens) await load(initial);
  }
  document.body.dataset["ready"] = "true";
}

void start();
