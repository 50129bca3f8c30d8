// The generator of the snapshot property test (tests/web/property.rs): from a seed, a
// random piece of page built in the live document with DOM calls, as scripts build pages.
//
// Two kinds of case. A "page" is what a real page can hold, nested as the HTML parser
// would nest it (so that re-parsing the snapshot gives the same tree): random tags, text
// in many scripts (combining marks, astral emoji, right-to-left), attributes with quotes,
// `&`, `<`, `>` and newlines, comments, templates, tables, selects, textareas, <pre>, open
// shadow roots, form controls whose values are set by script, private fields and
// `data-ec-mask` subtrees holding secrets, scripts, styles, inline handlers and script
// URLs. A "chaos" case nests anything in anything, in any namespace and case, with markup
// in comments, raw text and attribute values: only safety is checked on those.
//
// Every secret is a fresh ASCII token, so that the check can look for it in the HTML.

/** mulberry32: small, fast and good enough to spread cases. */
class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  pick(items) {
    return items[this.int(items.length)];
  }
  chance(p) {
    return this.next() < p;
  }
}

const SVG = "http://www.w3.org/2000/svg";
const MATHML = "http://www.w3.org/1998/Math/MathML";
const XHTML = "http://www.w3.org/1999/xhtml";

// Code point ranges of many scripts: Latin-1, Latin Extended, Greek, Cyrillic, Armenian,
// Hebrew, Arabic, Devanagari, Bengali, Tamil, Thai, Tibetan, Georgian, Ethiopic, Cherokee,
// Khmer, Mongolian, Hangul, Hiragana, Katakana, CJK, Yi, and astral: Gothic, Cuneiform,
// Egyptian hieroglyphs, mathematical alphanumerics, CJK Extension B, emoji.
const RANGES = [
  [0xa1, 0xff], [0x100, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x531, 0x587], [0x5d0, 0x5ea],
  [0x600, 0x6ff], [0x900, 0x97f], [0x980, 0x9ff], [0xb80, 0xbff], [0xe01, 0xe5b], [0xf00, 0xfda],
  [0x10a0, 0x10ff], [0x1200, 0x137f], [0x13a0, 0x13f5], [0x1780, 0x17f9], [0x1820, 0x1878],
  [0xac00, 0xd7a3], [0x3041, 0x3096], [0x30a1, 0x30fa], [0x4e00, 0x9fff], [0xa000, 0xa48c],
  [0x10330, 0x1034a], [0x12000, 0x12399], [0x13000, 0x1342e], [0x1d400, 0x1d7ff],
  [0x20000, 0x2a6df], [0x1f300, 0x1f6ff], [0x1f900, 0x1f9ff],
];
// Pieces real text has: combining marks, joiners, direction marks and overrides, emoji
// sequences, no-break spaces, and the characters HTML escapes.
const PIECES = [
  "e\u0301", "n\u0303", "\u0915\u094d\u0937", "\u200d", "\u200f", "\u202e", "\u2066", "\u00a0",
  "👨‍👩‍👧", "👍🏽", "🇪🇸", "¡", "¿", "“", "”", "©", "✓", "•", "→", "<", ">", "&", "&amp;", '"',
  "'", "\n", "\t", " ", "  ", "<b>", "</p>", "<!--", "-->", "مرحبا بك", "שלום עולם", "日本語",
  "한국어", "¡Hola!", "Ünïcödé", "ﷺ", "𝒳",
];

function codePoint(rng) {
  const [from, to] = rng.pick(RANGES);
  return String.fromCodePoint(from + rng.int(to - from + 1));
}

/** Random text of up to `max` pieces. */
function text(rng, max = 6) {
  let out = "";
  const n = 1 + rng.int(max);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.35)) out += rng.pick(PIECES);
    else if (rng.chance(0.5)) out += "word"[rng.int(4)] + "abc xyz"[rng.int(7)];
    else for (let k = 1 + rng.int(4); k > 0; k--) out += codePoint(rng);
  }
  return out;
}

const SCRIPT_URLS = [
  "javascript:void(0)", " JavaScript:void(0)", "\tjava\nscript:void(0)", "\u0001javascript:void(0)",
  "JAVASCRIPT:void(0)", "vbscript:x",
];
const URLS = [
  "page.html", "../up/a b.html?q=1&r=2#frag", "/root?x=\"y\"", "#top", "https://other.example/x",
  "mailto:a@b.example", "tel:+34600000000", "?only=query", "//cdn.example/x.css",
];
const HANDLERS = ["onclick", "onmouseover", "ONFOCUS", "onerror", "onload", "oNcHaNgE"];

