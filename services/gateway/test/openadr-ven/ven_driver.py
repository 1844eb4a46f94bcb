"""A VEN that this project did not write: the openadr3-client library (PyPI, Apache-2.0)
driven against our VTN. It authenticates (OAuth2 client credentials, token URL discovered
through /auth/server), lists programs and events, posts a USAGE report on the first event
and creates a subscription; it reads the notifier bindings and its MQTT event topics
(/notifiers). It prints one JSON object with what it saw, for the test.

    python ven_driver.py BASE_URL CLIENT_ID CLIENT_SECRET CALLBACK_URL
"""
import json
import sys
from datetime import timedelta

from openadr3_client.oadr310._vtn.http.notifiers import NotifiersReadOnlyHttpInterface
from openadr3_client.oadr310._vtn.http.subscriptions import SubscriptionsHttpInterface
from openadr3_client.oadr310.models.report.report import NewReport, ReportResource
from openadr3_client.oadr310.models.report.report_payload import ReportPayload, ReportPayloadType
from openadr3_client.oadr310.models.subscriptions.subscription import NewSubscription, Object, ObjectOperation, Operation
from openadr3_client._models.common.interval import Interval
from openadr3_client._models.common.interval_period import IntervalPeriod
from openadr3_client._auth.config_builder import build_token_manager_config
from openadr3_client.ven.http_factory import VirtualEndNodeHttpClientFactory
from openadr3_client.version import OADRVersion


def main() -> None:
    base_url, client_id, client_secret, callback_url = sys.argv[1:5]
    ven = VirtualEndNodeHttpClientFactory.create_http_ven_client(
        vtn_base_url=base_url, client_id=client_id, client_secret=client_secret,
        allow_insecure_http=True, version=OADRVersion.OADR_310,
    )
    programs = ven.programs.get_programs(target=None, pagination=None)
    events = ven.events.get_events(target=None, pagination=None, program_id=None)
    event = events[0]
    start = event.intervals[0].interval_period.start if event.intervals[0].interval_period else event.interval_period.start
    report = ven.reports.create_report(NewReport(
        eventID=event.id, client_name="ven-driver", report_name="VEN usage claim",
        resources=(ReportResource(resource_name="AGGREGATED_REPORT", intervals=(
            Interval(id=0, interval_period=IntervalPeriod(start=start, duration=timedelta(minutes=15)), payloads=(ReportPayload(type=ReportPayloadType.USAGE, values=(123,)),)),
        )),),
    ))
    # The VEN client exposes subscriptions read-only; the library's read-write interface creates one.
    config = build_token_manager_config(client_id=client_id, client_secret=client_secret, token_url=None, scopes=None, audience=None,
                                        vtn_base_url=base_url, verify_vtn_tls_certificate=True, version=OADRVersion.OADR_310, factory_name="ven-driver")
    subscriptions = SubscriptionsHttpInterface(base_url=base_url, config=config, allow_insecure_http=True)
    subscription = subscriptions.create_subscription(NewSubscription(
        client_name="ven-driver", programID=event.program_id,
        object_operations=(ObjectOperation(objects=(Object.EVENT,), operations=(Operation.POST, Operation.PUT), callback_url=callback_url, bearer_token="ven-callback-token"),),
    ))
    listed = ven.subscriptions.get_subscriptions(pagination=None, program_id=None, client_name=None, objects=None)
    # The MQTT notifier binding, through the library's 3.1 notifiers interface. Our VEN ids are
    # the aggregator ids (the client id's part after the DISCOM).
    notifiers = NotifiersReadOnlyHttpInterface(base_url=base_url, config=config, allow_insecure_http=True)
    details = notifiers.get_notifiers()
    event_topics = notifiers.get_event_topics_for_ven(client_id.split("/", 1)[1])
    print(json.dumps({
        "programs": [p.program_name for p in programs],
        "events": [{"id": e.id, "programID": e.program_id, "name": e.event_name, "intervals": len(e.intervals)} for e in events],
        "report": {"id": report.id, "eventID": report.event_id},
        "subscription": {"id": subscription.id},
        "subscriptions": [s.id for s in listed],
        "notifiers": {"webhook": details.webhook, "mqttUris": [str(u) for u in details.mqtt.uris], "serialization": str(details.mqtt.serialization.value)},
        "eventTopics": event_topics.topics.model_dump(by_alias=True),
    }))


if __name__ == "__main__":
    main()
