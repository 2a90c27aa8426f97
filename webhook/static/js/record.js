// The recording page: record with MediaRecorder in the browser's own format (or choose a
// file), watch the timer and input level, preview, then upload with a progress bar.

import { uploadSession } from "./api.js";
import { formatClock, h, replace } from "./dom.js";

const MAX_RECORDING_SECS = 15 * 60;
const MAX_TOPIC = 500;

const EXTENSIONS = { webm: "webm", ogg: "ogg", mp4: "m4a", mpeg: "mp3", wav: "wav", "x-wav": "wav", flac: "flac", aac: "m4a" };

function extensionFor(mimeType) {
  const sub = (mimeType.split(";")[0].split("/")[1] || "").trim();
  return EXTENSIONS[sub] || "audio";
}

function microphoneMessage(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Microphone access was denied. Allow this site to use the microphone in your browser's settings and try again, or upload a recording as a file below.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No microphone was found. Connect one and try again, or upload a recording as a file below.";
    case "NotReadableError":
    case "AbortError":
      return "The microphone could not be started; another app may be using it. Close it and try again, or upload a file below.";
    default:
      return `Recording could not start (${error?.message || "unknown error"}). You can upload a recording as a file below.`;
  }
}

function canRecord() {
  return Boolean(navigator.mediaDevices?.getUserMedia && window.MediaRecorder);
}

