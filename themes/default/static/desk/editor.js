// masthead desk: the story editor's writing aids (issue 10). Progressive enhancement only:
// the editor form works without this file, and everything here acts on that form.
// - a formatting toolbar and Ctrl/Cmd+B, I, K for the Markdown body;
// - paste from Google Docs, Word and web pages as clean Markdown (turndown, loaded on the
//   first paste of HTML; plain text pastes are left to the browser);
// - autosave to the server a few seconds after typing stops (and every 10 s while typing),
//   a copy in this browser's localStorage until the server has the text, offered back on
//   the next visit; a warning before leaving with unsaved changes;
// - word count and reading time, the address previewed from the headline, and only the
//   fieldsets of the chosen kind shown.
// Licence: AGPL-3.0-or-later, as all of masthead.


// ---------------------------------------------------------------------------------------
// Editing the Markdown

/// Replaces the textarea's characters from `start` to `end` with `text` (undoable where
/// the browser allows it), then selects `select` (offsets into `text`).
function replace(area, start, end, text, select) {
  area.focus();
  area.setSelectionRange(start, end);
  // insertText keeps the browser's undo history; it is missing in a few browsers.
  let done = false;
  try {
    done = document.execCommand("insertText", false, text);
  } catch {
    done = false;
  }
  if (!done || area.value.slice(start, start + text.length) !== text) {
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  const [from, to] = select ?? [text.length, text.length];
  area.setSelectionRange(start + from, start + to);
}

/// Wraps the selection in `mark` (** or _), or unwraps it when it is wrapped already.
function wrap(area, mark, placeholder) {
  const { selectionStart: s, selectionEnd: e, value } = area;
  const n = mark.length;
  if (value.slice(s - n, s) === mark && value.slice(e, e + n) === mark && e - s > 0) {
    replace(area, s - n, e + n, value.slice(s, e), [0, e - s]);
    return;
  }
  const inner = value.slice(s, e) || placeholder;
  replace(area, s, e, mark + inner + mark, [n, n + inner.length]);
}

/// Makes the selection a link: [text](address), with the part to type next selected.
function link(area) {
  const { selectionStart: s, selectionEnd: e, value } = area;
  const selected = value.slice(s, e);
  if (/^https?:\/\/\S+$/.test(selected)) {
    const text = "link text";
    replace(area, s, e, `[${text}](${selected})`, [1, 1 + text.length]);
  } else {
    const text = selected || "link text";
    const addr = "https://";
    const at = text.length + 3;
    replace(area, s, e, `[${text}](${addr})`, [at, at + addr.length]);
  }
}

const HEADING = /^#{1,6}\s+/;
const QUOTE = /^>\s?/;
const BULLET = /^[-*+]\s+/;
const NUMBER = /^\d+[.)]\s+/;

/// Applies a line prefix to every line the selection touches, or removes it when each
/// line already has it. `make(i)` gives the prefix of the i-th line.
function lines(area, has, make) {
  const { selectionStart: s, selectionEnd: e, value } = area;
  const start = value.lastIndexOf("\n", s - 1) + 1;
  let end = value.indexOf("\n", e > s && value[e - 1] === "\n" ? e - 1 : e);
  if (end < 0) end = value.length;
  const rows = value.slice(start, end).split("\n");
  const all = rows.every((r) => has.test(r));
  const strip = (r) => r.replace(HEADING, "").replace(QUOTE, "").replace(BULLET, "").replace(NUMBER, "");
  const out = rows.map((r, i) => (all ? r.replace(has, "") : make(i) + strip(r))).join("\n");
  replace(area, start, end, out, [0, out.length]);
}

const ACTIONS = {
  bold: { label: "Bold", text: "B", keys: "Control+B", run: (a) => wrap(a, "**", "bold text") },
  italic: { label: "Italic", text: "I", keys: "Control+I", run: (a) => wrap(a, "_", "italic text") },
  h2: { label: "H2 heading", text: "H2", run: (a) => heading(a, 2) },
  h3: { label: "H3 heading", text: "H3", run: (a) => heading(a, 3) },
  h4: { label: "H4 heading", text: "H4", run: (a) => heading(a, 4) },
  link: { label: "Link", text: "Link", keys: "Control+K", run: link },
  quote: { label: "Quote", text: "Quote", run: (a) => lines(a, QUOTE, () => "> ") },
  bullets: { label: "Bulleted list", text: "Bulleted", run: (a) => lines(a, BULLET, () => "- ") },
  numbers: { label: "Numbered list", text: "Numbered", run: (a) => lines(a, NUMBER, (i) => `${i + 1}. `) },
};

