"""Writes tests/bulwark.test.yml: for every alert of
rules/bulwark.rules.yml, input series that make it fire and series that keep it silent, with the
labels and annotations the rule gives (its templates rendered). Run from k8s/monitoring:
    python3 tests/generate.py && ./promtool.sh test rules tests/*.test.yml
"""
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import yaml, re, json
rules = yaml.safe_load(open("rules/bulwark.rules.yml"))
alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
def render(t, labels):
    return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels.get(m.group(1), ""), t)
def exp(name, labels):
    r = alerts[name]
    lab = dict(labels); lab.update(r["labels"])
    ann = {k: render(v, labels) for k, v in r["annotations"].items()}
    return {"exp_labels": lab, "exp_annotations": ann}
M = "bulwark_http_server_requests_seconds"
def req(prio, cls, values, extra=""):
    return {"series": f'{M}_count{{priority="{prio}",status_class="{cls}",instance="a"{extra}}}', "values": values}
def bucket(prio, le, values):
    return {"series": f'{M}_bucket{{priority="{prio}",status_class="2xx",le="{le}",instance="a"}}', "values": values}
tests = []
def case(name, series, at, alertname, fires, labels=None, interval="1m", comment=""):
    t = {"interval": interval, "input_series": series,
         "alert_rule_test": [{"eval_time": at, "alertname": alertname,
                              "exp_alerts": [exp(alertname, labels or {})] if fires else []}]}
    tests.append((comment or f"{alertname} {'fires' if fires else 'stays silent'}", t))

# availability burn
for fires, bad in [(True, "0+60x90"), (False, "0+1x90")]:
    case("", [req("critical","2xx","0+540x90"), req("critical","5xx",bad)], "70m",
         "BulwarkAvailabilityBudgetBurnFast", fires, {"slo":"critical"},
         comment=f"BulwarkAvailabilityBudgetBurnFast: {'10 %' if fires else '0.2 %'} of critical requests fail")
for fires, ok, bad in [(True, "0+594x420", "0+12x420"), (False, "0+598x420", "0+2x420")]:
    case("", [req("standard","2xx",ok), req("sheddable","2xx",ok), req("standard","5xx",bad)], "390m",
         "BulwarkAvailabilityBudgetBurnMedium", fires, {"slo":"standard"},
         comment=f"BulwarkAvailabilityBudgetBurnMedium: {'1' if fires else '0.17'} % of standard requests fail for 6.5 h")
# rate() over three days needs no three days of data: eight hours keep promtool fast.
for fires, ok, bad in [(True, "0+997x480", "0+3x480"), (False, "0+9995x480", "0+5x480")]:
    case("", [req("critical","2xx",ok), req("critical","5xx",bad)], "7h",
         "BulwarkAvailabilityBudgetBurnSlow", fires, {"slo":"critical"},
         comment=f"BulwarkAvailabilityBudgetBurnSlow: {'0.3' if fires else '0.05'} % fail for hours")
# latency burn
for fires, good in [(True, "0+60x90"), (False, "0+540x90")]:
    case("", [req("critical","2xx","0+600x90"), bucket("critical","0.12",good)], "70m",
         "BulwarkLatencyBudgetBurnFast", fires, {"slo":"critical"},
         comment=f"BulwarkLatencyBudgetBurnFast: {'90' if fires else '10'} % of critical requests over 120 ms")
for fires, good in [(True, "0+300x420"), (False, "0+540x420")]:
    case("", [req("standard","2xx","0+600x420"), bucket("standard","0.2",good)], "390m",
         "BulwarkLatencyBudgetBurnSlow", fires, {"slo":"standard"},
         comment=f"BulwarkLatencyBudgetBurnSlow: {'50' if fires else '10'} % of standard requests over 200 ms")
# error rate
for fires, bad in [(True, "0+30x20"), (False, "0+3x20")]:
    case("", [req("critical","2xx","0+570x20"), req("standard","5xx",bad)], "15m",
         "BulwarkErrorRateHigh", fires, {},
         comment=f"BulwarkErrorRateHigh: {'5' if fires else '0.5'} % of all requests fail")
# p95 over target
for fires, under in [(True, "0+50x40"), (False, "0+99x40")]:
    case("", [bucket("critical","0.12",under), bucket("critical","0.2","0+100x40"), bucket("critical","+Inf","0+100x40"),
              req("critical","2xx","0+100x40")], "30m",
         "BulwarkLatencyP95OverTarget", fires, {"slo":"critical"},
         comment=f"BulwarkLatencyP95OverTarget: {'half' if fires else '99 %'} of critical requests within 120 ms")
# projection lag
L = "bulwark_projection_lag_seconds_bucket"
for fires, within5 in [(True, "0+20x30"), (False, "0+100x30")]:
    case("", [{"series": f'{L}{{projection="ledger",le="1",instance="a"}}', "values": "0+10x30"},
              {"series": f'{L}{{projection="ledger",le="5",instance="a"}}', "values": within5},
              {"series": f'{L}{{projection="ledger",le="10",instance="a"}}', "values": "0+100x30"},
              {"series": f'{L}{{projection="ledger",le="+Inf",instance="a"}}', "values": "0+100x30"}], "20m",
         "BulwarkProjectionLagHigh", fires, {"projection":"ledger"},
         comment=f"BulwarkProjectionLagHigh: {'80 % of events over 5 s' if fires else 'every event within 5 s'}")
