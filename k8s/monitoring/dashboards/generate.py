"""Writes the Grafana dashboards (JSON, schema 39) of k8s/monitoring/dashboards from the panel lists
below. Run from anywhere: python3 k8s/monitoring/dashboards/generate.py. Every expression is checked
by the test suite (DashboardsTest: PromQL syntax through promtool, and only known metrics)."""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
DS = {"type": "prometheus", "uid": "${datasource}"}


def panel(title, exprs, unit="short", kind="timeseries", legend="{{instance}}", w=12, h=8):
    targets = []
    for i, e in enumerate(exprs if isinstance(exprs, list) else [exprs]):
        expr, fmt = e if isinstance(e, tuple) else (e, legend)
        targets.append({"datasource": DS, "expr": expr, "legendFormat": fmt, "refId": chr(65 + i)})
    return {"type": kind, "title": title, "datasource": DS, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "gridPos": {"w": w, "h": h}}


def dashboard(uid, title, description, panels):
    x = y = 0
    for i, p in enumerate(panels):
        if x + p["gridPos"]["w"] > 24:
            x, y = 0, y + 8
        p["gridPos"].update({"x": x, "y": y})
        p["id"] = i + 1
        x += p["gridPos"]["w"]
    return {
        "uid": uid, "title": title, "description": description, "tags": ["bulwark"],
        "schemaVersion": 39, "version": 1, "editable": True, "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus",
                                 "label": "Prometheus"}]},
        "panels": panels,
    }