/** A page case's random attributes on `el`. */
function attributes(rng, el, ctx) {
  const n = rng.int(4);
  for (let i = 0; i < n; i++) {
    const roll = rng.int(10);
    if (roll === 0) el.setAttribute(rng.pick(HANDLERS), "void 0");
    else if (roll === 1) el.setAttribute("title", rng.chance(0.3) ? rng.pick(SCRIPT_URLS) : text(rng, 3));
    else if (roll === 2) el.setAttribute("class", `c${rng.int(5)} k${rng.int(3)}`);
    else if (roll === 3) el.setAttribute(`data-${rng.pick(["x", "ñ", "long-name", "v"])}`, text(rng, 3));
    else if (roll === 4) el.setAttribute("dir", rng.pick(["rtl", "ltr", "auto"]));
    else if (roll === 5) el.setAttribute("lang", rng.pick(["es", "ja", "ar", "he", "en"]));
    else if (roll === 6) el.setAttribute("style", rng.pick(["color: red", "margin: 1px 2px", "font-weight: 600;"]));
    else if (roll === 7) el.setAttribute("aria-label", text(rng, 2));
    else if (roll === 8 && !ctx.foreign) el.setAttribute("id", `i${ctx.shared.ids++}`);
    else el.setAttribute("data-quote", `a "b" 'c' <d> & e\nf`);
  }
}

const INLINE = ["span", "b", "i", "em", "strong", "small", "code", "bdi", "bdo", "label", "abbr", "q", "a", "button"];
const BLOCK = ["div", "section", "article", "p", "ul", "ol", "table", "pre", "form", "fieldset", "h2", "blockquote", "details"];
const FLOW_ONLY = new Set(["div", "section", "article", "ul", "ol", "table", "pre", "form", "fieldset", "blockquote", "details"]);

/** Builds a page case's children of `parent`, to `depth` more levels. */
function children(rng, parent, ctx, depth, inline) {
  const n = rng.int(depth > 0 ? 5 : 2) + (depth > 0 ? 1 : 0);
  for (let i = 0; i < n; i++) {
    const roll = rng.int(20);
    if (roll < 6 || depth <= 0) {
      if (!ctx.masked || rng.chance(0.5)) parent.append(text(rng));
      else parent.append(`${text(rng, 2)} ${secret(ctx, rng)} `);
    } else if (roll === 6) parent.append(document.createComment(text(rng, 3).replaceAll("-", "_").replaceAll(">", ")")));
    else if (roll < 9 || inline) element(rng, parent, ctx, depth, rng.pick(INLINE), inline);
    else if (roll < 12) element(rng, parent, ctx, depth, rng.pick(BLOCK), false);
    else if (roll < 15) field(rng, parent, ctx);
    else if (roll === 15) special(rng, parent, ctx);
    else if (roll === 16) foreign(rng, parent, ctx);
    else if (roll === 17) masked(rng, parent, ctx, depth, inline);
    else if (roll === 18) shadowHost(rng, parent, ctx, depth, inline);
    else element(rng, parent, ctx, depth, rng.pick(BLOCK), false);
  }
}

function element(rng, parent, ctx, depth, name, inline) {
  // Nesting the parser would undo is not a page's markup: no link or button in a link or
  // button, no form in a form, no heading in a heading, no block in a <p>.
  if ((name === "a" || name === "button") && ctx.interactive) name = "span";
  if (name === "form" && ctx.form) name = "div";
  if ((name === "p" || name === "h2" || name === "pre") && inline) name = "span";
  const el = document.createElement(name);
  attributes(rng, el, ctx);
  if (name === "a") el.setAttribute("href", rng.chance(0.3) ? rng.pick(SCRIPT_URLS) : rng.pick(URLS));
  if (name === "q" || name === "blockquote") el.setAttribute("cite", rng.pick(URLS));
  if (name === "form") el.setAttribute("action", rng.chance(0.3) ? rng.pick(SCRIPT_URLS) : rng.pick(URLS));
  parent.append(el);
  const inner = { ...ctx, interactive: ctx.interactive || name === "a" || name === "button" || name === "label", form: ctx.form || name === "form" };
  if (name === "ul" || name === "ol") {
    for (let k = rng.int(3); k >= 0; k--) children(rng, el.appendChild(document.createElement("li")), inner, depth - 1, false);
  } else if (name === "table") {
    const body = el.appendChild(document.createElement("tbody"));
    for (let r = 1 + rng.int(2); r > 0; r--) {
      const row = body.appendChild(document.createElement("tr"));
      for (let c = 1 + rng.int(3); c > 0; c--) children(rng, row.appendChild(document.createElement("td")), inner, depth - 1, false);
    }
  } else if (name === "details") {
    el.appendChild(document.createElement("summary")).append(text(rng, 2));
    children(rng, el, inner, depth - 1, false);
  } else if (name === "pre") {
    // A leading newline, which the parser drops unless the serializer doubles it.
    el.append(rng.chance(0.3) ? `\n${text(rng)}` : text(rng));
    children(rng, el, inner, depth - 1, true);
  } else {
    children(rng, el, inner, depth - 1, inline || !FLOW_ONLY.has(name));
  }
  return el;
}

