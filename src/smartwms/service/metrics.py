"""Prometheus metrics: jobs by state (read from the store at scrape time), solve seconds."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from smartwms.jobs import Job, JobStore

__all__ = ["ServiceMetrics"]

_SOLVE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class _JobsByState(Collector):
    def __init__(self, store: JobStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("smartwms_jobs", "Jobs in the store by state.", labels=["state"])
        for state, count in self.store.counts_by_state().items():
            family.add_metric([state.value], count)
        yield family


class ServiceMetrics:
    """The service's metrics in their own registry (several apps may live in one process)."""

    def __init__(self, store: JobStore) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_JobsByState(store))
        self.submitted = Counter(
            "smartwms_jobs_submitted",
            "Jobs accepted by POST /v1/jobs.",
            ["kind"],
            registry=self.registry,
        )
        self.solve_seconds = Histogram(
            "smartwms_job_solve_seconds",
            "Seconds from a job's start to its end, by kind and final state.",
            ["kind", "state"],
            buckets=_SOLVE_BUCKETS,
            registry=self.registry,
        )
        self.sync_seconds = Histogram(
            "smartwms_sync_solve_seconds",
            "Seconds spent in POST /v1/solve, by kind.",
            ["kind"],
            buckets=_SOLVE_BUCKETS,
            registry=self.registry,
        )

    def job_finished(self, job: Job) -> None:
        """Record a finished job's solve time."""
        if job.run_seconds is not None:
            self.solve_seconds.labels(job.kind, job.state.value).observe(job.run_seconds)
