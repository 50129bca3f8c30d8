// The check of the snapshot property test (tests/web/property.rs): the snapshot HTML is
// parsed back with the browser's own DOMParser and compared with a reference computed by
// walking the live DOM in plain JS, independently of the SDK's Rust code.
//
// Every case: no executable content anywhere in the snapshot (templates and srcdoc frames
// included) and none of the case's secrets in its HTML. Page cases also: the same
// elements in the same order (minus what the snapshot must leave out), the same text
// outside masked subtrees, the same attributes (URLs compared once resolved), the live
// form state; under `data-ec-mask` only the element structure and layout attributes.

/** Whether an attribute value reads as a script URL, as the URL parser reads it. */
function isScriptUrl(value) {
  const cleaned = value.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+/, "").toLowerCase();
  return cleaned.startsWith("javascript:") || cleaned.startsWith("vbscript:");
}

function isScriptValue(name, value) {
  return isScriptUrl(value) || (name.toLowerCase() === "values" && value.split(";").some(isScriptUrl));
}

/** Every executable thing in `root` (a document or fragment), with where it is. */
function executable(root, where, problems) {
  const walker = [root];
  while (walker.length) {
    const node = walker.pop();
    for (const child of node.childNodes ?? []) walker.push(child);
    if (node.nodeType !== 1) continue;
    const name = node.localName.toLowerCase();
    if (name === "template" && node.content) walker.push(node.content);
    if (name === "script") problems.push(`${where}: a <${node.localName}> element`);
    if (name === "object" || name === "embed") problems.push(`${where}: an <${name}> element`);
    if (name === "meta" && /refresh/i.test(node.getAttribute("http-equiv") ?? "")) problems.push(`${where}: a meta refresh`);
    for (const attr of node.attributes) {
      if (/^on/i.test(attr.localName)) problems.push(`${where}: handler ${attr.name} on <${name}>`);
      if (isScriptValue(attr.localName, attr.value)) problems.push(`${where}: script URL in ${attr.name} on <${name}>`);
    }
    if (name === "iframe") {
      if (node.getAttribute("sandbox") !== "") problems.push(`${where}: an iframe without sandbox=""`);
      const srcdoc = node.getAttribute("srcdoc");
      if (srcdoc !== null) executable(new DOMParser().parseFromString(srcdoc, "text/html"), `${where} > srcdoc`, problems);
    }
  }
  return problems;
}

const DROPPED = new Set(["script", "noscript", "template", "embed"]);
const LAYOUT = new Set(["class", "id", "style", "type", "role", "sizes"]);
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"]);
// Attributes the snapshot sets from live state or adds, compared (or not) apart.
const STATE = new Set(["value", "checked", "selected", "sandbox", "srcdoc", "data-ec-scroll-x", "data-ec-scroll-y"]);
const WHOLE = new Set(["textarea", "iframe", "style", "canvas"]);

/** Whether the live element is left out of the snapshot with its content. */
function dropped(el) {
  const name = el.localName.toLowerCase();
  return DROPPED.has(name) || (name === "meta" && el.hasAttribute("http-equiv"));
}

function isPrivateField(el, masked) {
  const type = (el.getAttribute("type") ?? "text").trim().toLowerCase();
  const card = /(^|\s)cc-/i.test(el.getAttribute("autocomplete") ?? "");
  return masked || card || type === "password" || type === "hidden";
}

/** The attributes compared, as `name=value` lines, from either side. */
function attributeView(el, masked, base) {
  const lines = [];
  for (const attr of el.attributes) {
    const name = attr.name.toLowerCase();
    if (/^on/.test(name) || STATE.has(name) || isScriptValue(name, attr.value)) continue;
    if (masked && !LAYOUT.has(name)) continue;
    let value = attr.value;
    if (URL_ATTRIBUTES.has(name) && !value.startsWith("#")) {
      try {
        value = new URL(value.trim(), base).href;
      } catch {
        // kept as written
      }
    }
    lines.push(`${name}=${JSON.stringify(value)}`);
  }
  return lines.sort().join(" ");
}

