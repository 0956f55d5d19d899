// smartwms console: live job state over server-sent events, tour highlighting, upload checks.
// The project's own code; no third-party library. Text from the server is set with
// textContent only, never as HTML.
"use strict";

function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Number(value.toPrecision(4)).toLocaleString("en");
}

function formatSeconds(value) {
  if (value === null || value === undefined) return "–";
  if (value < 60) return value.toFixed(1) + " s";
  return Math.floor(value / 60) + " min " + Math.round(value % 60) + " s";
}

function updateJob(container, job) {
  const set = (field, text) => {
    container.querySelectorAll('[data-field="' + field + '"]').forEach((el) => { el.textContent = text; });
  };
  const state = container.querySelector('[data-field="state"]');
  if (state) {
    state.textContent = job.state;
    state.className = "state state-" + job.state;
  }
  const bar = container.querySelector('[data-field="progress"] progress');
  const pct = container.querySelector('[data-field="progress"] .pct');
  const done = job.state === "succeeded";
  if (bar) bar.value = job.progress !== null ? Math.round(job.progress * 100) : (done ? 100 : 0);
  if (pct) pct.textContent = job.progress !== null ? Math.round(job.progress * 100) + " %" : (done ? "100 %" : "–");
  set("best_objective", formatNumber(job.best_objective));
  set("run_seconds", formatSeconds(job.run_seconds));
  set("message", job.message || "–");
  if (["succeeded", "failed", "cancelled"].includes(job.state)) {
    container.querySelectorAll('[data-field="cancel"]').forEach((el) => el.remove());
  }
}

function watchList(table) {
  const source = new EventSource(table.dataset.watch);
  source.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    const row = table.querySelector('tr[data-job="' + CSS.escape(job.id) + '"]');
    if (row) updateJob(row, job);
  });
  source.addEventListener("end", () => source.close());
}

function watchJob(panel) {
  const source = new EventSource(panel.dataset.events);
  source.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    updateJob(panel, job);
    if (["succeeded", "failed", "cancelled"].includes(job.state)) {
      source.close();
      // The result is drawn on the server: fetch the finished page.
      window.location.reload();
    }
  });
  source.addEventListener("end", () => source.close());
}

function tourPicking() {
  const svg = document.getElementById("route-svg");
  const buttons = document.querySelectorAll(".tour-pick");
  if (!svg || !buttons.length) return;
  buttons.forEach((button) => {
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      const group = svg.querySelector("#tour-" + button.dataset.tour);
      if (group) group.classList.toggle("selected", on);
      svg.classList.toggle("focus", svg.querySelector(".tour-group.selected") !== null);
    });
  });
}

function uploadChecks() {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => {
      const limit = Number(input.dataset.maxBytes);
      const file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > limit ? "the file is larger than " + limit + " bytes" : "");
      input.reportValidity();
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("jobs-table");
  if (table && table.dataset.watch) watchList(table);
  const panel = document.getElementById("job-status");
  if (panel && panel.dataset.events) watchJob(panel);
  tourPicking();
  uploadChecks();
});