/** A fresh secret, recorded so that the check can look for it. */
function secret(ctx, rng) {
  const token = `zq${rng.int(2 ** 30).toString(36)}x${ctx.secrets.length}k`;
  ctx.secrets.push(token);
  return token;
}

const FIELD_TYPES = ["text", "email", "tel", "search", "checkbox", "radio", "password", "hidden", "submit", "button"];

/** A form control whose live value is set by script, after it is in the page. */
function field(rng, parent, ctx) {
  const roll = rng.int(6);
  if (roll === 0) {
    const area = parent.appendChild(document.createElement("textarea"));
    attributes(rng, area, ctx);
    area.append(text(rng, 2));
    area.value = ctx.masked ? secret(ctx, rng) : rng.chance(0.3) ? `\n${text(rng)}` : text(rng);
    return;
  }
  if (roll === 1) {
    const select = parent.appendChild(document.createElement("select"));
    const card = rng.chance(0.25);
    if (card) select.setAttribute("autocomplete", "cc-exp-month");
    if (rng.chance(0.3)) select.multiple = true;
    const options = [];
    for (let k = 1 + rng.int(4); k > 0; k--) {
      const option = select.appendChild(document.createElement("option"));
      // A card list's labels are the page's (months, years); its choice is the secret.
      option.append(ctx.masked ? secret(ctx, rng) : text(rng, 2));
      if (rng.chance(0.3)) option.setAttribute("selected", "");
      options.push(option);
    }
    options[rng.int(options.length)].selected = true;
    return;
  }
  const input = parent.appendChild(document.createElement("input"));
  const type = rng.pick(FIELD_TYPES);
  input.setAttribute("type", rng.chance(0.2) ? type.toUpperCase() : type);
  attributes(rng, input, ctx);
  const card = type === "text" && rng.chance(0.25);
  if (card) input.setAttribute("autocomplete", rng.pick(["cc-number", "billing cc-csc", "CC-EXP"]));
  if (rng.chance(0.4)) input.setAttribute("value", type === "hidden" ? secret(ctx, rng) : text(rng, 2));
  if (type === "checkbox" || type === "radio") input.checked = rng.chance(0.5);
  else if (type === "submit" || type === "button") input.setAttribute("value", text(rng, 2));
  else if (type === "password" || type === "hidden" || card || ctx.masked) input.value = secret(ctx, rng);
  else input.value = rng.chance(0.05) ? rng.pick(SCRIPT_URLS) : text(rng, 3);
}

/** What a page has besides content: scripts, styles, templates, iframes, objects. */
function special(rng, parent, ctx) {
  const roll = rng.int(8);
  if (roll === 0) {
    const script = parent.appendChild(document.createElement("script"));
    if (rng.chance(0.5)) script.type = "application/json";
    script.text = `void "${text(rng, 2).replace(/["\\\n\u2028\u2029]/g, "")}" /* </p> */`;
  } else if (roll === 1) {
    const style = parent.appendChild(document.createElement("style"));
    style.textContent = `.c${rng.int(5)}.k${rng.int(3)} > b::after { content: "<b>&amp; ${text(rng, 1).replace(/["\\\n<]/g, "")}" }`;
  } else if (roll === 2) {
    const template = parent.appendChild(document.createElement("template"));
    template.innerHTML = `<p onclick="x()">${rng.pick(PIECES)}</p><script>void 0</script>`;
  } else if (roll === 3) {
    parent.appendChild(document.createElement("noscript")).append(text(rng, 2));
  } else if (roll === 4) {
    const object = parent.appendChild(document.createElement("object"));
    object.setAttribute("type", "application/x-none");
    children(rng, object, ctx, 0, true);
  } else if (roll === 5) {
    parent.appendChild(document.createElement("embed")).setAttribute("type", "application/x-none");
  } else if (roll === 6) {
    const meta = parent.appendChild(document.createElement("meta"));
    meta.setAttribute("http-equiv", rng.pick(["content-language", "X-UA-Compatible"]));
    meta.setAttribute("content", "es");
  } else {
    const frame = parent.appendChild(document.createElement("iframe"));
    frame.setAttribute("title", text(rng, 2));
  }
}

