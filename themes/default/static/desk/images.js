// masthead desk: images from inside the editor, and focal points in the media library.
// Progressive enhancement only: without this file the editor's lead-image grid is plain
// radio inputs and the media library's forms post as usual. Licence: AGPL-3.0-or-later,
// as all of masthead.
//
// In the story editor (#editor): "Insert image…", dropping image files on the story or
// pasting one asks for alt text (required) and a caption in a dialog, uploads through the
// media library's own route (POST /admin/media, answered as JSON) and puts `![alt](/media/…)`
// where the cursor was. A placeholder holds that place while the upload runs, so typing
// goes on and several uploads can run at once; a refused upload removes its placeholder
// and says why, leaving the text as it was. The lead-image grid gets a search box and an
// upload button. In the media library, a click on an image sets its focal point.

const ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/gif"];

const csrfToken = () => document.querySelector("input[name=csrf]")?.value ?? "";

let placeholderCount = 0;

/// Places in the story still waiting for an image (the cursor when images arrived, while
/// the writer describes them): moved along when an earlier upload's text changes length.
const waiting = new Set();

function shiftWaiting(at, removed, inserted) {
  for (const place of waiting) {
    if (place.start > at) place.start += inserted - removed;
    if (place.end > at) place.end += inserted - removed;
  }
}

/// Uploads `file` with its words; resolves to the stored image or throws an Error whose
/// message is for the writer.
async function upload(file, alt, caption) {
  const body = new FormData();
  // The guard reads only the first part: the token goes first.
  body.append("csrf", csrfToken());
  body.append("file", file, file.name || "pasted-image");
  body.append("alt", alt);
  body.append("caption", caption);
  let response;
  try {
    response = await fetch("/admin/media", {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    throw new Error("The image was not uploaded: the connection failed. Your text is untouched; try again.");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (response.ok && answer && answer.url) return answer;
  if (answer && answer.error) throw new Error(`The image was not uploaded. ${answer.error}`);
  if (response.status === 413) {
    throw new Error("The image was not uploaded: the file is larger than 20 MB. Make it smaller and try again.");
  }
  if (response.status === 403 || response.status === 401) {
    throw new Error("The image was not uploaded: your session has ended. Save your work (you will be asked to log in), then try again.");
  }
  throw new Error(`The image was not uploaded (the server answered ${response.status}). Your text is untouched; try again.`);
}

/// Asks for alt text and caption in the page's dialog; resolves to {alt, caption}, or null
/// if the writer cancels. One question at a time: later files wait their turn.
let asking = Promise.resolve();
function describe(file) {
  const turn = asking.then(() => askOnce(file));
  asking = turn.catch(() => {});
  return turn;
}

function askOnce(file) {
  const dialog = document.getElementById("image-dialog");
  const form = document.getElementById("image-dialog-form");
  const alt = document.getElementById("image-alt");
  const caption = document.getElementById("image-caption");
  document.getElementById("image-dialog-file").textContent = file.name ? `File: ${file.name}` : "Pasted image";
  alt.value = "";
  caption.value = "";
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener("close", done);
      const ok = dialog.returnValue === "upload" && alt.value.trim() !== "";
      resolve(ok ? { alt: alt.value.trim(), caption: caption.value.trim() } : null);
    };
    dialog.returnValue = "";
    dialog.addEventListener("close", done);
    // The form never leaves the page: its buttons only close the dialog with their value.
    form.onsubmit = (event) => {
      event.preventDefault();
      const choice = event.submitter?.value ?? "upload";
      if (choice === "upload" && alt.value.trim() === "") {
        alt.setCustomValidity("Write the alt text: what the image shows, for readers who cannot see it.");
        alt.reportValidity();
        return;
      }
      dialog.close(choice);
    };
    alt.oninput = () => alt.setCustomValidity("");
    dialog.showModal();
    alt.focus();
  });
}

function say(message, isError) {
  const status = document.getElementById("image-status");
  if (!status) return;
  status.textContent = message;
  status.classList.toggle("error", Boolean(isError));
}

