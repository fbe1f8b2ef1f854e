// The gRPC-Web clients of the page: the services of proto/, called on the
// server that served the page (same origin, so no CORS), with the bearer token
// when the server checks tokens.

import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AccountHealthService } from "./gen/sellerhealth/v1/account_health_pb";
import { FeedbackService } from "./gen/sellerhealth/v1/feedback_pb";
import { ReviewService } from "./gen/sellerhealth/v1/reviews_pb";
import { type TimeZones, UTC_ZONES } from "./zones";

/** What the server tells the page (`GET /config.json`). */
export interface ServerConfig {
  /** The server checks bearer tokens (`--tokens`): the page asks for one. */
  tokens: boolean;
  /** Most events one call may carry (`--max-batch-events`): bounds a what-if. */
  maxBatchEvents: number;
  /** Each marketplace's time zone: the page's days are the marketplace's local days. */
  timeZones: TimeZones;
}

/** `value` when it is a well-formed `timeZones` object, else every marketplace on UTC. */
function timeZones(value: unknown): TimeZones {
  if (typeof value !== "object" || value === null) return UTC_ZONES;
  const record = value as Record<string, unknown>;
  const listed = record["marketplaces"];
  if (typeof record["default"] !== "string" || typeof listed !== "object" || listed === null) return UTC_ZONES;
  const marketplaces: Record<string, string> = {};
  for (const [id, zone] of Object.entries(listed as Record<string, unknown>)) {
    if (typeof zone === "string") marketplaces[id] = zone;
  }
  return { default: record["default"], marketplaces };
}

/** Reads the server's configuration; a server too old to say is taken as tokenless. */
export async function serverConfig(): Promise<ServerConfig> {
  const fallback: ServerConfig = { tokens: false, maxBatchEvents: 10000, timeZones: UTC_ZONES };
  try {
    const answer = await fetch("config.json", { cache: "no-store" });
    if (!answer.ok) return fallback;
    const json: unknown = await answer.json();
    if (typeof json !== "object" || json === null) return fallback;
    const record = json as Record<string, unknown>;
    return {
      tokens: record["tokens"] === true,
      maxBatchEvents: typeof record["maxBatchEvents"] === "number" ? record["maxBatchEvents"] : fallback.maxBatchEvents,
      timeZones: timeZones(record["timeZones"]),
    };
  } catch {
    return fallback;
  }
}

/** The page's clients; `token()` is read on every call (empty: none sent). */
export interface Clients {
  health: Client<typeof AccountHealthService>;
  feedback: Client<typeof FeedbackService>;
  reviews: Client<typeof ReviewService>;
}

export function clients(token: () => string): Clients {
  const bearer: Interceptor = (next) => (request) => {
    const value = token().trim();
    if (value !== "") request.header.set("authorization", `Bearer ${value}`);
    return next(request);
  };
  const transport = createGrpcWebTransport({
    baseUrl: new URL(".", window.location.href).href.replace(/\/$/, ""),
    interceptors: [bearer],
  });
  return {
    health: createClient(AccountHealthService, transport),
    feedback: createClient(FeedbackService, transport),
    reviews: createClient(ReviewService, transport),
  };
}