/** SVG or MathML, as a page writes it (lower-case attributes, valid nesting). */
function foreign(rng, parent, ctx) {
  if (rng.chance(0.3)) {
    const math = parent.appendChild(document.createElementNS(MATHML, "math"));
    for (const name of ["mi", "mo", "mn", "mtext"].slice(0, 1 + rng.int(4))) {
      math.appendChild(document.createElementNS(MATHML, name)).append(text(rng, 1));
    }
    return;
  }
  const svg = parent.appendChild(document.createElementNS(SVG, "svg"));
  svg.setAttribute("viewBox", "0 0 10 10");
  const inner = { ...ctx, foreign: true };
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const roll = rng.int(7);
    if (roll === 0) svg.appendChild(document.createElementNS(SVG, "title")).append(text(rng, 2));
    else if (roll === 1) svg.appendChild(document.createElementNS(SVG, "text")).append(text(rng, 2));
    else if (roll === 2) svg.appendChild(document.createElementNS(SVG, "style")).append(`rect { fill: red } /* <b>&${text(rng, 1)} */`);
    else if (roll === 3) {
      const a = svg.appendChild(document.createElementNS(SVG, "a"));
      a.setAttribute("href", rng.chance(0.5) ? rng.pick(SCRIPT_URLS) : "#top");
      const set = a.appendChild(document.createElementNS(SVG, "set"));
      set.setAttribute("attributeName", "href");
      set.setAttribute("to", rng.pick(SCRIPT_URLS));
    } else if (roll === 4) {
      const object = svg.appendChild(document.createElementNS(SVG, "foreignObject"));
      children(rng, object.appendChild(document.createElement("div")), { ...ctx }, 1, false);
    } else if (roll === 5) {
      const script = svg.appendChild(document.createElementNS(SVG, "script"));
      script.textContent = "void 0";
    } else {
      const rect = svg.appendChild(document.createElementNS(SVG, "rect"));
      rect.setAttribute("width", "5");
      attributes(rng, rect, inner);
    }
  }
}

/** A `data-ec-mask` subtree: everything in it is secret. */
function masked(rng, parent, ctx, depth, inline) {
  const el = parent.appendChild(document.createElement(inline ? "span" : rng.pick(["div", "span", "section"])));
  el.setAttribute("data-ec-mask", "");
  attributes(rng, el, ctx);
  const inner = { ...ctx, masked: true };
  el.append(`${secret(inner, rng)} `);
  field(rng, el, inner);
  children(rng, el, inner, depth - 1, el.localName === "span");
}

let hostNames = 0;

/** An element with an open shadow root of its own content. */
function shadowHost(rng, parent, ctx, depth, inline) {
  const name = rng.chance(0.5) ? (inline ? "span" : "div") : `x-prop-${hostNames++}`;
  const host = parent.appendChild(document.createElement(name));
  attributes(rng, host, ctx);
  const root = host.attachShadow({ mode: "open" });
  children(rng, root, ctx, depth - 1, false);
  if (rng.chance(0.5)) children(rng, host, ctx, 0, true);
}