function heading(area, level) {
  const prefix = "#".repeat(level) + " ";
  lines(area, new RegExp(`^#{${level}}\\s+`), () => prefix);
}

/// The toolbar above the body: one tab stop, arrow keys move between its buttons (the
/// ARIA toolbar pattern); each button has a name, and the shortcuts are announced.
function toolbar(area) {
  const bar = document.createElement("div");
  bar.className = "md-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", area.id);
  const buttons = Object.entries(ACTIONS).map(([name, action], i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.dataset.format = name;
    b.textContent = action.text;
    b.setAttribute("aria-label", action.label);
    b.title = action.keys ? `${action.label} (Ctrl+${action.keys.slice(-1)})` : action.label;
    if (action.keys) b.setAttribute("aria-keyshortcuts", `${action.keys} Meta+${action.keys.slice(-1)}`);
    b.tabIndex = i === 0 ? 0 : -1;
    b.addEventListener("click", () => action.run(area));
    bar.append(b);
    return b;
  });
  bar.addEventListener("keydown", (e) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = buttons[(to + buttons.length) % buttons.length];
    buttons.forEach((b) => (b.tabIndex = b === next ? 0 : -1));
    next.focus();
  });
  area.before(bar);
}

function shortcuts(area) {
  area.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const name = { b: "bold", i: "italic", k: "link" }[e.key.toLowerCase()];
    if (!name) return;
    e.preventDefault();
    ACTIONS[name].run(area);
  });
}

// ---------------------------------------------------------------------------------------
// Paste as Markdown

let turndown = null;

/// The HTML to Markdown converter, loaded the first time it is needed.
async function converter(url) {
  if (!turndown) {
    const { default: TurndownService } = await import(url);
    const td = new TurndownService({
      headingStyle: "atx",
      bulletListMarker: "-",
      emDelimiter: "_",
      strongDelimiter: "**",
      codeBlockStyle: "fenced",
      hr: "---",
      br: "\\",
    });
    td.remove(["script", "style", "noscript", "template", "title", "meta", "link", "iframe", "object", "embed", "form", "button", "input", "select", "textarea", "svg"]);
    td.addRule("listItem", {
      filter: "li",
      replacement(content, node, options) {
        const parent = node.parentNode;
        let prefix = `${options.bulletListMarker} `;
        if (parent && parent.nodeName === "OL") {
          const start = Number(parent.getAttribute("start") || 1);
          prefix = `${start + Array.prototype.indexOf.call(parent.children, node)}. `;
        }
        const text = content.replace(/^\n+/, "").replace(/\n+$/, "\n").replace(/\n/gm, `\n${" ".repeat(prefix.length)}`);
        return prefix + text + (node.nextSibling && !/\n$/.test(text) ? "\n" : "");
      },
    });
    turndown = td;
  }
  return turndown;
}

const BOLD = /font-weight\s*:\s*(bold|bolder|[6-9]00)\b/i;
const NOT_BOLD = /font-weight\s*:\s*(normal|[1-4]00)\b/i;
const ITALIC = /font-style\s*:\s*italic\b/i;