function changed(textarea) {
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

/// Puts `text` between `start` and `end` of the textarea as its own paragraph; returns
/// what went in and what it replaced.
function insertBlock(textarea, text, start, end) {
  const before = textarea.value.slice(0, start);
  const after = textarea.value.slice(end);
  const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const tail = after === "" || after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
  const replaced = textarea.value.slice(start, end);
  textarea.setRangeText(lead + text + tail, start, end, "end");
  return { block: lead + text + tail, replaced, marker: text };
}

/// Uploads image files into the story at the cursor (as it was when they arrived).
async function insertImages(textarea, files) {
  const images = [...files].filter((f) => ACCEPTED.includes(f.type) || f.type === "");
  const others = [...files].filter((f) => !images.includes(f));
  if (others.length) {
    say(`Not uploaded: ${others.map((f) => f.name).join(", ")} is not an image. Use JPEG, PNG, WebP or GIF.`, true);
  }
  // The cursor when the images came; each later image goes after the one before it.
  const caret = { start: textarea.selectionStart, end: textarea.selectionEnd };
  waiting.add(caret);
  let previous = null;
  const jobs = [];
  for (const file of images) {
    const words = await describe(file);
    if (!words) continue;
    placeholderCount += 1;
    const marker = `![Uploading image ${placeholderCount}…]()`;
    let { start, end } = caret;
    if (previous) {
      const at = previous.text ? textarea.value.indexOf(previous.text) : -1;
      start = end = at >= 0 ? at + previous.text.length : textarea.selectionStart;
    }
    const placed = insertBlock(textarea, marker, start, end);
    const mine = { text: marker };
    previous = mine;
    changed(textarea);
    say("Uploading…", false);
    jobs.push(
      upload(file, words.alt, words.caption).then(
        (stored) => {
          replaceMarker(textarea, marker, stored.markdown);
          mine.text = stored.markdown;
        },
        (error) => {
          removeMarker(textarea, placed);
          mine.text = "";
          throw error;
        },
      ),
    );
  }
  waiting.delete(caret);
  textarea.focus();
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length) {
    say(failed.map((r) => r.reason.message).join(" "), true);
  } else if (jobs.length) {
    say(jobs.length === 1 ? "Image uploaded and placed in the story." : `${jobs.length} images uploaded and placed in the story.`, false);
  }
}

function replaceMarker(textarea, marker, text) {
  const at = textarea.value.indexOf(marker);
  if (at < 0) {
    // The writer deleted the placeholder: put the image at the end rather than lose it.
    insertBlock(textarea, text, textarea.value.length, textarea.value.length);
  } else {
    const keep = [textarea.selectionStart, textarea.selectionEnd];
    shiftWaiting(at, marker.length, text.length);
    textarea.setRangeText(text, at, at + marker.length, "preserve");
    const shift = text.length - marker.length;
    const moved = (p) => (p > at ? p + shift : p);
    textarea.setSelectionRange(moved(keep[0]), moved(keep[1]));
  }
  changed(textarea);
}

/// Takes a placeholder out again: the text goes back to what it was before it came (the
/// breaks it brought and any selection it replaced), or, if the writer edited around it,
/// only the placeholder goes.
function removeMarker(textarea, placed) {
  const value = textarea.value;
  const whole = value.indexOf(placed.block);
  if (whole >= 0) {
    shiftWaiting(whole, placed.block.length, placed.replaced.length);
    textarea.setRangeText(placed.replaced, whole, whole + placed.block.length, "preserve");
  } else {
    const at = value.indexOf(placed.marker);
    if (at < 0) return;
    shiftWaiting(at, placed.marker.length, 0);
    textarea.setRangeText("", at, at + placed.marker.length, "preserve");
  }
  changed(textarea);
}

