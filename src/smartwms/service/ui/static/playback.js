// smartwms console: AGV plan playback on a canvas (the project's own code).
// Reads the plan from the figure's data-src (JSON: rows, agents, steps, positions as base64
// little-endian int32, agent-major), draws the map once, then every frame the agents at the
// slider's time (interpolated between steps while playing). Keyboard: the slider moves step
// by step; the button (or the space bar on the canvas) plays and pauses.
"use strict";

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

function decodePositions(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Int32Array(bytes.buffer);
}

function setupPlayback(figure) {
  const canvas = figure.querySelector("canvas");
  const slider = figure.querySelector("input[type=range]");
  const button = figure.querySelector("button.play");
  const speed = figure.querySelector("select.speed");
  const clock = figure.querySelector("output.clock");
  const stats = { fps: 0, frames: 0, ready: false };
  figure.playback = stats;

  fetch(figure.dataset.src, { credentials: "same-origin" })
    .then((answer) => answer.json())
    .then((plan) => start(plan))
    .catch((error) => { clock.textContent = "cannot load the plan: " + error; });

  function start(plan) {
    const { width, height, agents, steps } = plan;
    const positions = decodePositions(plan.positions);
    const span = steps + 1;
    const cell = Math.max(2, Math.min(14, Math.floor(1100 / width)));
    canvas.width = width * cell;
    canvas.height = height * cell;
    const ctx = canvas.getContext("2d");
    const background = document.createElement("canvas");
    background.width = canvas.width;
    background.height = canvas.height;
    const bg = background.getContext("2d");
    bg.fillStyle = "#ffffff";
    bg.fillRect(0, 0, background.width, background.height);
    bg.fillStyle = "#3d4650";
    plan.rows.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) {
        if ("@TOW".includes(row[c])) bg.fillRect(c * cell, r * cell, cell, cell);
      }
    });
    slider.max = String(steps);
    let time = 0;
    let playing = false;
    let last = null;
    let frameCount = 0;
    let frameClock = performance.now();

    function draw(t) {
      ctx.drawImage(background, 0, 0);
      const step = Math.min(steps, Math.floor(t));
      const next = Math.min(steps, step + 1);
      const f = t - step;
      const size = Math.max(2, cell - 2);
      const pad = (cell - size) / 2;
      // Goals: a ring where each agent is heading.
      ctx.strokeStyle = "#b42318";
      ctx.lineWidth = Math.max(1, cell / 6);
      for (const [agent, goal, from, until] of plan.goals) {
        if (from !== null && from <= step && (until === null || until > step) && cell >= 4) {
          ctx.strokeRect((goal % width) * cell + 1, Math.floor(goal / width) * cell + 1, cell - 2, cell - 2);
        }
      }
      // One path per colour: a few fills per frame, whatever the number of agents.
      for (let k = 0; k < PALETTE.length; k++) {
        ctx.beginPath();
        for (let a = k; a < agents; a += PALETTE.length) {
          const p = positions[a * span + step];
          const q = positions[a * span + next];
          const x = (p % width) * (1 - f) + (q % width) * f;
          const y = Math.floor(p / width) * (1 - f) + Math.floor(q / width) * f;
          ctx.rect(x * cell + pad, y * cell + pad, size, size);
        }
        ctx.fillStyle = PALETTE[k];
        ctx.fill();
      }
      clock.textContent = "step " + step + " of " + steps + " · " + agents + " agents";
    }

    function frame(now) {
      if (!playing) return;
      if (last !== null) {
        time += ((now - last) / 1000) * Number(speed.value);
        if (time >= steps) { time = steps; setPlaying(false); }
      }
      last = now;
      slider.value = String(Math.floor(time));
      draw(time);
      frameCount += 1;
      stats.frames += 1;
      if (now - frameClock >= 1000) {
        stats.fps = (frameCount * 1000) / (now - frameClock);
        canvas.dataset.fps = stats.fps.toFixed(1);
        frameCount = 0;
        frameClock = now;
      }
      requestAnimationFrame(frame);
    }

    function setPlaying(on) {
      playing = on;
      button.textContent = on ? "Pause" : "Play";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) {
        if (time >= steps) time = 0;
        last = null;
        frameCount = 0;
        frameClock = performance.now();
        requestAnimationFrame(frame);
      }
    }

    button.addEventListener("click", () => setPlaying(!playing));
    canvas.addEventListener("keydown", (event) => {
      if (event.key === " ") { event.preventDefault(); setPlaying(!playing); }
    });
    slider.addEventListener("input", () => {
      // Moving the slider (mouse or arrow keys) takes over from the clock.
      if (playing) setPlaying(false);
      time = Number(slider.value);
      draw(time);
    });
    draw(0);
    stats.ready = true;
    figure.dataset.ready = "true";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure.playback[data-src]").forEach(setupPlayback);
});