/// Cleans pasted HTML before it becomes Markdown: Google Docs' wrapper, Word's mso-
/// markup, inline styles that mean bold or italic, comments, images without a source,
/// heading levels (the top one pasted becomes ##, the headline being the page's only #).
function cleanPastedHtml(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const root = doc.body;
  // Comments (Word's conditional ones included).
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const comments = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((c) => c.remove());
  root.querySelectorAll("script, style, meta, link, title, xml, o\\:p").forEach((n) => n.remove());
  root.querySelectorAll("img").forEach((img) => {
    if (!/^https?:\/\//i.test(img.getAttribute("src") || "")) img.remove();
  });
  wordLists(doc, root);
  // Google Docs wraps the whole fragment in <b style="font-weight:normal" id="docs-internal-guid-…">.
  root.querySelectorAll("b, strong").forEach((b) => {
    if ((b.id || "").startsWith("docs-internal-guid") || NOT_BOLD.test(b.getAttribute("style") || "")) unwrap(b);
  });
  // Spans (and fonts) whose style means bold or italic; the rest of their style goes.
  root.querySelectorAll("span, font").forEach((span) => {
    const style = span.getAttribute("style") || "";
    let inner = doc.createDocumentFragment();
    inner.append(...span.childNodes);
    if (ITALIC.test(style)) inner = wrapIn(doc, "em", inner);
    if (BOLD.test(style)) inner = wrapIn(doc, "strong", inner);
    span.replaceWith(inner);
  });
  // A line break that ends a block (or the paste: Apple's interchange newline) shows nothing.
  root.querySelectorAll("br").forEach((br) => {
    if (!br.nextSibling || br.classList.contains("Apple-interchange-newline")) br.remove();
  });
  // Google Docs puts each list item's text in a <p>.
  root.querySelectorAll("li > p:only-child").forEach(unwrap);
  // Heading levels: the highest pasted becomes level 2.
  const levels = [...root.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName[1]));
  if (levels.length) {
    const shift = 2 - Math.min(...levels);
    root.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach((h) => {
      const level = Math.min(6, Math.max(2, Number(h.tagName[1]) + shift));
      const to = doc.createElement(`h${level}`);
      to.append(...h.childNodes);
      h.replaceWith(to);
    });
  }
  return root.innerHTML;
}

function unwrap(node) {
  node.replaceWith(...node.childNodes);
}

function wrapIn(doc, tag, content) {
  const el = doc.createElement(tag);
  el.append(content);
  return el;
}

/// Word pastes list items as paragraphs styled `mso-list:…`; consecutive ones become one
/// list, numbered when Word numbered them (its class or a number before the text).
function wordLists(doc, root) {
  const items = [...root.querySelectorAll("p")].filter((p) => /mso-list\s*:/i.test(p.getAttribute("style") || ""));
  let list = null;
  let id = "";
  for (const p of items) {
    // Word numbers its lists (mso-list:l0 level1 lfo1): a new number is a new list.
    const which = (/mso-list\s*:\s*(l\d+)/i.exec(p.getAttribute("style")) || [])[1] || "";
    // The bullet or number Word typed before the text: it tells which list, then goes.
    const marks = [...p.querySelectorAll("[style]")].filter((n) => /mso-list\s*:\s*ignore/i.test(n.getAttribute("style")));
    const mark = marks.map((n) => n.textContent).join("");
    marks.forEach((n) => n.remove());
    const ordered = /^\s*\(?[0-9a-z]{1,4}[.)]/i.test(mark) || /MsoListNumber/i.test(p.className);
    if (!list || list.nextElementSibling !== p || which !== id || (list.nodeName === "OL") !== ordered) {
      list = doc.createElement(ordered ? "ol" : "ul");
      p.before(list);
      id = which;
    }
    const li = doc.createElement("li");
    li.append(...p.childNodes);
    list.append(li);
    p.remove();
  }
  // Word's own mark-up left elsewhere.
  root.querySelectorAll("[style]").forEach((n) => {
    if (/mso-list\s*:\s*ignore/i.test(n.getAttribute("style"))) n.remove();
  });
}

/// Turns an HTML paste into Markdown at the cursor. Plain text pastes are the browser's.
function pasteAsMarkdown(area, url) {
  if (!url) return;
  area.addEventListener("paste", (e) => {
    const data = e.clipboardData;
    if (!data) return;
    const html = data.getData("text/html");
    if (!html || !/<[a-z]/i.test(html)) return;
    e.preventDefault();
    const plain = data.getData("text/plain");
    const { selectionStart: s, selectionEnd: end } = area;
    htmlToMarkdown(url, html)
      .catch(() => plain)
      .then((md) => replace(area, s, end, md));
  });
}