/** The state of a form field, as the live page holds it or the snapshot's markup says. */
function fieldState(el, masked, live, inPrivateList) {
  const name = el.localName;
  if (name === "input") {
    const type = (el.getAttribute("type") ?? "text").trim().toLowerCase();
    const secret = isPrivateField(el, masked);
    if (type === "checkbox" || type === "radio") return `checked=${!secret && (live ? el.checked : el.hasAttribute("checked"))}`;
    if (["submit", "button", "reset", "image"].includes(type)) {
      // Under data-ec-mask a button's label is masked like text: a bullet for every
      // character but white space (README, "data-ec-mask").
      const label = el.getAttribute("value");
      return `label=${masked && live && label !== null ? label.replace(/\P{White_Space}/gu, "•") : label}`;
    }
    if (secret) return `value=${live ? null : el.getAttribute("value")}`;
    // A typed value that reads as a script URL is left out, like any such attribute.
    if (live) return `value=${isScriptUrl(el.value) ? null : el.value}`;
    return `value=${el.getAttribute("value")}`;
  }
  if (name === "textarea") {
    const secret = isPrivateField(el, masked);
    return `text=${secret ? "" : el.value}`;
  }
  if (name === "option") return `selected=${!(masked || inPrivateList) && (live ? el.selected : el.hasAttribute("selected"))}`;
  return "";
}

/**
 * The tokens of a tree: `<name attrs state` when an element opens, `>` when it closes,
 * `#shadow` before a shadow root's content, text runs as `"…"` (adjacent runs merged).
 */
function tokens(root, { live, base }) {
  const out = [];
  const text = (value, masked) => {
    if (masked) return;
    if (out.length && out[out.length - 1].startsWith('"')) out[out.length - 1] = JSON.stringify(JSON.parse(out[out.length - 1]) + value);
    else if (value) out.push(JSON.stringify(value));
  };
  const walk = (node, masked, privateList) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) text(child.data, masked);
      if (child.nodeType !== 1) continue;
      const el = child;
      const name = el.localName;
      if (live ? dropped(el) : el.hasAttribute("data-ec-adopted")) continue;
      if (!live && name === "template" && el.hasAttribute("shadowrootmode")) continue;
      const inMask = masked || el.hasAttribute("data-ec-mask");
      if (name === "object") {
        walk(el, inMask, privateList);
        continue;
      }
      const list = privateList || (name === "select" && (inMask || /(^|\s)cc-/i.test(el.getAttribute("autocomplete") ?? "")));
      out.push(`<${el.namespaceURI === "http://www.w3.org/1999/xhtml" ? "" : "ns:"}${name} ${attributeView(el, inMask, base)} ${fieldState(el, inMask, live, list)}`);
      const shadow = live ? el.shadowRoot : [...el.children].find((c) => c.localName === "template" && c.hasAttribute("shadowrootmode"))?.content;
      if (shadow) {
        out.push("#shadow");
        walk(shadow, inMask, false);
        out.push("#/shadow");
      }
      if (!WHOLE.has(name)) walk(el, inMask, list);
      out.push(">");
    }
  };
  walk(root, false, false);
  return out;
}

/** The first difference of two token lists, with some context; "" when equal. */
function difference(expected, actual) {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) {
      const around = (list) => list.slice(Math.max(0, i - 3), i + 3).join("\n    ");
      return `token ${i} differs:\n  expected (live DOM):\n    ${around(expected)}\n  actual (snapshot):\n    ${around(actual)}`;
    }
  }
  return "";
}

/** Checks snapshot `html` of case `built`; returns what is wrong, or "". */
export function checkSnapshot(html, built) {
  try {
    return check(html, built);
  } catch (error) {
    return `the check failed: ${error.stack}\nlive markup: ${describe(built.root)}`;
  }
}

function check(html, built) {
  const problems = [];
  for (const secret of built.secrets) if (html.includes(secret)) problems.push(`secret ${secret} is in the snapshot`);
  const parsed = new DOMParser().parseFromString(html, "text/html");
  executable(parsed, "snapshot", problems);
  if (!built.chaos && !problems.length) {
    const root = parsed.getElementById(built.root.id);
    if (!root) return `the case's container #${built.root.id} is not in the snapshot`;
    const base = document.baseURI;
    const diff = difference(tokens(built.root, { live: true, base }), tokens(root, { live: false, base }));
    if (diff) problems.push(diff);
  }
  return problems.length ? `${problems.join("\n")}\nlive markup: ${describe(built.root)}` : "";
}

/** The live case as markup, shadow roots included, for a failure message. */
function describe(root) {
  const html = root.getHTML ? root.getHTML({ serializableShadowRoots: true, shadowRoots: [...root.querySelectorAll("*")].map((e) => e.shadowRoot).filter(Boolean) }) : root.innerHTML;
  return html.length > 6000 ? `${html.slice(0, 6000)}…` : html;
}