function setUpEditor(editor) {
  const textarea = document.getElementById("body_md");
  const picker = document.getElementById("image-file");
  const dialog = document.getElementById("image-dialog");
  if (!textarea || !picker || !dialog) return;
  let target = "body";
  for (const tools of document.querySelectorAll(".image-tools, .lead-upload, .lead-search")) tools.hidden = false;

  document.getElementById("insert-image")?.addEventListener("click", () => {
    target = "body";
    picker.click();
  });
  document.getElementById("lead-upload")?.addEventListener("click", () => {
    target = "lead";
    picker.click();
  });
  picker.addEventListener("change", () => {
    const files = [...picker.files];
    picker.value = "";
    if (target === "lead") uploadLead(files[0]);
    else insertImages(textarea, files);
  });
  textarea.addEventListener("dragover", (event) => {
    if ([...event.dataTransfer.types].includes("Files")) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  });
  textarea.addEventListener("drop", (event) => {
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    event.preventDefault();
    insertImages(textarea, files);
  });
  // Only a pasted image is ours; pasted text is left to the browser (and editor.js). Heard
  // on the form, before the story's own listeners: an image copied from a web page comes
  // with HTML too, and the image is uploaded here rather than linked from its site.
  editor.addEventListener(
    "paste",
    (event) => {
      if (event.target !== textarea) return;
      const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
      if (files.length === 0) return;
      event.preventDefault();
      event.stopPropagation();
      insertImages(textarea, files);
    },
    { capture: true },
  );
  setUpLeadGrid();
}

/// The lead-image grid: a search box that hides the tiles whose words do not match, and
/// the caption offered when an image is chosen and the caption field is empty.
function setUpLeadGrid() {
  const grid = document.getElementById("lead-grid");
  const search = document.getElementById("lead-search");
  const empty = document.getElementById("lead-empty");
  if (!grid || !search) return;
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const tile of grid.querySelectorAll(".lead-tile[data-words]")) {
      const match = words.every((w) => tile.dataset.words.includes(w));
      tile.hidden = !match;
      if (match) shown += 1;
    }
    empty.hidden = shown > 0 || words.length === 0;
  });
  // Enter in the search box must not submit the story.
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  grid.addEventListener("change", (event) => offerCaption(event.target.closest(".lead-tile")));
}

function offerCaption(tile) {
  const caption = document.getElementById("image_caption");
  if (tile && caption && caption.value.trim() === "" && tile.dataset.caption) {
    caption.value = tile.dataset.caption;
    changed(caption);
  }
}

/// Uploads a lead image from the grid and chooses it.
async function uploadLead(file) {
  if (!file) return;
  const status = document.getElementById("lead-empty");
  const words = await describe(file);
  if (!words) return;
  say("Uploading the lead image…", false);
  try {
    const stored = await upload(file, words.alt, words.caption);
    const grid = document.getElementById("lead-grid");
    const tile = document.createElement("label");
    tile.className = "lead-tile";
    tile.dataset.words = `${stored.alt} ${stored.caption} ${file.name}`.toLowerCase();
    tile.dataset.caption = stored.caption;
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "image";
    radio.value = String(stored.id);
    radio.id = `image-${stored.id}`;
    const img = document.createElement("img");
    img.src = stored.thumb;
    img.alt = "";
    const text = document.createElement("span");
    text.textContent = stored.alt;
    tile.append(radio, " ", img, " ", text);
    grid.querySelector(".lead-none").after(tile);
    radio.checked = true;
    offerCaption(tile);
    changed(radio);
    status.hidden = true;
    say("Lead image uploaded and chosen.", false);
  } catch (error) {
    say(error.message, true);
  }
}

/// The media library: a click on an image puts its focal point in the image's focus form
/// and saves it.
function setUpLibrary() {
  for (const img of document.querySelectorAll("img[data-focus-form]")) {
    img.addEventListener("click", (event) => {
      const form = document.getElementById(img.dataset.focusForm);
      if (!form) return;
      const box = img.getBoundingClientRect();
      const x = Math.round(((event.clientX - box.left) / box.width) * 100);
      const y = Math.round(((event.clientY - box.top) / box.height) * 100);
      form.elements.x.value = String(Math.min(100, Math.max(0, x)));
      form.elements.y.value = String(Math.min(100, Math.max(0, y)));
      form.requestSubmit();
    });
  }
}

const editor = document.getElementById("editor");
if (editor) setUpEditor(editor);
setUpLibrary();
