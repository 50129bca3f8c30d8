// Builds a synthetic lead-generation page of about `target` DOM nodes (elements + text),
// or of `target` elements when `what` is "elements", in the current document: a styled
// header, repeated form sections with typed values, lists, nested styled blocks and a web
// component with an open shadow root. Runs in the browser (page.addInitScript /
// evaluate); returns the count it reached.
globalThis.buildBenchPage = function buildBenchPage(target, what = "nodes") {
  document.head.insertAdjacentHTML(
    "beforeend",
    `<style>
      body { font: 15px/1.4 sans-serif; margin: 0; color: #222; }
      .block { padding: 4px 8px; border-left: 3px solid #6a9; margin: 2px 0; }
      .block .block { border-color: #a96; }
      form.section { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; padding: 8px; }
      li:nth-child(odd) { background: #f5f5f5; }
    </style>`,
  );
  if (!customElements.get("bench-card")) {
    customElements.define(
      "bench-card",
      class extends HTMLElement {
        constructor() {
          super();
          const root = this.attachShadow({ mode: "open" });
          root.innerHTML =
            `<style>:host{display:block;border:1px solid #ccc;padding:6px}.t{font-weight:700}</style>` +
            `<div class="t"><slot name="title"></slot></div><p>Card body with <b>bold</b> text.</p>` +
            `<input class="inner" value="">`;
        }
      },
    );
  }
  const elements = () => document.getElementsByTagName("*").length;
  const count = () => elements() + (what === "elements" ? 0 : textNodes());
  const textNodes = () => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let n = 0;
    while (walker.nextNode()) n++;
    return n;
  };
  const main = document.createElement("main");
  document.body.appendChild(main);
  let unit = 0;
  // Each unit adds ~100 nodes; count exactly every few units to stay close to the target.
  while (count() < target) {
    for (let k = 0; k < 5; k++, unit++) {
      const section = document.createElement("section");
      section.innerHTML =
        `<h2 class="title">Section ${unit}</h2>` +
        `<form class="section" onsubmit="return false">` +
        `<label>Name <input name="name${unit}" type="text"></label>` +
        `<label>Email <input name="email${unit}" type="email"></label>` +
        `<label>Plan <select name="plan${unit}"><option>A</option><option>B</option><option>C</option></select></label>` +
        `<label><input type="checkbox" name="agree${unit}"> I agree</label>` +
        `<textarea name="note${unit}"></textarea>` +
        `</form>` +
        `<ul>${Array.from({ length: 8 }, (_, i) => `<li><a href="/item/${unit}/${i}">Item ${i}</a> <span>detail</span></li>`).join("")}</ul>` +
        `<div class="block" style="color:#345"><div class="block"><div class="block"><p>Nested <em>styled</em> block ${unit}</p></div></div></div>` +
        `<bench-card><span slot="title">Card ${unit}</span></bench-card>`;
      main.appendChild(section);
      section.querySelector("input[type=text]").value = `Person ${unit}`;
      section.querySelector("input[type=email]").value = `p${unit}@example.org`;
      section.querySelector("select").selectedIndex = unit % 3;
      section.querySelector("input[type=checkbox]").checked = unit % 2 === 0;
      section.querySelector("textarea").value = `Note ${unit}`;
    }
  }
  return count();
};
