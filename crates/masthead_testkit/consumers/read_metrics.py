"""Reads a /metrics answer (standard input) with the Prometheus project's own Python client's
text-format parser (prometheus_client.parser, not our encoder) and prints what it found as
JSON: its version, and per metric family its type, help and samples (name, labels, value).
A document it cannot parse fails with the parser's error.

usage: read_metrics.py < metrics.txt
"""
import json
import sys

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
families = []
for family in text_string_to_metric_families(text):
    families.append(
        {
            "name": family.name,
            "type": family.type,
            "help": family.documentation,
            "samples": [
                {"name": s.name, "labels": s.labels, "value": s.value}
                for s in family.samples
            ],
        }
    )
version = getattr(prometheus_client, "__version__", None)
if version is None:
    from importlib.metadata import version as dist_version

    version = dist_version("prometheus_client")
json.dump({"prometheus_client": version, "families": families}, sys.stdout)