async function htmlToMarkdown(url, html) {
  const td = await converter(url);
  return td
    .turndown(cleanPastedHtml(html))
    .replace(/\u00a0/g, " ")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// ---------------------------------------------------------------------------------------
// Word count, address, kinds

/// The words of Markdown text: link addresses, HTML tags and markup left out.
function countWords(md) {
  const text = md
    .replace(/<[^>]*>/g, " ")
    .replace(/\]\([^)]*\)/g, "]")
    .replace(/https?:\/\/\S+/g, " ");
  return (text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) || []).length;
}

function counts(area) {
  const out = document.createElement("p");
  out.className = "hint";
  out.id = "body-count";
  area.after(out);
  const show = () => {
    const words = countWords(area.value);
    const minutes = Math.max(1, Math.round(words / 230));
    const n = words.toLocaleString("en");
    out.textContent = words === 0 ? "No words yet." : `${n} ${words === 1 ? "word" : "words"} · about ${minutes} min to read`;
  };
  area.addEventListener("input", show);
  show();
}

const FOLD = [
  [/[àáâãäåÀÁÂÃÄÅ]/g, "a"], [/[æÆ]/g, "ae"], [/[çÇ]/g, "c"], [/[èéêëÈÉÊË]/g, "e"],
  [/[ìíîïÌÍÎÏ]/g, "i"], [/[ñÑ]/g, "n"], [/[òóôõöøÒÓÔÕÖØ]/g, "o"], [/[ùúûüÙÚÛÜ]/g, "u"],
  [/[ýÿÝ]/g, "y"], [/ß/g, "ss"], [/&/g, " and "], [/['’]/g, ""],
];
const MAX_SLUG_LEN = 120;

/// The address the server makes from a headline (masthead_core's `Slug::from_title`).
function slugFromTitle(title) {
  let folded = title;
  for (const [re, to] of FOLD) folded = folded.replace(re, to);
  let out = "";
  for (const c of folded) {
    if (/^[A-Za-z0-9]$/.test(c)) {
      if (out.length >= MAX_SLUG_LEN) break;
      out += c.toLowerCase();
    } else if (out && !out.endsWith("-")) {
      out += "-";
    }
  }
  if (out.length > MAX_SLUG_LEN) {
    out = out.slice(0, MAX_SLUG_LEN);
    const cut = out.lastIndexOf("-");
    if (cut >= 0) out = out.slice(0, cut);
  }
  out = out.replace(/-+$/, "");
  return out || "untitled";
}

/// Says which address the story will get: from the headline while the slug field is
/// empty (shown as its placeholder), else the slug typed.
function addressPreview(form) {
  const title = form.elements.namedItem("title");
  const slug = form.elements.namedItem("slug");
  const hint = document.getElementById("slug-hint");
  if (!title || !slug || !hint) return;
  const note = document.createElement("span");
  note.id = "slug-preview";
  hint.prepend(note);
  const show = () => {
    const typed = slug.value.trim();
    const made = slugFromTitle(title.value.trim());
    slug.placeholder = made;
    note.textContent = `The story's address: /stories/${typed || made}. `;
  };
  title.addEventListener("input", show);
  slug.addEventListener("input", show);
  show();
}

/// Shows only the fieldsets of the chosen kind (`data-kind`); their values stay, so
/// switching back loses nothing, and the server reads only the chosen kind's.
function kindFieldsets(form) {
  const kind = form.elements.namedItem("kind");
  const sets = form.querySelectorAll("fieldset[data-kind]");
  if (!kind || !sets.length) return;
  const show = () => sets.forEach((f) => (f.hidden = f.dataset.kind !== kind.value));
  kind.addEventListener("change", show);
  show();
}

// ---------------------------------------------------------------------------------------
// Autosave, the copy in this browser, the warning before leaving

const QUIET_MS = 3000;
const MAX_WAIT_MS = 10000;
// Compared to tell whether a stored copy holds anything the page does not.
const TEXTS = ["title", "summary", "body_md", "items", "decisions", "note_text"];

function autosave(form) {
  const version = form.elements.namedItem("version");
  if (!version || !form.querySelector("button[value='save']")) return;
  const status = document.createElement("p");
  status.id = "autosave-status";
  status.className = "hint";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  (form.querySelector(".actions") || form).after(status);

  const idOf = () => (form.getAttribute("action").match(/\/admin\/articles\/(\d+)$/) || [])[1] || null;
  const keyOf = (id) => `masthead-editor:${id || "new"}`;
  const say = (text) => (status.textContent = text);
  const texts = () => TEXTS.map((n) => norm(form.elements.namedItem(n)?.value));
  const norm = (v) => (v || "").replace(/\r\n/g, "\n").trim();

  let dirty = false;
  let submitting = false;
  let stopped = false;
  let timer = 0;
  let first = 0;
  let inflight = null;
  // The texts the server last confirmed it holds.
  let saved = texts().join("\u0000");

  // A summary suggested by the server (the "Suggest a summary" button) is in the form, not in
  // the story: the copy this browser kept is the form as posted, without it, so offering it
  // back would only undo the suggestion.
  const suggested = form.querySelector("[data-suggested]") !== null;
  if (!suggested) offerStoredCopy(form, keyOf(idOf()), texts, say);
  // A new story saved by a press of a button: the copy kept under "new" is in it now.
  if (idOf()) dropIfSaved(keyOf(null), texts);

  const stash = () => {
    try {
      const fields = [...new FormData(form)].filter(([k]) => k !== "csrf" && k !== "action");
      localStorage.setItem(keyOf(idOf()), JSON.stringify({ at: Date.now(), fields }));
    } catch {
      // Private mode or a full store: the server autosave still runs.
    }
  };
  const forget = (id) => {
    try {
      localStorage.removeItem(keyOf(id));
    } catch {
      // Nothing to forget.
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    if (stopped || submitting) return;
    if (!first) first = Date.now();
    const wait = Math.max(0, Math.min(QUIET_MS, first + MAX_WAIT_MS - Date.now()));
    timer = setTimeout(run, wait);
  };

  const changed = (e) => {
    if (!e.target.name || e.target.name === "csrf") return;
    dirty = texts().join("\u0000") !== saved || e.type === "change" || dirty;
    if (!dirty) return;
    stash();
    schedule();
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // The form shown again after a refused action, or with a suggested summary, holds text
  // the server does not have.
  if (document.querySelector("main .error") || suggested) {
    dirty = true;
    saved = "";
    stash();
  }

  async function run() {
    if (submitting || stopped) return;
    if (inflight) {
      await inflight;
      return run();
    }
    first = 0;
    const id = idOf();
    if (!id && !(norm(form.elements.namedItem("title")?.value) && form.elements.namedItem("section")?.value)) {
      // A new story is created by its first autosave, which needs a headline and a section.
      say("Kept in this browser. Autosaving to the server starts once the story has a headline and a section.");
      return;
    }
    const params = new URLSearchParams(new FormData(form));
    params.delete("action");
    const sent = texts().join("\u0000");
    inflight = send(`/admin/articles/${id || "new"}/autosave`, params)
      .then((answer) => settle(answer, id, sent))
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  async function send(url, params) {
    try {
      const response = await fetch(url, {
        method: "POST",
        body: params,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const json = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
      return { status: response.status, json };
    } catch {
      return { status: 0, json: null };
    }
  }

  function settle({ status: code, json }, id, sent) {
    if (code === 200 && json) {
      // Text kept beside a story on the site leaves the story (and its version) as it was.
      if (json.status === "draft") version.value = String(json.version);
      if (json.status === "draft" && !id) {
        // The new story exists now: the form saves over it from here on.
        form.setAttribute("action", json.action);
        history.replaceState(history.state, "", json.url);
        forget(null);
      }
      saved = sent;
      dirty = texts().join("\u0000") !== saved;
      if (dirty) {
        stash();
        schedule();
      } else {
        forget(idOf());
      }
      say(json.status === "kept"
        ? `Autosaved ${json.at}, not on the site until you press Save.`
        : `Saved ${json.at}.`);
      return;
    }
    let why;
    if (code === 0) {
      why = "no connection to the server. Your text is kept in this browser and is saved when the connection returns.";
      window.addEventListener("online", schedule, { once: true });
    } else if (code === 401) {
      why = "your session has ended. Log in again in another tab, then press Save here; your text is kept in this browser.";
    } else if (json && json.error) {
      why = json.error;
      if (code === 409 || code === 403 || code === 404) stopped = true;
      if (code === 503) setTimeout(schedule, 5000);
    } else {
      why = `the server answered ${code}. Your text is kept in this browser.`;
    }
    say(`Not saved: ${why}`);
  }

  form.addEventListener("submit", (e) => {
    // Preview opens in another tab: this page stays, and goes on autosaving.
    const target = e.submitter?.getAttribute("formtarget") || form.target;
    if (target && target !== "_self") return;
    clearTimeout(timer);
    if (inflight) {
      // Let the autosave finish first, so the form posts over the version it made (a
      // save must never conflict with the same person's autosave).
      e.preventDefault();
      const submitter = e.submitter;
      inflight.then(() => form.requestSubmit(submitter && submitter.form === form ? submitter : undefined));
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", (e) => {
    if (!dirty || submitting) return;
    e.preventDefault();
    e.returnValue = "";
  });

  window.addEventListener("pagehide", () => {
    // Last words for a story that exists: the server keeps them as any autosave.
    const id = idOf();
    if (!dirty || submitting || stopped || !id || !navigator.sendBeacon) return;
    const params = new URLSearchParams(new FormData(form));
    params.delete("action");
    navigator.sendBeacon(`/admin/articles/${id}/autosave`, params);
  });
}

/// Offers back text this browser kept for the story that the page does not show (the tab
/// closed, the session ended or the network was down before the server had it).
function offerStoredCopy(form, key, texts, say) {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    stored = null;
  }
  if (!stored || !Array.isArray(stored.fields)) return;
  const theirs = Object.fromEntries(stored.fields);
  if (dropIfSaved(key, texts)) return;
  const box = document.createElement("section");
  box.className = "kept";
  box.setAttribute("aria-labelledby", "local-copy-title");
  const h = document.createElement("h2");
  h.id = "local-copy-title";
  h.textContent = "Unsaved text in this browser";
  const p = document.createElement("p");
  const at = new Date(stored.at).toLocaleString();
  p.textContent = `This browser kept text you typed at ${at} that is not in the story as saved.`;
  const restore = document.createElement("button");
  restore.type = "button";
  restore.textContent = "Restore it into the form";
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "secondary";
  discard.textContent = "Discard it";
  const actions = document.createElement("div");
  actions.className = "actions";
  actions.append(restore, discard);
  box.append(h, p, actions);
  form.before(box);
  restore.addEventListener("click", () => {
    const multi = new Set(["authors"]);
    for (const el of form.elements) {
      if (!el.name || el.name === "csrf" || el.name === "action") continue;
      if (multi.has(el.name)) {
        const values = stored.fields.filter(([k]) => k === el.name).map(([, v]) => v);
        [...el.options].forEach((o) => (o.selected = values.includes(o.value)));
      } else if (el.type === "checkbox") {
        el.checked = el.name in theirs;
      } else if (el.name in theirs) {
        el.value = theirs[el.name];
      }
      if (el.type !== "hidden") el.dispatchEvent(new Event("input", { bubbles: true }));
    }
    form.elements.namedItem("kind")?.dispatchEvent(new Event("change", { bubbles: true }));
    box.remove();
    say("Restored the text kept in this browser. Press Save to keep it.");
    form.elements.namedItem("body_md")?.focus();
  });
  discard.addEventListener("click", () => {
    localStorage.removeItem(key);
    box.remove();
  });
}

/// Forgets the copy kept under `key` when the page holds the same texts; whether it did.
function dropIfSaved(key, texts) {
  try {
    const stored = JSON.parse(localStorage.getItem(key) || "null");
    if (!stored || !Array.isArray(stored.fields)) return false;
    const theirs = Object.fromEntries(stored.fields);
    const norm = (v) => (v || "").replace(/\r\n/g, "\n").trim();
    const now = texts();
    if (!TEXTS.every((n, i) => norm(theirs[n]) === now[i])) return false;
    localStorage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Start (last: the constants above are initialised by now)

const editorForm = document.getElementById("editor");
if (editorForm) {
  const body = editorForm.elements.namedItem("body_md");
  if (body) {
    toolbar(body);
    shortcuts(body);
    pasteAsMarkdown(body, editorForm.dataset.turndown);
    counts(body);
  }
  addressPreview(editorForm);
  kindFieldsets(editorForm);
  autosave(editorForm);
}
