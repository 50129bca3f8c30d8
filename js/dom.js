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

// The bytes at `url` (a blob: URL, or a file of the page's origin) as a data: URL, read
// synchronously (the capture reads the page at one instant), asking for no more than
// `max` + 1 bytes; undefined when the read fails or the resource is larger than `max`.
export function dataUrl(url, max) {
  const xhr = new XMLHttpRequest();
  try {
    xhr.open("GET", url, false);
    xhr.overrideMimeType("text/plain; charset=x-user-defined");
    xhr.setRequestHeader("Range", "bytes=0-" + max);
    xhr.send();
  } catch {
    return undefined;
  }
  const text = xhr.responseText;
  if ((xhr.status !== 200 && xhr.status !== 206) || text.length > max) return undefined;
  let binary = "";
  for (let i = 0; i < text.length; i += 8192) {
    binary += String.fromCharCode.apply(null, Array.from(text.slice(i, i + 8192), (c) => c.charCodeAt(0) & 255));
  }
  const type = (xhr.getResponseHeader("Content-Type") || "application/octet-stream").split(";")[0];
  return "data:" + type + ";base64," + btoa(binary);
}

// The children of the root <svg> of the SVG file at `url` (of the page's origin), as HTML
// serializes them, read synchronously; undefined when unreadable or over `max` characters.
// Parsed in a detached document, where nothing runs and nothing loads.
export function spriteContent(url, max) {
  const xhr = new XMLHttpRequest();
  try {
    xhr.open("GET", url, false);
    xhr.send();
  } catch {
    return undefined;
  }
  const text = xhr.responseText;
  if (xhr.status !== 200 || text.length > max) return undefined;
  const doc = document.implementation.createHTMLDocument("");
  doc.body.innerHTML = text;
  const svg = doc.querySelector("svg");
  return svg ? svg.innerHTML : undefined;
}

// Where an absolutely positioned child of `doc.body` has its origin, in document
// coordinates: [left, top] of the padding box of <body> or <html> when positioned.
export function rootOrigin(doc) {
  const view = doc.defaultView;
  for (const element of [doc.body, doc.documentElement]) {
    if (element && view.getComputedStyle(element).position !== "static") {
      const box = element.getBoundingClientRect();
      return [box.left + view.scrollX + element.clientLeft, box.top + view.scrollY + element.clientTop];
    }
  }
  return [0, 0];
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
    if (/^(experimental-)?webgl2?$/.test(kind)) options = Object.assign({}, options, { preserveDrawingBuffer: true });
    return original.call(this, kind, options);
  };
  getContext.ecPreserving = true;
  proto.getContext = getContext;
}