for fires, events in [(True, "500+0x30"), (False, "500+50x30")]:
    case("", [{"series": 'bulwark_transfers_total{outcome="completed",instance="a"}', "values": "0+10x30"},
              {"series": 'bulwark_projection_events_total{projection="ledger",instance="b"}', "values": events}], "25m",
         "BulwarkProjectionStalled", fires, {},
         comment=f"BulwarkProjectionStalled: transfers complete and events are {'not ' if fires else ''}projected")
for fires, b in [(True, "3x20"), (False, "4x20")]:
    case("", [{"series": 'bulwark_projection_running{projection="ledger",instance="a"}', "values": "4x20"},
              {"series": 'bulwark_projection_running{projection="ledger",instance="b"}', "values": b}], "10m",
         "BulwarkProjectionNotRunning", fires, {"projection":"ledger"},
         comment=f"BulwarkProjectionNotRunning: {'7' if fires else '8'} of 8 slices run")
case("", [{"series": 'up{job="bulwark",instance="a"}', "values": "1x20"}], "10m",
     "BulwarkProjectionNotRunning", True, {"projection":"ledger"},
     comment="BulwarkProjectionNotRunning: no node reports a running slice at all")
# pool
for fires, waiting, active, comment in [(True, "2x20", "10x20", "threads wait for connections"),
                                        (True, "0x20", "23x20", "23 of 24 connections in use"),
                                        (False, "0x20", "5x20", "5 of 24 in use, nobody waits")]:
    case("", [{"series": 'bulwark_db_pool_waiting_threads{instance="a",job="bulwark"}', "values": waiting},
              {"series": 'bulwark_db_pool_connections{state="active",instance="a",job="bulwark"}', "values": active},
              {"series": 'bulwark_db_pool_max_connections{instance="a",job="bulwark"}', "values": "24x20"}], "10m",
         "BulwarkDatabasePoolSaturated", fires, {"instance":"a"},
         comment=f"BulwarkDatabasePoolSaturated: {comment}")
for fires, up in [(True, "0x10"), (False, "1x10")]:
    case("", [{"series": 'up{job="bulwark",instance="a"}', "values": up}], "5m",
         "BulwarkNodeDown", fires, {"job":"bulwark","instance":"a"},
         comment=f"BulwarkNodeDown: the node {'does not answer' if fires else 'answers'} scrapes")
for fires, series in [(True, [{"series": 'up{job="other",instance="x"}', "values": "1x10"}]),
                      (False, [{"series": 'up{job="bulwark",instance="a"}', "values": "1x10"}])]:
    case("", series, "10m", "BulwarkAbsent", fires, {"job": "bulwark"},
         comment=f"BulwarkAbsent: {'no' if fires else 'a'} bulwark target is scraped")
for fires, v in [(True, "1x10"), (False, "0x10")]:
    case("", [{"series": 'bulwark_breaker_open{breaker="database",instance="a"}', "values": v}], "5m",
         "BulwarkBreakerOpen", fires, {"breaker":"database","instance":"a"},
         comment=f"BulwarkBreakerOpen: the database breaker is {'open' if fires else 'closed'}")
for fires, v in [(True, "3x40"), (False, "0x40")]:
    case("", [{"series": 'bulwark_webhook_dead_letters{endpoint_class="shared",instance="a"}', "values": v}], "35m",
         "BulwarkWebhookDeadLetters", fires, {"endpoint_class":"shared"},
         comment=f"BulwarkWebhookDeadLetters: {'3 dead letters wait' if fires else 'no dead letter'} for 35 minutes")
for fires, v in [(True, "2x10"), (False, "0x10")]:
    case("", [{"series": 'bulwark_projection_dead_letters{projection="ledger",tenant="evil",instance="a"}', "values": v}],
         "6m", "BulwarkProjectionDeadLetters", fires, {"projection": "ledger", "tenant": "evil"},
         comment=f"BulwarkProjectionDeadLetters: {'2 events of a tenant are' if fires else 'nothing is'} parked for 6 minutes")

T = "bulwark_http_tenant_requests_seconds"
tenant_test = {"interval": "1m", "input_series": [
    {"series": f'{T}_count{{tenant="acme",priority="critical",status_class="2xx",instance="a"}}', "values": "0+998x90"},
    {"series": f'{T}_count{{tenant="acme",priority="critical",status_class="5xx",instance="a"}}', "values": "0+2x90"},
    {"series": f'{T}_count{{tenant="calm",priority="critical",status_class="2xx",instance="a"}}', "values": "0+100x90"}],
  "promql_expr_test": [{"expr": "tenant:availability_budget_burn:rate1h", "eval_time": "70m",
     "exp_samples": [{"labels": 'tenant:availability_budget_burn:rate1h{tenant="acme"}', "value": 2},
                     {"labels": 'tenant:availability_budget_burn:rate1h{tenant="calm"}', "value": 0}]}]}

out = ["# Written by tests/generate.py; promtool runs it in the test suite (AlertRulesTest).",
       "# Every alert has a case that fires and one that stays silent; the tenant burn rate is checked too.",
       "rule_files:", "  - ../rules/bulwark.rules.yml", "evaluation_interval: 1m", "tests:"]
for comment, t in tests:
    block = yaml.safe_dump([t], sort_keys=False, width=120)
    out.append("  # " + comment)
    out.extend("  " + l for l in block.rstrip().splitlines())
out.append("  # A tenant with 0.2 % failures burns its budget at twice the rate it refills; a calm one at 0.")
out.extend("  " + l for l in yaml.safe_dump([tenant_test], sort_keys=False, width=120).rstrip().splitlines())
open("tests/bulwark.test.yml", "w").write("\n".join(out) + "\n")

