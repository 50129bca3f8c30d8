// Reads of the page for the SDK's wasm (src/dom.rs, src/snapshot/media.rs) that are
// cheaper in JavaScript: one property of every node of a list in one call, where a call
// per node would cross from wasm to the page ten thousand times on a large form; and the
// few reads that need a canvas or a synchronous request. None changes the page (canvases
// and documents made here are detached) except `preserveWebGL`, which the SDK's start calls. The build (scripts/shrink-glue.mjs) copies this
// file into the glue, so it costs no extra request.

// `list[i][property]` for every node, as an Array.
export function mapProperty(list, property) {
  return Array.from(list, (node) => node[property]);
}

// 1 where `list[i][property]` is set (neither null nor undefined), else 0.
export function presence(list, property) {
  return Uint8Array.from(list, (node) => node[property] != null);
}

// `source` (a <video>, <img> or <canvas> of any realm) drawn at `width`×`height` on a
// detached canvas, as a data: URL of `type`; "" when its pixels are cross-origin (the
// canvas is then tainted), undefined when there is nothing to draw.
export function pixels(source, width, height, type) {
  if (!width || !height) return undefined;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  try {
    canvas.getContext("2d").drawImage(source, 0, 0, width, height);
    return canvas.toDataURL(type, 0.9);
  } catch {
    return "";
  }
}

// The response to a synchronous GET of `url` (a blob: URL, or a file of the page's origin:
// nothing else is asked for; the capture reads the page at one instant), when no longer than `max`: as text,
// or with `binary`, as a data: URL of at most `max` bytes (only `max` + 1 are asked for).
export function readUrl(url, max, binary) {
  const xhr = new XMLHttpRequest();
  try {
    if (new URL(url, location.href).origin != location.origin) return undefined;
    xhr.open("GET", url, false);
    if (binary) {
      xhr.overrideMimeType("text/plain; charset=x-user-defined");
      xhr.setRequestHeader("Range", "bytes=0-" + max);
    }
    xhr.send();
  } catch {
    return undefined;
  }
  const text = xhr.responseText;
  if (xhr.status > 206 || text.length > max) return undefined;
  if (!binary) return text;
  let bytes = "";
  for (let i = 0; i < text.length; i++) bytes += String.fromCharCode(text.charCodeAt(i) & 255);
  return "data:" + (xhr.getResponseHeader("Content-Type") || "").split(";")[0] + ";base64," + btoa(bytes);
}

// The children of the root <svg> of an SVG file's `text`, as HTML serializes them, parsed
// in a detached document, where nothing runs and nothing loads.
export function svgContent(text) {
  const doc = document.implementation.createHTMLDocument("");
  doc.body.innerHTML = text;
  const svg = doc.querySelector("svg");
  return svg ? svg.innerHTML : undefined;
}

// [position, width, height] of `element`'s computed style: whether a scroll container
// needs `position: relative` for its mark, and the box a masked image keeps.
export function layout(element) {
  const style = element.ownerDocument.defaultView.getComputedStyle(element);
  return [style.position, style.width, style.height];
}

// Where an absolutely positioned child of `doc.body` has its origin, in document
// coordinates: [left, top] of the padding box of <body> when it is positioned.
export function rootOrigin(doc) {
  const body = doc.body;
  const view = doc.defaultView;
  if (!body || view.getComputedStyle(body).position == "static") return [0, 0];
  const box = body.getBoundingClientRect();
  return [box.left + view.scrollX + body.clientLeft, box.top + view.scrollY + body.clientTop];
}

// From now on, WebGL contexts that `view`'s pages create keep their drawing buffer
// (`preserveDrawingBuffer`): without it a WebGL canvas reads as blank once its frame has
// been shown, and a capture happens between frames. This is the one thing the SDK changes
// in a page, and it costs what that option costs: the browser copies each frame instead of
// swapping buffers. Contexts made before the SDK started are read as they are.
export function preserveWebGL(view) {
  const proto = view.HTMLCanvasElement && view.HTMLCanvasElement.prototype;
  if (!proto || proto.getContext.ecPreserving) return;
  const original = proto.getContext;
  const getContext = function (kind, options) {
    if (/webgl/.test(kind)) options = Object.assign({}, options, { preserveDrawingBuffer: true });
    return original.call(this, kind, options);
  };
  getContext.ecPreserving = true;
  proto.getContext = getContext;
}
