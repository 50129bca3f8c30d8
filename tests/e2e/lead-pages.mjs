// The lead forms in other languages and scripts (tests/fixtures/lead-{es,ja,ar,emoji}.html),
// shared by the privacy and fidelity suites: what a consumer types into each, what must
// never leave the browser, and text that the stored snapshot must keep intact. Every page
// has text nodes that start with a multi-byte character (¡, ¿, “, 電, و, 🌞…), a
// disclosure bound to a consent checkbox, a `data-ec-mask` paragraph, a hidden input, a
// password, a script and inline handlers.
import assert from "node:assert/strict";

export const LEAD_PAGES = [
  {
    name: "lead-es.html",
    typed: { nombre: "José Ñúñez García", telefono: "+34 612 345 678", correo: "jose.nunez@ejemplo.es" },
    password: ["clave", "clave-secreta-es-9931"],
    secrets: ["campana-interna-es-5521", "mascara-dni-48151623K"],
    text: [
      "¡Ahorre hasta un 70 % en su factura de la luz!",
      "¿Quiere saber cuánto puede ahorrar? Déjenos sus datos — «sin compromiso» y en menos de 24 h.",
      "“Al marcar esta casilla acepto que Energía Solar Ibérica me llame",
      "✓ El consentimiento no es condición de compra.",
      "¡Quiero mi presupuesto!",
    ],
  },
  {
    name: "lead-ja.html",
    typed: { name: "山田 太郎", tel: "090-1234-5678", email: "taro.yamada@example.jp" },
    password: ["password", "himitsu-pasuwado-jp-4410"],
    secrets: ["naibu-kyanpen-jp-7731", "mask-mynumber-4649-2525"],
    text: [
      "電気代を最大７０％節約！太陽光発電の無料見積もり",
      "「いくら節約できるか知りたい」方へ。",
      "本チェックボックスにチェックを入れることで、株式会社サンライズ・エナジーが",
      "無料で見積もりを依頼する →",
    ],
  },
  {
    name: "lead-ar.html",
    typed: { name: "محمد أحمد الفارسي", phone: "+971 50 123 4567", email: "m.alfarsi@example.ae" },
    password: ["password", "kalimat-sirr-ar-2208"],
    secrets: ["hamla-dakhiliya-ar-3391", "mask-hawiya-784-1987"],
    text: [
      "وفّر حتى ٧٠٪ من فاتورة الكهرباء مع الطاقة الشمسية",
      "هل تريد معرفة مقدار التوفير؟ املأ النموذج التالي – «بدون أي التزام».",
      "بتحديد هذا المربع، أوافق على أن تتصل بي شركة الشمس المشرقة",
      "احصل على عرض السعر ←",
    ],
  },
  {
    name: "lead-emoji.html",
    typed: { name: "Zoë 🌈 Example", phone: "(555) 010-2233", email: "zoe@example.org" },
    password: ["password", "emoji-password-secret-5150"],
    secrets: ["emoji-campaign-internal-6620", "mask-ssn-078-05-1120"],
    text: [
      "🌞 Cut your power bill by up to 70 % 🔋⚡💸",
      "✨ Free quote in 60 seconds 👇 No spam, promise 🤞 — 👨‍👩‍👧 families save the most 🏡",
      "✅ By checking this box I agree that SunnySide 🌻 Solar may call 📞 and text 💬 me",
      "🚀 Get my free quote",
    ],
  },
];

/** Types the consumer's details and password and ticks the consent box. */
export async function fillLead(page, lead) {
  for (const [name, value] of Object.entries(lead.typed)) await page.fill(`input[name="${name}"]`, value);
  await page.fill(`input[name="${lead.password[0]}"]`, lead.password[1]);
  await page.check("[data-ec-consent-checkbox]");
}

/** Presses the page's submit button and returns what its `captureCDR` call resolved. */
export async function submitLead(page) {
  await page.click("[data-ec-submit]");
  await page.waitForFunction(() => window.lastCapture || window.lastCaptureError);
  const { result, error } = await page.evaluate(() => ({ result: window.lastCapture, error: window.lastCaptureError }));
  assert.equal(error, undefined, `capture failed: ${JSON.stringify(error)}`);
  assert.match(result.cdrId, /^cdr_/);
  return result;
}

/** Every secret of `lead`: the password typed, the hidden value, the masked text. */
export function leadSecrets(lead) {
  return [lead.password[1], ...lead.secrets];
}