// The file's length as the browser decodes it; the server re-measures it anyway, this only
// fills the required `duration` field.
async function fileDuration(file) {
  const url = URL.createObjectURL(file);
  try {
    const fromElement = await new Promise((resolve) => {
      const audio = new Audio();
      audio.preload = "metadata";
      audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
      audio.addEventListener("error", () => resolve(NaN));
      audio.src = url;
    });
    if (Number.isFinite(fromElement) && fromElement > 0) return fromElement;
    const context = new AudioContext();
    try {
      const buffer = await context.decodeAudioData(await file.arrayBuffer());
      return buffer.duration;
    } finally {
      context.close();
    }
  } catch {
    return NaN;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function renderRecord(el, ctx) {
  const state = { recorder: null, stream: null, audioContext: null, chunks: [], blob: null, seconds: 0, startedAt: 0, timer: 0, frame: 0, previewUrl: null, uploading: false };

  const message = h("p", { id: "record-message", class: "notice", role: "status", "aria-live": "polite" });
  const alertBox = h("p", { id: "record-error", class: "notice error", role: "alert", hidden: true });
  const topic = h("input", { id: "topic", name: "topic", type: "text", maxlength: String(MAX_TOPIC), autocomplete: "off", placeholder: "e.g. my last holiday", "aria-describedby": "topic-help" });
  const timer = h("p", { class: "timer", id: "timer", role: "timer", "aria-label": "Recording time" }, "0:00");
  const meter = h("meter", { id: "level", min: "0", max: "1", low: "0.15", high: "0.9", optimum: "0.6", value: "0", "aria-labelledby": "level-label" });
  const levelText = h("span", { id: "level-text", class: "help" }, "Not recording");
  const recordButton = h("button", { type: "button", id: "record", class: "primary big" }, "Start recording");
  const preview = h("audio", { id: "preview", controls: true, hidden: true, "aria-label": "Preview of your recording" });
  const uploadButton = h("button", { type: "button", id: "upload", class: "primary", disabled: true }, "Upload & analyze");
  const discardButton = h("button", { type: "button", id: "discard", disabled: true }, "Discard & retry");
  const progress = h("progress", { id: "upload-progress", max: "1", value: "0", hidden: true, "aria-label": "Upload progress" });
  const progressText = h("span", { id: "upload-progress-text", class: "help", "aria-live": "polite" });
  const fileInput = h("input", { id: "file", name: "file", type: "file", accept: "audio/*,.webm,.ogg,.mp3,.m4a,.wav,.flac" });

  function say(text) {
    replace(message, text);
  }
  function fail(text) {
    alertBox.hidden = !text;
    replace(alertBox, text || "");
  }

  function stopLevel() {
    cancelAnimationFrame(state.frame);
    state.audioContext?.close();
    state.audioContext = null;
    meter.value = 0;
  }

  function startLevel(stream) {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let quietSince = performance.now();
    state.audioContext = context;
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const x of samples) sum += x * x;
      // RMS on a 60 dB scale, the way level meters read: -60 dBFS and below is empty.
      const rms = Math.sqrt(sum / samples.length);
      const level = rms > 0 ? Math.min(1, Math.max(0, (20 * Math.log10(rms) + 60) / 60)) : 0;
      meter.value = level;
      const now = performance.now();
      const hearing = level > 0.15;
      if (hearing) quietSince = now;
      const silent = now - quietSince > 3000;
      replace(levelText, silent ? "No sound is reaching the microphone. Check it is on and not muted." : hearing ? "Hearing you" : "Quiet");
      levelText.className = silent ? "help warn" : "help";
      state.frame = requestAnimationFrame(tick);
    };
    tick();
  }

  function stopTracks() {
    for (const track of state.stream?.getTracks() || []) track.stop();
    state.stream = null;
  }

  function setPreview(blob) {
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
    state.previewUrl = blob ? URL.createObjectURL(blob) : null;
    preview.hidden = !blob;
    if (blob) preview.src = state.previewUrl;
    else preview.removeAttribute("src");
  }

  function setReady(blob, seconds, source) {
    state.blob = blob;
    state.seconds = seconds;
    setPreview(blob);
    uploadButton.disabled = !blob;
    discardButton.disabled = !blob;
    if (blob) say(`${source} ready (${formatClock(seconds)}). Listen to it, then upload it or discard it and try again.`);
  }

  function reset() {
    setReady(null, 0, "");
    progress.hidden = true;
    progress.value = 0;
    replace(progressText, "");
    replace(timer, "0:00");
    fileInput.value = "";
    recordButton.disabled = !canRecord();
    fail("");
    say("Press “Start recording” and speak for one to three minutes.");
  }

  async function start() {
    fail("");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      fail(microphoneMessage(error));
      return;
    }
    state.stream = stream;
    // No mimeType asked for: the browser records in its own format (webm/opus in Chromium
    // and Firefox, mp4/aac in Safari), and that type is what gets sent.
    const recorder = new MediaRecorder(stream);
    state.recorder = recorder;
    state.chunks = [];
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size) state.chunks.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      const type = recorder.mimeType || state.chunks[0]?.type || "";
      const blob = new Blob(state.chunks, { type });
      const seconds = (performance.now() - state.startedAt) / 1000;
      stopLevel();
      stopTracks();
      clearInterval(state.timer);
      replace(recordButton, "Start recording");
      recordButton.setAttribute("aria-pressed", "false");
      recordButton.disabled = true;
      setReady(blob, seconds, "Recording");
    });
    recorder.start(1000);
    state.startedAt = performance.now();
    startLevel(stream);
    setReady(null, 0, "");
    state.timer = setInterval(() => {
      const secs = (performance.now() - state.startedAt) / 1000;
      replace(timer, formatClock(secs));
      if (secs >= MAX_RECORDING_SECS) stop();
    }, 250);
    replace(recordButton, "Stop recording");
    recordButton.setAttribute("aria-pressed", "true");
    say("Recording… speak naturally. Press “Stop recording” when you are done.");
  }

  function stop() {
    if (state.recorder?.state === "recording") state.recorder.stop();
  }

  recordButton.addEventListener("click", () => (state.recorder?.state === "recording" ? stop() : start()));
  discardButton.addEventListener("click", reset);

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    fail("");
    const seconds = await fileDuration(file);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      fail("This file could not be read as audio. Choose a webm, ogg, mp3, m4a, wav or flac recording.");
      fileInput.value = "";
      return;
    }
    replace(timer, formatClock(seconds));
    setReady(file, seconds, `File “${file.name}”`);
  });

  uploadButton.addEventListener("click", async () => {
    if (!state.blob || state.uploading) return;
    state.uploading = true;
    uploadButton.disabled = true;
    discardButton.disabled = true;
    fail("");
    const form = new FormData();
    const name = state.blob.name || `recording.${extensionFor(state.blob.type)}`;
    form.append("audio", state.blob, name);
    form.append("duration", state.seconds.toFixed(2));
    if (topic.value.trim()) form.append("topic", topic.value.trim());
    form.append("language", "en");
    progress.hidden = false;
    say("Uploading…");
    try {
      const created = await uploadSession(form, (fraction) => {
        progress.value = fraction;
        replace(progressText, `${Math.round(fraction * 100)} % uploaded`);
      });
      ctx.navigate(`/sessions/${encodeURIComponent(created.id)}`);
    } catch (error) {
      if (error.status === 401) return ctx.onUnauthorized();
      fail(`The upload did not work: ${error.message}. Your recording is still here; try again.`);
      uploadButton.disabled = false;
      discardButton.disabled = false;
      progress.hidden = true;
      say("");
    } finally {
      state.uploading = false;
    }
  });

  ctx.setCleanup(() => {
    clearInterval(state.timer);
    if (state.recorder?.state === "recording") state.recorder.stop();
    stopLevel();
    stopTracks();
    setPreview(null);
  });

  replace(
    el,
    h("h1", { tabindex: "-1" }, "Record a speaking session"),
    h(
      "section",
      { class: "card", "aria-labelledby": "topic-label" },
      h("label", { for: "topic", id: "topic-label" }, "Topic (optional)"),
      topic,
      h("p", { id: "topic-help", class: "help" }, "What you will talk about, so you can find this session later."),
    ),
    h(
      "section",
      { class: "card recorder", "aria-labelledby": "rec-heading" },
      h("h2", { id: "rec-heading" }, "Microphone"),
      canRecord() ? null : h("p", { class: "notice error", role: "alert" }, "This browser cannot record audio here (recording needs a secure https page and a modern browser). You can still upload a recording as a file."),
      timer,
      h("div", { class: "level" }, h("span", { id: "level-label" }, "Input level"), meter, levelText),
      recordButton,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "file-label" },
      h("label", { for: "file", id: "file-label" }, "Or upload a recording"),
      fileInput,
      h("p", { class: "help" }, "webm, ogg, mp3, m4a, wav or flac, up to 50 MB."),
    ),
    alertBox,
    message,
    h("section", { class: "card", "aria-label": "Your recording" }, preview, h("div", { class: "actions" }, uploadButton, discardButton), h("div", { class: "progress" }, progress, progressText)),
  );
  reset();
}
