// The what-if panel's hypothetical facts: orders that would be added to the
// stored ones (EvaluateAccountHealth with on_stored_facts; nothing is stored).
//
// An extra defect-free order is a whole good order, so that it counts as good
// in every metric it enters, not only in the ODR: a seller-fulfilled order
// purchased at noon on the chosen day, confirmed shipped with a tracking number
// the next morning (before its latest ship date, two days after purchase), first
// scanned that evening and delivered on the third day (before its promised
// delivery, the fifth day). An extra defect is the same order with a 1-star
// feedback left on the fourth day. Facts dated after the as-of instant do not
// count, as for stored facts.

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { FulfillmentChannel } from "./gen/sellerhealth/v1/common_pb";
import { EventSchema, type Event } from "./gen/sellerhealth/v1/facts_pb";

/** Events per extra defect-free order, and per extra defective one. */
export const EVENTS_PER_GOOD_ORDER = 3;
export const EVENTS_PER_DEFECTIVE_ORDER = 4;

/** The events of `good` defect-free and `defective` orders purchased on `day` (ISO). */
export function hypotheticalOrders(marketplaceId: string, day: string, good: number, defective: number): Event[] {
  const at = (offsetDays: number, time: string) => {
    const instant = new Date(`${day}T${time}Z`);
    instant.setUTCDate(instant.getUTCDate() + offsetDays);
    return timestampFromDate(instant);
  };
  const events: Event[] = [];
  for (let n = 1; n <= good + defective; n++) {
    const orderId = `what-if-${n}`;
    const tracking = `WHAT-IF-${n}`;
    events.push(
      create(EventSchema, {
        eventId: `what-if:order:${n}`,
        fact: {
          case: "order",
          value: {
            orderId,
            marketplaceId,
            purchasedAt: at(0, "12:00:00"),
            fulfillmentChannel: FulfillmentChannel.MFN,
            latestShipAt: at(2, "23:59:59"),
            promisedDeliveryLatestAt: at(5, "23:59:59"),
            units: 1,
          },
        },
      }),
      create(EventSchema, {
        eventId: `what-if:shipment:${n}`,
        fact: {
          case: "shipmentConfirmed",
          value: { shipmentId: `what-if-${n}`, orderId, confirmedAt: at(1, "10:00:00"), carrier: "what-if", trackingNumber: tracking, units: 1 },
        },
      }),
      create(EventSchema, {
        eventId: `what-if:scan:${n}`,
        fact: {
          case: "carrierScan",
          value: { trackingNumber: tracking, firstScanAt: at(1, "18:00:00"), deliveredAt: at(3, "12:00:00") },
        },
      }),
    );
    if (n > good) {
      events.push(
        create(EventSchema, {
          eventId: `what-if:feedback:${n}`,
          fact: {
            case: "sellerFeedback",
            value: { orderId, leftAt: at(4, "12:00:00"), stars: 1, comment: "what-if defect" },
          },
        }),
      );
    }
  }
  return events;
}
