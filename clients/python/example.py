"""sellerhealth from Python: ingest a few facts and read the account health report.

Generate the client from the contract first (grpcio-tools from PyPI):

    python -m grpc_tools.protoc -I proto --python_out=gen --grpc_python_out=gen proto/sellerhealth/v1/*.proto

then run:  PYTHONPATH=gen python clients/python/example.py localhost:50051
"""

import sys
from datetime import datetime, timezone

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from sellerhealth.v1 import account_health_pb2, account_health_pb2_grpc
from sellerhealth.v1 import common_pb2, facts_pb2, ingest_pb2, ingest_pb2_grpc


def ts(text):
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(text).replace(tzinfo=timezone.utc))
    return stamp


def order(seller, order_id, purchased, latest_ship):
    return facts_pb2.Event(
        event_id=f"order:{order_id}",
        seller_id=seller,
        order=facts_pb2.Order(
            order_id=order_id,
            marketplace_id="US",
            purchased_at=ts(purchased),
            fulfillment_channel=common_pb2.FULFILLMENT_CHANNEL_MFN,
            latest_ship_at=ts(latest_ship),
            units=1,
        ),
    )


def main(address, seller="py-seller"):
    with grpc.insecure_channel(address) as channel:
        ingest = ingest_pb2_grpc.IngestServiceStub(channel)
        events = [
            order(seller, "o1", "2026-05-01T10:00:00", "2026-05-03T10:00:00"),
            order(seller, "o2", "2026-05-02T10:00:00", "2026-05-04T10:00:00"),
            order(seller, "o3", "2026-05-03T10:00:00", "2026-05-05T10:00:00"),
            facts_pb2.Event(
                event_id="feedback:o2",
                seller_id=seller,
                seller_feedback=facts_pb2.SellerFeedback(order_id="o2", left_at=ts("2026-05-05T12:00:00"), stars=1),
            ),
        ]
        answer = ingest.IngestEvents(ingest_pb2.IngestEventsRequest(events=events))
        print(f"accepted {answer.accepted} duplicates {answer.duplicates}")

        health = account_health_pb2_grpc.AccountHealthServiceStub(channel)
        report = health.GetAccountHealth(
            account_health_pb2.GetAccountHealthRequest(
                seller_id=seller, marketplace_id="US", as_of=ts("2026-06-30T23:59:59")
            )
        ).report
        odr = report.order_defect_rate_mfn.rate
        status = common_pb2.MetricStatus.Name(odr.status)
        # `rate` is absent (not 0) when the metric has no data: ask before reading it.
        rate = f"{odr.rate:.4f}" if odr.HasField("rate") else "no data"
        print(f"order defect rate MFN {odr.numerator}/{odr.denominator} = {rate} {status}")
        print(f"account status {account_health_pb2.AccountStatus.Name(report.account_status)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "localhost:50051")