R = "bulwark_http_server_requests_seconds"
dashboards = {
    "overview": dashboard("bulwark-overview", "Bulwark: service overview",
        "Requests, errors, latency and refusals of the API; node resources.", [
        panel("Requests/s by route", (f"sum by (route) (rate({R}_count[5m]))", "{{route}}"), "reqps"),
        panel("5xx ratio", f'(sum(rate({R}_count{{status_class="5xx"}}[5m])) or vector(0)) / sum(rate({R}_count[5m]))',
              "percentunit", legend="5xx"),
        panel("p95 latency by priority",
              (f"histogram_quantile(0.95, sum by (le, priority) (rate({R}_bucket[5m])))", "{{priority}}"), "s"),
        panel("Refusals/s by reason", ("sum by (reason) (rate(bulwark_http_refusals_total[5m]))", "{{reason}}"), "reqps"),
        panel("Admission: in flight and limit", [("bulwark_admission_in_flight", "in flight {{instance}}"),
                                                 ("bulwark_admission_limit", "limit {{instance}}")]),
        panel("Breakers open", ("max by (instance, breaker) (bulwark_breaker_open)", "{{instance}} {{breaker}}")),
        panel("Process CPU", ('avg by (instance) (process_cpu_usage{mode="combined"})', "{{instance}}"), "percent"),
        panel("Heap used", ('sum by (instance) (jvm_memory_used_bytes_sum{segment="heap"}) / sum by (instance) (jvm_memory_used_bytes_count{segment="heap"})',
                            "{{instance}}"), "bytes"),
        panel("Hosted entities by type", ("sum by (type) (pekko_cluster_sharding_region_hosted_entities_sum) / sum by (type) (pekko_cluster_sharding_region_hosted_entities_count)",
                                          "{{type}}")),
        panel("Dispatcher time in queue p95", ("histogram_quantile(0.95, sum by (le, name) (rate(executor_time_in_queue_seconds_bucket[5m])))", "{{name}}"), "s"),
    ]),
    "slo": dashboard("bulwark-slo", "Bulwark: SLOs and error budget burn",
        "The SLIs of k8s/monitoring/rules per SLO class and per tenant.", [
        panel("Availability errors (1h, 6h, 3d)", [("slo:availability_errors:ratio_rate1h", "1h {{slo}}"),
                                                   ("slo:availability_errors:ratio_rate6h", "6h {{slo}}"),
                                                   ("slo:availability_errors:ratio_rate3d", "3d {{slo}}")], "percentunit"),
        panel("Availability burn rate (1h)", ("slo:availability_errors:ratio_rate1h / 0.001", "{{slo}}")),
        panel("Requests over their latency target (1h)", ("slo:latency_errors:ratio_rate1h", "{{slo}}"), "percentunit"),
        panel("p95 against target", [("slo:latency_p95:seconds_10m", "p95 {{slo}}"),
                                     ("slo:latency_p95:target_seconds", "target {{slo}}")], "s"),
        panel("Tenant budget burn (1h)", ("topk(10, tenant:availability_budget_burn:rate1h)", "{{tenant}}")),
        panel("Tenant requests over target (1h)", ("topk(10, tenant:latency_errors:ratio_rate1h)", "{{tenant}} {{slo}}"), "percentunit"),
        panel("Firing alerts", ('sum by (alertname, severity) (ALERTS{alertstate="firing", owner="ledger-platform"})',
                                "{{alertname}} ({{severity}})")),
    ]),
    "sagas": dashboard("bulwark-sagas", "Bulwark: transfers and sagas",
        "Transfer outcomes, refusal codes, volume, saga durations and retries.", [
        panel("Transfers/s by outcome", ("sum by (outcome) (rate(bulwark_transfers_total[5m]))", "{{outcome}}"), "ops"),
        panel("Refused transfers/s by code", ('sum by (code) (rate(bulwark_transfers_total{outcome="rejected"}[5m]))', "{{code}}"), "ops"),
        panel("Volume/s by currency (minor units)", ("sum by (currency) (rate(bulwark_transfer_volume_minor_units_total[5m]))", "{{currency}}")),
        panel("Saga duration p50/p99", [("histogram_quantile(0.5, sum by (le) (rate(bulwark_saga_duration_seconds_bucket[5m])))", "p50"),
                                        ("histogram_quantile(0.99, sum by (le) (rate(bulwark_saga_duration_seconds_bucket[5m])))", "p99")], "s"),
        panel("Step retries/s", ("sum by (step) (rate(bulwark_saga_step_retries_total[5m]))", "{{step}}"), "ops"),
        panel("Journal write p99", ("histogram_quantile(0.99, sum by (le, entity) (rate(bulwark_journal_persist_duration_seconds_bucket[5m])))", "{{entity}}"), "s"),
    ]),
    "projections": dashboard("bulwark-projections", "Bulwark: projections and read models",
        "Events applied, lag from journal write to read-model commit, slices running, failures, parked events.", [
        panel("Events applied/s", ("sum by (projection) (rate(bulwark_projection_events_total[5m]))", "{{projection}}"), "ops"),
        panel("Lag p50/p95/p99", [(f"histogram_quantile({q}, sum by (le) (rate(bulwark_projection_lag_seconds_bucket[5m])))", f"p{int(q*100)}")
                                  for q in (0.5, 0.95, 0.99)], "s"),
        panel("Slices running by node", ("sum by (instance) (bulwark_projection_running)", "{{instance}}")),
        panel("Failures (restarts)", ("sum by (instance) (increase(bulwark_projection_failures_total[15m]))", "{{instance}}")),
        panel("Parked events by tenant (dead letters)", ("max by (projection, tenant) (bulwark_projection_dead_letters)", "{{projection}} {{tenant}}")),
        panel("Events parked/15m", ("sum by (projection, reason) (increase(bulwark_projection_parked_total[15m]))", "{{projection}} {{reason}}")),
    ]),
    "database": dashboard("bulwark-database", "Bulwark: database pool",
        "The shared HikariCP pool of each node, journal writes and read-model staleness.", [
        panel("Connections in use / idle / max", [('bulwark_db_pool_connections{state="active"}', "active {{instance}}"),
                                                  ('bulwark_db_pool_connections{state="idle"}', "idle {{instance}}"),
                                                  ("bulwark_db_pool_max_connections", "max {{instance}}")]),
        panel("Threads waiting for a connection", ("bulwark_db_pool_waiting_threads", "{{instance}}")),
        panel("Pool in use (share of max)", ('bulwark_db_pool_connections{state="active"} / on (instance) bulwark_db_pool_max_connections', "{{instance}}"), "percentunit"),
        panel("Journal write p50/p99", [("histogram_quantile(0.5, sum by (le) (rate(bulwark_journal_persist_duration_seconds_bucket[5m])))", "p50"),
                                        ("histogram_quantile(0.99, sum by (le) (rate(bulwark_journal_persist_duration_seconds_bucket[5m])))", "p99")], "s"),
        panel("Database breaker", ('max by (instance) (bulwark_breaker_open{breaker="database"})', "{{instance}}")),
    ]),
    "webhooks": dashboard("bulwark-webhooks", "Bulwark: webhooks",
        "Delivery attempts by outcome, latency from event to delivery, dead letters, in flight, breakers (ADR 0023).", [
        panel("Attempts/s by outcome", ("sum by (outcome) (rate(bulwark_webhook_attempts_total[5m]))", "{{outcome}}"), "ops"),
        panel("Event to delivery p50/p99", [(f"histogram_quantile({q}, sum by (le) (rate(bulwark_webhook_delivery_latency_seconds_bucket[5m])))", f"p{int(q*100)}")
                                            for q in (0.5, 0.99)], "s"),
        panel("Dead letters by endpoint class", ("max by (endpoint_class) (bulwark_webhook_dead_letters)", "{{endpoint_class}}")),
        panel("Attempts in flight by node", ("bulwark_webhook_in_flight", "{{instance}}")),
        panel("Attempt p99 by outcome", ("histogram_quantile(0.99, sum by (le, outcome) (rate(bulwark_webhook_attempt_duration_seconds_bucket[5m])))", "{{outcome}}"), "s"),
        panel("Breakers opened, gap events (15m)", [("sum(increase(bulwark_webhook_breaker_opened_total[15m]))", "breakers opened"),
                                                    ("sum(increase(bulwark_webhook_gap_events_total[15m]))", "gap events")]),
    ]),
}
for name, d in dashboards.items():
    with open(os.path.join(HERE, f"bulwark-{name}.json"), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