// Chaos: anything in anything, in any namespace and case; markup in text, comments,
// processing instructions and attribute values. Scripts only ever hold `void 0`.
const MARKUP = [
  "</style><img src=x onerror=void(0)>", "</textarea><b onclick=void(0)>", "<!--", "-->", "--!>",
  "</xmp><script>void 0</script>", '"><svg onload=void(0)>', "]]><a href=javascript:void(0)>",
  "</title><iframe srcdoc='<script>void 0</script>'>", "<?x?>", "</noscript><p onmouseover=void(0)>",
];
const CHAOS = [
  [XHTML, "div"], [XHTML, "p"], [XHTML, "style"], [XHTML, "xmp"], [XHTML, "textarea"], [XHTML, "title"],
  [XHTML, "noscript"], [XHTML, "iframe"], [XHTML, "noembed"], [XHTML, "noframes"], [XHTML, "plaintext"],
  [XHTML, "SCRIPT"], [XHTML, "Style"], [XHTML, "IFRAME"], [XHTML, "INPUT"], [XHTML, "select"], [XHTML, "option"],
  [XHTML, "table"], [XHTML, "tr"], [XHTML, "a"], [XHTML, "template"], [XHTML, "object"], [XHTML, "embed"],
  [XHTML, "form"], [XHTML, "math"], [XHTML, "svg"], [XHTML, "html"], [XHTML, "body"], [XHTML, "head"],
  [XHTML, "span"], [XHTML, "img"], [SVG, "svg"], [SVG, "style"], [SVG, "foreignObject"], [SVG, "desc"],
  [SVG, "title"], [SVG, "p"], [SVG, "script"], [SVG, "a"], [SVG, "mi"], [SVG, "animate"], [MATHML, "math"],
  [MATHML, "title"], [MATHML, "mi"], [MATHML, "mtext"], [MATHML, "annotation-xml"], [MATHML, "style"],
  [MATHML, "desc"], [MATHML, "foreignObject"], [MATHML, "mglyph"], ["urn:x", "x:script"],
];
const CHAOS_ATTRIBUTES = [
  "onclick", "ONCLICK", "formaction", "href", "action", "data", "to", "values", "title", "srcdoc",
  "style", "encoding", "http-equiv", "data-x", "src",
];

function chaosAttributes(rng, el) {
  for (let n = rng.int(4); n > 0; n--) {
    const name = rng.pick(CHAOS_ATTRIBUTES);
    let value = rng.pick([...SCRIPT_URLS, ...MARKUP, "text/html", "refresh", text(rng, 2)]);
    // A live meta refresh would navigate the test page away.
    if (name === "http-equiv" && /refresh/i.test(value)) value = "content-language";
    if (name === "values") value = `#a;${value}`;
    try {
      el.setAttribute(name, value);
    } catch {
      // a name this element's namespace refuses
    }
  }
  if (rng.chance(0.2)) el.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", rng.pick(SCRIPT_URLS));
}

function chaos(rng, parent, ctx, depth) {
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const roll = rng.int(12);
    if (roll < 3 || depth <= 0) parent.append(rng.chance(0.4) ? rng.pick(MARKUP) : text(rng));
    else if (roll === 3) parent.append(document.createComment(rng.pick(MARKUP) + text(rng, 2)));
    else if (roll === 4) parent.append(document.createProcessingInstruction("x", rng.pick(MARKUP).replaceAll("?>", "")));
    else if (roll === 5) {
      const mask = parent.appendChild(document.createElement("span"));
      mask.setAttribute("data-ec-mask", "");
      const inner = { ...ctx, masked: true };
      mask.appendChild(document.createElement("span")).append(secret(inner, rng));
      field(rng, mask, inner);
      chaos(rng, mask, inner, depth - 1);
    } else if (roll === 6) field(rng, parent, ctx);
    else {
      const [ns, name] = rng.pick(CHAOS);
      const el = document.createElementNS(ns, name);
      chaosAttributes(rng, el);
      parent.append(el);
      if (el.localName.toLowerCase() === "script") el.textContent = "void 0";
      else chaos(rng, el, ctx, depth - 1);
    }
  }
}

/**
 * Builds case `seed` in a fresh container at the start of `<body>`: `{ root, chaos,
 * secrets }`. `root` is the container (its id is unique in the page).
 */
export function buildCase(seed, isChaos) {
  const rng = new Rng(seed);
  const root = document.createElement("div");
  root.id = `ec-prop-${seed}`;
  document.body.prepend(root);
  const ctx = { masked: false, interactive: false, form: false, foreign: false, secrets: [], shared: { ids: 0 } };
  if (isChaos) chaos(rng, root, ctx, 5);
  else children(rng, root, ctx, 4, false);
  return { root, chaos: isChaos, secrets: ctx.secrets, seed };
}

/** Removes case `built` from the page. */
export function removeCase(built) {
  built.root.remove();
}

/** A base seed that differs from run to run. */
export function timeSeed() {
  return Date.now() % 2 ** 32 >>> 0;
}

/** A promise that resolves on the next turn of the event loop (not a delay). */
export function nextTurn() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
